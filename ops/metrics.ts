import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { type LakeEvent, onLakeEvent } from '../layers/index.js';

/** Every series this process exports starts with this. */
export const METRIC_PREFIX = 'marketlake_';

/**
 * The registry of this process: marketlake's series plus Node's default process metrics
 * (`marketlake_process_*`, `marketlake_nodejs_*`). One per process; `/metrics` serves it.
 */
export const registry = new Registry();

const p = (name: string) => `${METRIC_PREFIX}${name}`;
const registers = [registry];

/** Seconds buckets from 5 ms to 30 min: commits are tens of ms, tasks and runs seconds to minutes. */
const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];
/** Stream lag buckets: event time to commit, from 10 ms to 10 min. */
const LAG = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600];

export const metrics = {
  recordsIngested: new Counter({
    name: p('records_ingested_total'),
    help: 'Records accepted into bronze, by dataset and source',
    labelNames: ['dataset', 'source'] as const,
    registers,
  }),
  recordsQuarantined: new Counter({
    name: p('records_quarantined_total'),
    help: 'Records refused by their contract and kept in quarantine, by dataset and source',
    labelNames: ['dataset', 'source'] as const,
    registers,
  }),
  recordsSkipped: new Counter({
    name: p('records_skipped_total'),
    help: "Records read that are not the dataset's (control messages, other datasets), by dataset and source",
    labelNames: ['dataset', 'source'] as const,
    registers,
  }),
  commits: new Counter({
    name: p('commits_total'),
    help: 'Catalog commits by table and status (committed, refused: duplicate batch or conflict, failed)',
    labelNames: ['table', 'status'] as const,
    registers,
  }),
  commitDuration: new Histogram({
    name: p('commit_duration_seconds'),
    help: 'Latency of the catalog transaction of a commit, by table',
    labelNames: ['table'] as const,
    buckets: SECONDS,
    registers,
  }),
  taskDuration: new Histogram({
    name: p('task_duration_seconds'),
    help: 'Duration of task attempts by kind (ingest, model, quality, serve, compact, vacuum), model and status',
    labelNames: ['kind', 'model', 'status'] as const,
    buckets: SECONDS,
    registers,
  }),
  taskFailures: new Counter({
    name: p('task_failures_total'),
    help: 'Failed task attempts by kind and model; permanent="true" ones are not retried',
    labelNames: ['kind', 'model', 'permanent'] as const,
    registers,
  }),
  runs: new Counter({
    name: p('runs_total'),
    help: 'Runs coordinated by this process that ended, by status',
    labelNames: ['status'] as const,
    registers,
  }),
  runDuration: new Histogram({
    name: p('run_duration_seconds'),
    help: 'Duration of runs from queued to finished, by status',
    labelNames: ['status'] as const,
    buckets: SECONDS,
    registers,
  }),
  serveRows: new Counter({
    name: p('serve_rows_total'),
    help: 'Rows loaded into PostgreSQL by serving, by gold table',
    labelNames: ['table'] as const,
    registers,
  }),
  serveDuration: new Histogram({
    name: p('serve_duration_seconds'),
    help: 'Duration of serving one gold table to PostgreSQL',
    labelNames: ['table'] as const,
    buckets: SECONDS,
    registers,
  }),
  checkResults: new Counter({
    name: p('check_results_total'),
    help: 'Data-quality check results by severity (error, warn) and status (pass, fail, error)',
    labelNames: ['severity', 'status'] as const,
    registers,
  }),
  streamMessages: new Counter({
    name: p('stream_messages_total'),
    help: 'Live-feed messages committed, by source (rate() gives messages/s)',
    labelNames: ['source'] as const,
    registers,
  }),
  streamMessagesPerSecond: new Gauge({
    name: p('stream_messages_per_second'),
    help: 'Live-feed messages committed per second over the last 10 s, by source',
    labelNames: ['source'] as const,
    registers,
  }),
  streamLag: new Histogram({
    name: p('stream_lag_seconds'),
    help: 'Lag from event time to commit of live-feed messages, by source',
    labelNames: ['source'] as const,
    buckets: LAG,
    registers,
  }),
  streamLagLast: new Gauge({
    name: p('stream_lag_last_seconds'),
    help: 'Largest event-time-to-commit lag in the last committed micro-batch, by source',
    labelNames: ['source'] as const,
    registers,
  }),
  queueJobs: new Gauge({
    name: p('queue_jobs'),
    help: 'Jobs in a BullMQ queue by state (every process reports the same queues: aggregate with max)',
    labelNames: ['queue', 'state'] as const,
    registers,
  }),
  queueOldestWaiting: new Gauge({
    name: p('queue_oldest_waiting_seconds'),
    help: 'Age of the oldest job waiting for a worker (0 when none waits)',
    labelNames: ['queue'] as const,
    registers,
  }),
  up: new Gauge({
    name: p('ready'),
    help: '1 when every dependency of this process answered at the last readiness check (see /readyz)',
    labelNames: ['dependency'] as const,
    registers,
  }),
} as const;

let installed: (() => void) | undefined;

/**
 * Turn this process's telemetry events (layers/observers.ts) into the metrics above, and collect
 * Node's default process metrics. Idempotent; returns the function that stops listening.
 */
export function installMetrics(): () => void {
  if (installed) return installed;
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  const stop = onLakeEvent(recordLakeEvent);
  installed = () => {
    stop();
    installed = undefined;
  };
  return installed;
}

/** One event to the metrics (exported for tests and for processes that emit events themselves). */
export function recordLakeEvent(event: LakeEvent): void {
  switch (event.type) {
    case 'commit':
      for (const table of event.tables) {
        metrics.commits.inc({ table, status: event.status });
        if (event.status === 'committed') metrics.commitDuration.observe({ table }, event.seconds);
      }
      return;
    case 'ingest': {
      const labels = { dataset: event.dataset, source: event.source };
      metrics.recordsIngested.inc(labels, event.accepted);
      metrics.recordsQuarantined.inc(labels, event.quarantined);
      metrics.recordsSkipped.inc(labels, event.skipped);
      return;
    }
    case 'task': {
      const model = event.target;
      metrics.taskDuration.observe(
        { kind: event.kind, model, status: event.ok ? 'succeeded' : 'failed' },
        event.seconds,
      );
      if (!event.ok)
        metrics.taskFailures.inc({ kind: event.kind, model, permanent: String(event.permanent ?? false) });
      return;
    }
    case 'run':
      metrics.runs.inc({ status: event.status });
      metrics.runDuration.observe({ status: event.status }, event.seconds);
      return;
    case 'serve':
      metrics.serveRows.inc({ table: event.table }, event.rows);
      metrics.serveDuration.observe({ table: event.table }, event.seconds);
      return;
    case 'stream':
      recordStreamBatch(event);
      return;
    case 'check':
      metrics.checkResults.inc({ severity: event.severity, status: event.status });
      return;
  }
}

/** What the stream worker reports after each committed micro-batch. */
export interface StreamBatchMetrics {
  /** Feed name, e.g. `alpaca`, `binance`, `simulator`. */
  source: string;
  /** Dataset the batch committed to (for the ingest counters). */
  dataset: string;
  /** Messages committed in the batch (accepted + quarantined + skipped). */
  messages: number;
  accepted: number;
  quarantined: number;
  skipped?: number;
  /** Event times of the batch's records (epoch ms or Date); lag is measured against `committedAt`. */
  eventTimes?: Iterable<number | Date>;
  /** Commit time (default: now). */
  committedAt?: number;
}

const WINDOW_MS = 10_000;
const recentBatches = new Map<string, { at: number; n: number }[]>();

/**
 * For the stream worker (streaming/*): call once per committed micro-batch. Counts its records
 * like an ingest, adds its messages to the per-source rate, and observes each record's lag from
 * event time to commit. Cheap: a batch of 10,000 records costs one histogram observe each.
 */
export function recordStreamBatch(batch: StreamBatchMetrics): void {
  const { source } = batch;
  const now = batch.committedAt ?? Date.now();
  recordLakeEvent({
    type: 'ingest',
    dataset: batch.dataset,
    source,
    accepted: batch.accepted,
    quarantined: batch.quarantined,
    skipped: batch.skipped ?? 0,
  });
  metrics.streamMessages.inc({ source }, batch.messages);
  const window = (recentBatches.get(source) ?? []).filter((b) => now - b.at < WINDOW_MS);
  window.push({ at: now, n: batch.messages });
  recentBatches.set(source, window);
  const spanMs = Math.max(1_000, now - window[0]!.at);
  metrics.streamMessagesPerSecond.set({ source }, window.reduce((n, b) => n + b.n, 0) / (spanMs / 1000));
  let maxLag = 0;
  let seen = false;
  for (const t of batch.eventTimes ?? []) {
    const lag = Math.max(0, (now - (typeof t === 'number' ? t : t.getTime())) / 1000);
    metrics.streamLag.observe({ source }, lag);
    if (lag > maxLag) maxLag = lag;
    seen = true;
  }
  if (seen) metrics.streamLagLast.set({ source }, maxLag);
}

/** The text exposition of every metric (what `/metrics` returns). */
export function metricsText(): Promise<string> {
  return registry.metrics();
}
