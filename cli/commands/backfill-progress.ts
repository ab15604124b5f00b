import cliProgress from 'cli-progress';
import type { BackfillProgress } from '../../pipelines/index.js';

export interface ProgressReporter {
  update: (p: BackfillProgress) => void;
  stop: () => void;
}

const fmtSeconds = (s: number) => (s >= 90 ? `${Math.round(s / 60)} min` : `${Math.round(s)} s`);

/**
 * Progress of a backfill: a cli-progress bar (days done/total, rows, rate, ETA) on a terminal,
 * one plain line per finished piece of work otherwise (logs, CI, pipes).
 */
export function backfillProgress(total: number, stream: NodeJS.WriteStream): ProgressReporter {
  const started = Date.now();
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format:
          'backfill [{bar}] {value}/{total} | {rows} rows | {rate} rows/s | ETA {eta_formatted} | {item}',
        hideCursor: true,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { rows: 0, rate: 0, item: '' });
    return {
      update: (p) => {
        const secs = (Date.now() - started) / 1000;
        bar.update(p.done, {
          rows: p.rows.toLocaleString('en-US'),
          rate: secs > 0 ? Math.round(p.rows / secs) : 0,
          item: `${p.last.symbol ? `${p.last.symbol} ` : ''}${p.last.from} ${p.last.status}`,
        });
      },
      stop: () => bar.stop(),
    };
  }
  return {
    update: (p) => {
      const secs = (Date.now() - started) / 1000;
      const eta = p.done > 0 ? (secs / p.done) * (p.total - p.done) : 0;
      const r = p.last;
      stream.write(
        `backfill ${p.done}/${p.total} ${r.symbol ? `${r.symbol} ` : ''}${r.from}${r.to !== r.from ? `..${r.to}` : ''} ${r.status}${r.status === 'failed' ? `: ${r.error}` : ''} rows=${r.read} total_rows=${p.rows} rate=${secs > 0 ? Math.round(p.rows / secs) : 0}/s eta=${fmtSeconds(eta)}\n`,
      );
    },
    stop: () => {},
  };
}
