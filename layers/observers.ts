/**
 * Telemetry hook: the lake, the pipelines and the orchestrator report what they did as events;
 * whoever cares (ops/metrics.ts in long-running processes) listens. Nothing here knows about
 * Prometheus, and with no listener an event costs a loop over an empty set.
 */
export type LakeEvent =
  /**
   * One catalog commit (one or several tables in one transaction), timed around the catalog call.
   * 'refused': a duplicate batch or a conflict (normal under redelivery); 'failed': anything else.
   */
  | {
      type: 'commit';
      tables: readonly string[];
      seconds: number;
      status: 'committed' | 'refused' | 'failed';
    }
  /** One batch of records from a source landed in bronze (duplicates report zeros). */
  | {
      type: 'ingest';
      dataset: string;
      source: string;
      accepted: number;
      quarantined: number;
      skipped: number;
    }
  /** One task attempt ended. `target` is the model (or source) it built, '' when it has none. */
  | { type: 'task'; kind: string; target: string; seconds: number; ok: boolean; permanent?: boolean }
  /** One run ended; `seconds` from when it was queued. */
  | { type: 'run'; status: string; seconds: number }
  /** One gold table served to PostgreSQL. */
  | { type: 'serve'; table: string; rows: number; seconds: number }
  /**
   * One live micro-batch of a dataset committed (a duplicate batch reports zeros). `eventTimes`:
   * epoch ms of its records that carry one, for the event-time-to-commit lag.
   */
  | {
      type: 'stream';
      source: string;
      dataset: string;
      messages: number;
      accepted: number;
      quarantined: number;
      skipped: number;
      committedAt: number;
      eventTimes: readonly number[];
    }
  /** One data-quality check ran. */
  | { type: 'check'; model: string; check: string; severity: string; status: string };

export type LakeEventListener = (event: LakeEvent) => void;

const listeners = new Set<LakeEventListener>();

/** Listen to every event; returns the function that stops listening. */
export function onLakeEvent(listener: LakeEventListener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** Report an event. A listener that throws never breaks the work that reported it. */
export function emitLakeEvent(event: LakeEvent): void {
  for (const listener of listeners) {
    try {
      listener(event);
    } catch {
      // Telemetry must not fail a commit or a task.
    }
  }
}
