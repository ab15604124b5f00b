export { buildDag, type Dag, type DagNode } from './dag.js';
export { type DemoOptions, type DemoStep, type DemoSummary, runDemo } from './demo.js';
export {
  type RunOptions,
  runModelsInProcess,
  type TaskResult,
  type TaskStatus,
} from './model-runner.js';
export {
  failedTasks,
  type ModelRunRequest,
  QUALITY_TARGETS,
  type QualityRequest,
  runModels,
  runQuality,
  SERVED_TABLES,
  serve,
  tableRowCounts,
} from './pipeline.js';
export { blockedByChecks } from './quality-gate.js';
export { type RunRecord, type RunTrigger, saveRun } from './run-history.js';
export { newRunId } from './run-id.js';
export { downstreamOf, selectModels, upstreamOf } from './selectors.js';
