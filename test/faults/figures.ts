import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** What one fault case proved; the suite's teardown adds them up into README's table. */
export interface FaultFigures {
  /** SIGKILLs delivered at (seeded) random points, each followed by a rerun that reconciled. */
  killPoints?: number;
  /** Service faults survived (Redis/PostgreSQL/S3 restarts, a full disk, concurrency cases). */
  faults?: number;
  /** Hostile inputs tried (each gave a clear error or a quarantine, and lost nothing). */
  hostileInputs?: number;
  /** Records checked to reconcile (read = accepted + quarantined + skipped). */
  recordsChecked?: number;
  /** Records lost or doubled against a clean run: must stay 0. */
  recordsLost?: number;
  recordsDoubled?: number;
  /** Log lines and error messages scanned for secrets. */
  linesScanned?: number;
}

/** Folder the fault suite's teardown reads (set by test/faults/setup.ts). */
export function figuresDir(): string {
  return process.env.MARKETLAKE_FAULT_FIGURES ?? join(process.cwd(), '.faults');
}

/** Record the figures of one case (`name` is what the case did, e.g. "SIGKILL ingest"). */
export function recordFigures(name: string, figures: FaultFigures): void {
  const dir = figuresDir();
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, 'figures.jsonl'), `${JSON.stringify({ name, ...figures })}\n`);
}
