import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LakeSession, literal, openLake } from '../layers/index.js';
import { readJsonLines, simulateMarket, writeBronzeBatch } from '../pipelines/index.js';
import type { BenchResult } from './report.js';

/**
 * Ingestion of one simulated trading day (JSON Lines → validated bronze Parquet + quarantine)
 * against DuckDB's own `COPY (SELECT * FROM read_json(...)) TO ... (FORMAT parquet)` of the same file.
 */
export async function benchIngest(tradesPerSymbolDay: number): Promise<BenchResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'marketlake-bench-'));
  try {
    const market = simulateMarket({
      days: 1,
      tradesPerSymbolDay,
      quotesPerSymbolDay: 10,
      postsPerSymbolDay: 1,
    });
    const file = join(dir, 'trades.jsonl');
    await writeFile(file, `${market.trades.map((t) => JSON.stringify(t)).join('\n')}\n`);
    const { size } = await stat(file);
    const rows = market.trades.length;

    const lake = openLake({ lakeUrl: join(dir, 'lake') });
    const session = await LakeSession.open(lake);
    try {
      let t = performance.now();
      await session.run(
        `COPY (SELECT * FROM read_json(${literal(file)}, format = 'newline_delimited')) TO ${literal(join(dir, 'limit.parquet'))} (FORMAT parquet, COMPRESSION zstd)`,
      );
      const limitS = (performance.now() - t) / 1000;

      t = performance.now();
      const result = await writeBronzeBatch(session, 'trades', readJsonLines(file), {
        source: file,
        force: true,
      });
      const oursS = (performance.now() - t) / 1000;
      if (result.accepted + result.quarantined !== rows) throw new Error('bench: counts do not reconcile');

      const mb = size / 1e6;
      return [
        {
          name: `ingest ${rows.toLocaleString('en-US')} trades JSONL (${mb.toFixed(0)} MB), validated`,
          unit: 'rows/s',
          value: rows / oursS,
          limit: rows / limitS,
          limitName: 'DuckDB read_json → Parquet, no validation',
          note: `${(mb / oursS).toFixed(1)} MB/s vs ${(mb / limitS).toFixed(1)} MB/s`,
        },
      ];
    } finally {
      session.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
