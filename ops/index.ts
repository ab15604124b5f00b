/** Operations: Prometheus metrics, health and readiness endpoints, and the BullMQ queue board. */
export {
  installMetrics,
  METRIC_PREFIX,
  metrics,
  metricsText,
  recordLakeEvent,
  recordStreamBatch,
  registry,
  type StreamBatchMetrics,
} from './metrics.js';
export { DEFAULT_METRICS_PORT, type OpsServer, type OpsServerOptions, startOpsServer } from './ops-server.js';
export {
  type LakeQueues,
  openLakeQueues,
  type QueueBoardOptions,
  registerQueueBoard,
} from './queue-board.js';
export { QUEUE_STATES, refreshQueueMetrics } from './queue-metrics.js';
export {
  createReadiness,
  type DependencyStatus,
  type Readiness,
  type ReadinessOptions,
  type ReadinessReport,
} from './readiness.js';
export { type ServiceOps, type ServiceOpsOptions, startServiceOps } from './service-ops.js';
