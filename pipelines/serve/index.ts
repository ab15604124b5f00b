export { ServingError } from './errors.js';
export { describePglite, PGliteTarget } from './pglite-target.js';
export { PostgresTarget } from './postgres-target.js';
export { type ServedTable, type ServeGoldOptions, type ServeStatus, serveGold } from './serve-gold.js';
export { READER_ROLE, STATE_SCHEMA, type TableDescription } from './serving-schema.js';
export {
  defaultPgliteDir,
  describeServingTarget,
  openServingTarget,
  type ServingTarget,
  type ServingTargetOptions,
} from './serving-target.js';
export { replaceFromCsv } from './target-sql.js';
export type { ServingTransaction } from './types.js';
