/**
 * The one place that builds physical names: object keys, partition folders, DuckDB schema
 * and view names. Every name is checked here, so nothing from outside can escape the lake.
 */
import { UsageError } from './errors.js';

export const LAYERS = ['bronze', 'silver', 'gold', 'quarantine'] as const;
export type Layer = (typeof LAYERS)[number];

export interface TableRef {
  layer: Layer;
  name: string;
}

const NAME = /^[a-z][a-z0-9_]{0,62}$/;
const PARTITION_VALUE = /^[A-Za-z0-9_.:-]{1,64}$/;

export function isLayer(s: string): s is Layer {
  return (LAYERS as readonly string[]).includes(s);
}

export function assertName(kind: string, name: string): string {
  if (!NAME.test(name)) throw new UsageError(`invalid ${kind} name ${JSON.stringify(name)}`);
  return name;
}

export function tableRef(layer: Layer, name: string): TableRef {
  return { layer, name: assertName('table', name) };
}

/** Parse `silver.trades` into a ref. */
export function parseTableName(qualified: string): TableRef {
  const [layer, name, extra] = qualified.split('.');
  if (!layer || !name || extra !== undefined || !isLayer(layer)) {
    throw new UsageError(`table must be <layer>.<name> with layer one of ${LAYERS.join(', ')}: ${qualified}`);
  }
  return tableRef(layer, name);
}

export function qualifiedName(ref: TableRef): string {
  return `${ref.layer}.${ref.name}`;
}

/** Folder of a layer inside the lake: quarantine lives under `_quarantine`. */
export function layerFolder(layer: Layer): string {
  return layer === 'quarantine' ? '_quarantine' : layer;
}

export function tablePrefix(ref: TableRef): string {
  return `${layerFolder(ref.layer)}/${assertName('table', ref.name)}`;
}

export function assertPartitionValue(value: string): string {
  if (!PARTITION_VALUE.test(value) || value.includes('..')) {
    throw new UsageError(`invalid partition value ${JSON.stringify(value)}`);
  }
  return value;
}

/** Key of a data file: `<layer>/<table>/<col>=<value>/<file>` (or without partition). */
export function dataFileKey(
  ref: TableRef,
  partitionColumn: string | null,
  partition: string | null,
  file: string,
) {
  if (!/^[A-Za-z0-9_.-]{1,128}$/.test(file)) throw new UsageError(`invalid data file name ${file}`);
  if (partitionColumn === null || partition === null) return `${tablePrefix(ref)}/${file}`;
  return `${tablePrefix(ref)}/${assertName('partition column', partitionColumn)}=${assertPartitionValue(partition)}/${file}`;
}

export const STAGING_PREFIX = '_staging';
export const REPORTS_PREFIX = '_reports';
export const RUNS_PREFIX = '_runs';
export const SERVING_PREFIX = '_serving';
/** Trained models (e.g. the finance sentiment classifier), one folder per kind and version. */
export const ML_PREFIX = '_ml';

/** Key of a file of a trained model: `_ml/<kind>/<version>/<file>`, or `_ml/<kind>/<file>` without a version. */
export function mlModelKey(kind: string, version: string | null, file: string): string {
  if (!/^[a-z][a-z0-9_-]{0,62}$/.test(kind))
    throw new UsageError(`invalid model kind ${JSON.stringify(kind)}`);
  if (!/^[A-Za-z0-9_.-]{1,128}$/.test(file)) throw new UsageError(`invalid model file name ${file}`);
  if (version === null) return `${ML_PREFIX}/${kind}/${file}`;
  return `${ML_PREFIX}/${kind}/${assertPartitionValue(version)}/${file}`;
}

/** BullMQ queues: run coordinators and their tasks. */
export const QUEUES = { runs: 'runs', tasks: 'tasks' } as const;

/** Default BullMQ key prefix (tests and deployments sharing a Redis set their own). */
export const DEFAULT_QUEUE_PREFIX = 'marketlake';

/** Redis key of the lock that keeps one task target (a model, a source) from running twice at once. */
export function taskLockKey(prefix: string, target: string): string {
  return `${prefix}:lock:${target}`;
}

/** BullMQ job id of a task of a run (BullMQ ids may not contain `:`). */
export function taskJobId(runId: string, taskId: string): string {
  return `${runId}.${taskId.replace(/:/g, '-')}`;
}
