import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LakeSession, literal, openLake } from '../layers/index.js';
import {
  type IngestFileResult,
  identityMapping,
  ingestMappedFile,
  ingestVendorFile,
} from '../pipelines/index.js';
import type { BenchResult } from './report.js';

const SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOGL', 'META', 'TSLA', 'JPM', 'XOM', 'SPY'];

/**
 * Write `rows` contract-shaped trades as JSONL and CSV, and a JSONL copy in which every 100th
 * record has a negative price (1% refused), streamed in bounded memory.
 */
export async function writeInputs(
  dir: string,
  rows: number,
): Promise<{ jsonl: string; csv: string; dirty: string; alpaca: string }> {
  const jsonl = join(dir, 'trades.jsonl');
  const csv = join(dir, 'trades.csv');
  const dirty = join(dir, 'trades-1pct-refused.jsonl');
  const alpaca = join(dir, 'trades-alpaca.jsonl');
  const a = createWriteStream(alpaca);
  let ba = '';
  const j = createWriteStream(jsonl);
  const c = createWriteStream(csv);
  const d = createWriteStream(dirty);
  c.write('symbol,event_at,price,size,exchange,trade_id,conditions,tape,source\n');
  let bj = '';
  let bc = '';
  let bd = '';
  const start = Date.UTC(2024, 2, 4, 14, 30);
  for (let i = 0; i < rows; i++) {
    const symbol = SYMBOLS[i % SYMBOLS.length] as string;
    const at = `${new Date(start + Math.floor(i / 10) * 3).toISOString().slice(0, 23)}${String(i % 1000).padStart(3, '0')}Z`;
    const price = (100 + (i % 5000) / 100).toFixed(2);
    const t = {
      symbol,
      event_at: at,
      price: Number(price),
      size: 1 + (i % 500),
      exchange: 'P',
      trade_id: String(i),
      conditions: ['@'],
      tape: 'C',
      source: 'bench',
    };
    bj += `${JSON.stringify(t)}\n`;
    bd += `${JSON.stringify(i % 100 === 99 ? { ...t, price: -t.price } : t)}\n`;
    bc += `${symbol},${at},${price},${t.size},P,${i},@,C,bench\n`;
    // The same trade as Alpaca's stream message (its own key names, `i` a number).
    ba += `${JSON.stringify({ T: 't', S: symbol, i, x: 'P', p: t.price, s: t.size, c: t.conditions, t: at, z: 'C' })}\n`;
    if (bj.length > 1 << 20) {
      if (!j.write(bj)) await once(j, 'drain');
      if (!c.write(bc)) await once(c, 'drain');
      if (!d.write(bd)) await once(d, 'drain');
      if (!a.write(ba)) await once(a, 'drain');
      ba = '';
      bj = '';
      bc = '';
      bd = '';
    }
  }
  j.end(bj);
  c.end(bc);
  d.end(bd);
  a.end(ba);
  await Promise.all([once(j, 'finish'), once(c, 'finish'), once(d, 'finish'), once(a, 'finish')]);
  return { jsonl, csv, dirty, alpaca };
}

/**
 * Ingestion of `rows` trades from JSONL and from CSV, every record validated (contract rules as
 * SQL inside DuckDB), against DuckDB's own read_json / read_csv → Parquet copy of the same file.
 * Ours includes everything `marketlake ingest` does for a file: the sha256/UTF-8 scan (run
 * beside DuckDB's pass), the validating pass that writes bronze (DuckDB's own reader of the
 * layout when every record is valid), the quarantine and bronze commits through the catalog.
 * The last case has 1% refused records: the strict reader stops at the first, the line reader
 * takes the file, and the refused records' line numbers cost one more (single-threaded) pass. Peak RSS of the whole run is printed by the runner (index.ts,
 * ingest-run.ts); `BENCH_INGEST_ROWS=5000000` gives the issue's figure, `BENCH_INGEST_REPEAT=3` the
 * medians of three alternating runs.
 */
export async function benchIngest(rows: number, repeat = 1): Promise<BenchResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'marketlake-bench-'));
  try {
    const files = await writeInputs(dir, rows);
    const lake = openLake({ lakeUrl: join(dir, 'lake') });
    const session = await LakeSession.open(lake);
    const results: BenchResult[] = [];
    try {
      // The CSV again with every symbol in quotes: DuckDB's CSV reader takes it instead of the line reader.
      const quoted = join(dir, 'trades-quoted.csv');
      await session.run(
        `COPY (SELECT * FROM read_csv(${literal(files.csv)}, all_varchar = true)) TO ${literal(quoted)} (HEADER, FORCE_QUOTE (symbol))`,
      );
      const cases = [
        { file: files.jsonl, layout: 'jsonl', label: 'JSONL', refused: 0 },
        {
          file: files.alpaca,
          layout: 'jsonl',
          label: 'Alpaca stream messages (--format alpaca)',
          refused: 0,
        },
        { file: files.csv, layout: 'csv', label: 'CSV', refused: 0 },
        { file: quoted, layout: 'csv', label: 'CSV with quoted fields', refused: 0 },
        {
          file: files.dirty,
          layout: 'jsonl',
          label: 'JSONL with 1% refused',
          refused: Math.floor(rows / 100),
        },
      ] as const;
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
      for (const { file, layout, label, refused } of cases) {
        const { size } = await stat(file);
        const reader =
          layout === 'jsonl'
            ? `read_json(${literal(file)}, format = 'newline_delimited')`
            : `read_csv(${literal(file)})`;
        // Limit and ours alternate, `repeat` times each; the medians are compared (this VM's
        // speed drifts by tens of percent from one minute to the next).
        const limits: number[] = [];
        const ours: number[] = [];
        let r: IngestFileResult | undefined;
        const alpacaFormat = file === files.alpaca;
        for (let i = 0; i < repeat; i++) {
          let t = performance.now();
          await session.run(
            `COPY (SELECT * FROM ${reader}) TO ${literal(join(dir, 'limit.parquet'))} (FORMAT parquet, COMPRESSION zstd)`,
          );
          limits.push((performance.now() - t) / 1000);
          t = performance.now();
          r = alpacaFormat
            ? await ingestVendorFile(session, file, { format: 'alpaca', dataset: 'trades', force: true })
            : await ingestMappedFile(session, file, {
                mapping: identityMapping('trades', layout),
                force: true,
              });
          ours.push((performance.now() - t) / 1000);
          if (r.accepted + r.quarantined !== rows || r.quarantined !== refused)
            throw new Error('bench: counts do not reconcile');
        }
        if (!r) throw new Error('bench: BENCH_INGEST_REPEAT must be at least 1');
        const limitS = median(limits);
        const oursS = median(ours);
        const mb = size / 1e6;
        results.push({
          name: `ingest ${rows.toLocaleString('en-US')} trades ${label} (${mb.toFixed(0)} MB), every record validated (${r.engine} engine, ${r.reader ?? 'per-record'} reader)`,
          unit: 'rows/s',
          value: rows / oursS,
          limit: rows / limitS,
          limitName: `DuckDB ${layout === 'jsonl' ? 'read_json' : 'read_csv'} → Parquet, no validation`,
          note: `${(mb / oursS).toFixed(1)} MB/s vs ${(mb / limitS).toFixed(1)} MB/s; ${oursS.toFixed(2)} s vs ${limitS.toFixed(2)} s${repeat > 1 ? ` (medians of ${repeat} alternating runs)` : ''}${refused ? `; ${r.quarantined.toLocaleString('en-US')} quarantined with their line numbers` : ''}`,
        });
      }
    } finally {
      session.close();
    }
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
