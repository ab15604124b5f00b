/**
 * Ingestion benchmark alone: `npx tsx bench/ingest-run.ts` (BENCH_INGEST_ROWS, default 1,000,000).
 * Prints each figure beside its limit (DuckDB's own copy, same file, same run) and the peak RSS.
 */
import { benchIngest } from './ingest.bench.js';
import { printResults } from './report.js';

const rows = Number(process.env.BENCH_INGEST_ROWS ?? 1_000_000);
const results = await benchIngest(rows, Number(process.env.BENCH_INGEST_REPEAT ?? 1));
printResults(results);
process.stdout.write(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB\n`);
