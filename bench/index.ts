/**
 * `npm run bench`: each capability's figure beside its limit measured in the same run.
 * BENCH_TRADES_PER_SYMBOL sets the size of the simulated day (10 symbols).
 */
import { benchIngest } from './ingest.bench.js';
import { printResults } from './report.js';

const perSymbol = Number(process.env.BENCH_TRADES_PER_SYMBOL ?? 50_000);
const results = await benchIngest(perSymbol);
printResults(results);
process.stdout.write(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB\n`);
