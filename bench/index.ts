/**
 * `npm run bench`: each capability's figure beside its limit measured in the same run.
 * BENCH_INGEST_ROWS sets the trades per ingestion file (default 1,000,000; the figure is 5,000,000).
 */
import { benchIngest } from './ingest.bench.js';
import { printResults } from './report.js';

const rows = Number(process.env.BENCH_INGEST_ROWS ?? 1_000_000);
const results = await benchIngest(rows);
printResults(results);
process.stdout.write(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB\n`);
