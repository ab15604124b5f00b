/**
 * `npm run bench [-- ingest lake transform queue bars]`: each capability's figure beside its limit,
 * measured in the same run on the same data. Sizes:
 * - BENCH_INGEST_ROWS: trades per ingestion file (default 1,000,000; the figure is 5,000,000)
 * - BENCH_LAKE_ROWS: rows of the S3 query table (default 10,000,000)
 * - BENCH_TRANSFORM_TRADES_PER_SYMBOL_DAY: trades per symbol and day for the models (default 20,000)
 * - BENCH_QUEUE_TRADES_PER_SYMBOL_DAY: the same for the BullMQ run (default 2,000)
 * - BENCH_SENTIMENT_POSTS: StockNet tweets scored by the sentiment bench (default 20,000)
 * - BENCH_QUALITY_TRADES_PER_SYMBOL_DAY: trades per symbol and day of the quality bench's lake
 *   (default 200,000: 10 symbols × 5 sessions = 10M trades); checks against 25% of the build
 * - BENCH_SERVE_ROWS: gold.fact_bars rows served to PostgreSQL beside psql \copy (default 10,000,000)
 * - bars: every AlgoSeek day of ../shared/data (MARKETLAKE_SHARED_DATA), our 1m bars against the
 *   vendor's minute bars, eligibility and naive builds, beside the 99% target
 * - api: p95 of GET /api/v1/bars/{symbol}?interval=1m for one session, 20 clients (autocannon), lake and
 *   PostgreSQL; BENCH_API_TRADES_PER_SYMBOL_DAY (default 10,000), BENCH_API_SECONDS (default 10)
 * - stream: simulator → WebSocket → stream worker → bronze at rising rates (BENCH_STREAM_RATES, default
 *   25000,50000,100000,150000), BENCH_STREAM_SECONDS each (default 20), beside a count-only client
 * - latency: query/tables/runs/models/no-op run as whole processes on a small demo lake, median of
 *   BENCH_LATENCY_REPEAT (default 5), beside a bare Node + @duckdb/node-api `select 1`
 * - backfill: a year of daily bars for 50 symbols and a week of trades for 10 symbols from the local
 *   vendor server; BENCH_BACKFILL_TRADES_PER_DAY (default 5,000), BENCH_BACKFILL_CONCURRENCY (default 4)
 */
import { benchApi } from './api.bench.js';
import { benchBackfill } from './backfill.bench.js';
import { benchBars } from './bars.bench.js';
import { benchIngest } from './ingest.bench.js';
import { benchLake } from './lake.bench.js';
import { benchLatency } from './latency.bench.js';
import { benchQuality } from './quality.bench.js';
import { benchQueue } from './queue.bench.js';
import { type BenchResult, printResults } from './report.js';
import { benchSentiment } from './sentiment.bench.js';
import { benchServe } from './serve.bench.js';
import { benchStream } from './stream.bench.js';
import { benchTransform } from './transform.bench.js';

const size = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const benches: Record<string, () => Promise<BenchResult[]>> = {
  ingest: () => benchIngest(size('BENCH_INGEST_ROWS', 1_000_000), size('BENCH_INGEST_REPEAT', 1)),
  lake: () => benchLake(size('BENCH_LAKE_ROWS', 10_000_000)),
  transform: () => benchTransform(size('BENCH_TRANSFORM_TRADES_PER_SYMBOL_DAY', 20_000)),
  queue: () => benchQueue(size('BENCH_QUEUE_TRADES_PER_SYMBOL_DAY', 2_000)),
  quality: () => benchQuality(size('BENCH_QUALITY_TRADES_PER_SYMBOL_DAY', 200_000)),
  sentiment: () => benchSentiment(size('BENCH_SENTIMENT_POSTS', 20_000)),
  bars: () => benchBars(),
  serve: () => benchServe(size('BENCH_SERVE_ROWS', 10_000_000)),
  backfill: () =>
    benchBackfill(size('BENCH_BACKFILL_TRADES_PER_DAY', 5_000), size('BENCH_BACKFILL_CONCURRENCY', 4)),
  stream: () =>
    benchStream(
      size('BENCH_STREAM_SECONDS', 20),
      (process.env.BENCH_STREAM_RATES ?? '25000,50000,100000,150000').split(',').map(Number),
    ),
  latency: () => benchLatency(size('BENCH_LATENCY_REPEAT', 5)),
  api: () => benchApi(size('BENCH_API_TRADES_PER_SYMBOL_DAY', 10_000), size('BENCH_API_SECONDS', 10)),
};
const wanted = process.argv.slice(2).filter((a) => a in benches);
for (const name of wanted.length ? wanted : Object.keys(benches)) {
  process.stdout.write(`== ${name}\n`);
  printResults(await benches[name]!());
}
process.stdout.write(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB\n`);
