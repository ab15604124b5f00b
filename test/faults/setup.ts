import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FaultFigures } from './figures.js';

/** vitest globalSetup: a fresh figures folder; at the end, the suite's table of figures. */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'marketlake-faults-'));
  process.env.MARKETLAKE_FAULT_FIGURES = dir;
  return () => {
    const file = join(dir, 'figures.jsonl');
    const rows = existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as FaultFigures & { name: string })
      : [];
    const sum = (k: keyof FaultFigures) => rows.reduce((n, r) => n + (r[k] ?? 0), 0);
    const table = [
      ['kill points survived (SIGKILL, then rerun)', sum('killPoints')],
      ['service faults and concurrency cases survived', sum('faults')],
      ['hostile inputs tried', sum('hostileInputs')],
      ['records reconciled (read = accepted + quarantined + skipped)', sum('recordsChecked')],
      ['records lost', sum('recordsLost')],
      ['records doubled', sum('recordsDoubled')],
      ['log lines and errors scanned for secrets (found: 0)', sum('linesScanned')],
    ];
    const date = new Date().toISOString().slice(0, 10);
    process.stdout.write(
      `\nmarketlake fault suite, ${date} (${rows.length} cases)\n\n| figure | value |\n| --- | --- |\n${table
        .map(([k, v]) => `| ${k} | ${v} |`)
        .join('\n')}\n\n`,
    );
    rmSync(dir, { recursive: true, force: true });
  };
}
