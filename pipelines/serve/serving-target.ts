import { join } from 'node:path';
import { type Lake, redactUrl, SERVING_PREFIX, UsageError } from '../../layers/index.js';
import { describePglite, PGliteTarget } from './pglite-target.js';
import { PostgresTarget } from './postgres-target.js';
import type { ServingTarget } from './types.js';

export type { ServingTarget } from './types.js';

/** Where to serve: PostgreSQL when `databaseUrl` is set, else an embedded PGlite in `pgliteDir`. */
export interface ServingTargetOptions {
  databaseUrl?: string | undefined;
  pgliteDir: string;
}

/** The description a target would have, without connecting: safe to print (password masked). */
export function describeServingTarget(options: ServingTargetOptions): string {
  return options.databaseUrl ? redactUrl(options.databaseUrl) : describePglite(options.pgliteDir);
}

/** Open the serving database; close it when done. Errors name it by its description, never its password. */
export async function openServingTarget(options: ServingTargetOptions): Promise<ServingTarget> {
  if (options.databaseUrl) return PostgresTarget.connect(options.databaseUrl);
  return PGliteTarget.open(options.pgliteDir);
}

/** The PGlite folder of an embedded lake: `<lake>/_serving/pglite`. */
export function defaultPgliteDir(lake: Lake): string {
  if (!lake.localRoot) throw new UsageError('embedded PGlite needs a local lake: set DATABASE_URL');
  return join(lake.localRoot, SERVING_PREFIX, 'pglite');
}
