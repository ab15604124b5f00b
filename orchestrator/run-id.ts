import { randomBytes } from 'node:crypto';

/** Sortable, readable run id: `run_20240304T143000Z_a1b2c3`. */
export function newRunId(now: Date = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  return `run_${stamp}_${randomBytes(3).toString('hex')}`;
}
