export {
  type BuildPlan,
  changedPartitions,
  definitionHash,
  type ModelRunProperties,
  type PlannedBuild,
  type PlanOptions,
  planBuild,
} from './build-plan.js';
export { notNull, rowRule, uniqueKey } from './checks.js';
export { ALERT_RULES } from './fact-alerts.model.js';
export { tablesReadBy } from './lineage.js';
export {
  byPartition,
  FULL_REFRESH,
  type IncrementalStrategy,
  type ModelCheck,
  type ModelColumn,
  type ModelDefinition,
  type ModelStep,
  modelName,
  modelSqlPath,
  type Severity,
} from './model.js';
export { type ModelRunResult, modelSql, runModel, setInputRange } from './model-runner.js';
export {
  addDays,
  type DateRange,
  datesBetween,
  isPartitionDate,
  parsePartitionDate,
  toRanges,
} from './partition-dates.js';
export { MODELS } from './registry.js';
export { SENTIMENT_SCORER, sentimentLabel, sentimentScore } from './sentiment/vader-scorer.js';
