export { notNull, rowRule, uniqueKey } from './checks.js';
export { tablesReadBy } from './lineage.js';
export {
  type ModelCheck,
  type ModelColumn,
  type ModelDefinition,
  modelName,
  modelSqlPath,
  type Severity,
} from './model.js';
export { type ModelRunResult, modelSql, runModel } from './model-runner.js';
export { MODELS } from './registry.js';
