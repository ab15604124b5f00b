export { ServingError } from './errors.js';
export { describePglite, PGliteTarget } from './pglite-target.js';
export { PostgresTarget } from './postgres-target.js';
export { type ServedTable, type ServeGoldOptions, serveGold } from './serve-gold.js';
export {
  defaultPgliteDir,
  describeServingTarget,
  openServingTarget,
  type ServingTarget,
  type ServingTargetOptions,
} from './serving-target.js';
