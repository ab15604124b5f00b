import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';

/**
 * PGlite's first open of a new database runs initdb in WebAssembly (about 7 s on this machine kind);
 * opening from a dump of a freshly initialised database takes about 1 s. The first new database a
 * user creates pays initdb once and leaves such a dump (about 4.5 MB) in the user's cache folder,
 * keyed by the PGlite version; every later new database (a new lake, a test) starts from it.
 * MARKETLAKE_CACHE_DIR (default $XDG_CACHE_HOME/marketlake or ~/.cache/marketlake) moves it;
 * MARKETLAKE_PGLITE_TEMPLATE=off turns it off.
 */
function templatePath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.MARKETLAKE_PGLITE_TEMPLATE === 'off') return undefined;
  try {
    let dir = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
    while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
    const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string };
    if (!version || !/^[\w.+-]+$/.test(version)) return undefined;
    const cache =
      env.MARKETLAKE_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'marketlake');
    return join(cache, `pglite-${version}-template.tar.gz`);
  } catch {
    return undefined;
  }
}

/** A dump to start a new database from, when one was saved before. */
export async function readPgliteTemplate(): Promise<Blob | undefined> {
  const path = templatePath();
  if (!path) return undefined;
  try {
    return new Blob([await readFile(path)]);
  } catch {
    return undefined;
  }
}

/** Save a just-initialised database as the template (best effort: a cache, never an error). */
export async function savePgliteTemplate(db: PGlite): Promise<void> {
  const path = templatePath();
  if (!path || existsSync(path)) return;
  try {
    const dump = await db.dumpDataDir('gzip');
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, Buffer.from(await dump.arrayBuffer()));
    await rename(tmp, path);
  } catch {
    // No cache folder, disk full, ...: the next new database runs initdb again.
  }
}
