/**
 * The `marketlake` command. Heavy modules (DuckDB, PGlite, pipelines) load inside each action,
 * so `marketlake --help` starts fast.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { CommandContext, GlobalOptions } from './context.js';

const VERSION = '0.1.0';

function int(name: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0)
      throw new InvalidArgumentError(`${name} must be a non-negative integer`);
    return n;
  };
}

function fraction(value: string) {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1)
    throw new InvalidArgumentError('must be a number between 0 and 1');
  return n;
}

function date(value: string) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new InvalidArgumentError('must be a date YYYY-MM-DD');
  }
  return value;
}

function collect(value: string, previous: string[] = []) {
  return [...previous, value];
}

type Action<A extends unknown[]> = (ctx: CommandContext, ...args: A) => Promise<number>;

/** Wrap an action: build the context from global options, run, set the exit code, report errors in one line. */
function action<A extends unknown[]>(load: () => Promise<Action<A>>) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const globals = command.optsWithGlobals() as GlobalOptions;
    const { createContext } = await import('./context.js');
    const ctx = createContext(globals);
    try {
      const fn = await load();
      process.exitCode = await fn(ctx, ...(args.slice(0, -1) as A));
    } finally {
      await ctx.lake.close();
    }
  };
}

/** `--metrics-port` of the long-running commands: Prometheus /metrics, /healthz and /readyz. */
function metricsPortOption(): Option {
  return new Option('--metrics-port <n>', 'port of /metrics, /healthz and /readyz')
    .env('METRICS_PORT')
    .default(9464)
    .argParser(int('--metrics-port'));
}

function simulationOptions(cmd: Command): Command {
  return cmd
    .option('--days <n>', 'trading days (weekdays) to simulate', int('--days'), 2)
    .option('--start <date>', 'first day (weekends are skipped)', date, '2024-03-04')
    .option('--seed <n>', 'random seed: the same seed gives the same market', int('--seed'), 42)
    .option('--trades-per-day <n>', 'mean trades per symbol per day', int('--trades-per-day'), 10_000)
    .option('--quotes-per-day <n>', 'mean quotes per symbol per day', int('--quotes-per-day'), 10_000)
    .option('--posts-per-day <n>', 'mean sentiment posts per symbol per day', int('--posts-per-day'), 30)
    .option(
      '--bad-rate <fraction>',
      'share of records corrupted on purpose (they go to quarantine)',
      fraction,
      0.001,
    );
}

export function buildProgram(): Command {
  const program = new Command('marketlake')
    .description(
      'A lakehouse for market data: contracts, bronze/silver/gold Parquet with DuckDB, serving to PostgreSQL',
    )
    .version(VERSION)
    .option('--lake <url>', 'lake location: a folder or s3://bucket/prefix (env LAKE_URL, default ./lake)')
    .addOption(
      new Option('--log-level <level>', 'log level (env LOG_LEVEL)').choices([
        'fatal',
        'error',
        'warn',
        'info',
        'debug',
        'trace',
        'silent',
      ]),
    )
    .option('--json', 'machine-readable output: JSON results on stdout, JSON log lines on stderr')
    .showHelpAfterError('(run with --help for usage)');

  simulationOptions(
    program
      .command('demo')
      .description(
        'run the whole pipeline on the embedded default: simulate 10 symbols, ingest to bronze, build silver and gold, check quality, serve gold to PGlite (or DATABASE_URL)',
      ),
  )
    .option('--no-serve', 'skip loading gold into PostgreSQL/PGlite')
    .action(action(async () => (await import('./commands/demo.js')).demoCommand));

  program
    .command('ingest')
    .description(
      'load files into bronze.<dataset>; invalid records go to quarantine.<dataset>; prints read/accepted/quarantined/skipped counts per file',
    )
    .argument(
      '<dataset>',
      'trades, quotes, bars, sentiment_posts, symbol_refs, corporate_actions or index_changes',
    )
    .argument('<file...>', 'input files (.gz is decompressed)')
    .requiredOption(
      '--format <fmt>',
      'csv, jsonl, parquet (contract shape or --map), alpaca, binance-trades, binance-aggtrades (CSV or REST JSON), binance-klines, algoseek, algoseek-bars, polygon-trades (CSV or REST JSON), reddit, stocktwits, headlines',
    )
    .option('--force', 're-ingest a file whose content was already ingested')
    .option(
      '--map <pairs>',
      "field=column,... (1-based positions with --no-header; field='CONST' for a constant; field=A|B takes the first column the header has)",
    )
    .option('--map-file <file>', 'mapping file: one field=column per line')
    .option('--no-header', 'the CSV has no header line: --map uses 1-based positions')
    .option('--delimiter <char>', 'CSV delimiter (default ,; \\t for tab)')
    .option('--time-unit <unit>', 'event time unit: iso, s, ms, us, ns, ms-or-us, ms-of-day')
    .option(
      '--time-zone <zone>',
      'IANA zone of naive times (default UTC); around a DST change a repeated wall time is its first occurrence, a skipped one takes the offset before',
    )
    .option('--price-scale <n>', 'divide prices by n (e.g. 10000 for 1/10,000 dollars)')
    .option(
      '--list-separator <text>',
      'separator of the items of a list cell such as conditions (default: a space)',
    )
    .option('--symbol <symbol>', 'constant symbol for every record (Polygon v3 REST carries none)')
    .option(
      '--snapshot <kind>',
      'symbol_refs: full (the file lists every symbol of its source on valid_from; a symbol it leaves out is closed on that date) or changes (default: only what changed)',
    )
    .option(
      '--engine <engine>',
      'auto (SQL in DuckDB for line-safe files and quoted CSVs it reads exactly: its own JSON/CSV reader when every record is valid, line by line otherwise; per record otherwise), sql, or js (per record with zod)',
    )
    .action(action(async () => (await import('./commands/ingest.js')).ingestCommand));

  simulationOptions(
    program
      .command('simulate')
      .description(
        'market simulator: write simulated trades, quotes, posts and symbol references as JSON Lines files (in bounded memory), or serve a live Alpaca-protocol WebSocket feed (--ws)',
      ),
  )
    .option('--out <dir>', 'output folder', 'simulated')
    .option(
      '--ws <port>',
      'instead of files: serve the market live on ws://127.0.0.1:<port> with the Alpaca market-data v2 protocol (0 = a free port)',
      int('--ws'),
    )
    .option('--rate <n>', '--ws: trades per second, all symbols (1..200000)', int('--rate'), 1000)
    .option('--speed <x>', '--ws: market seconds per wall second', Number, 1)
    .option('--key <key>', '--ws: the API key clients must send', 'sim')
    .option('--secret <secret>', '--ws: the API secret clients must send', 'sim')
    .option('--max-trades <n>', '--ws: stop the market after this many trades', int('--max-trades'))
    .option(
      '--anomaly <kind:symbol:minute>',
      '--ws: inject an anomaly (price_move, volume_burst or high_low_swing) in the given whole minute after the start, e.g. price_move:AAPL:12 (repeatable)',
      collect,
    )
    .option(
      '--late-share <x>',
      '--ws: share of trades sent out of order (late by up to --late-ms)',
      fraction,
      0,
    )
    .option(
      '--late-ms <n>',
      '--ws: how late an out-of-order trade is, at most (event-time ms)',
      int('--late-ms'),
      2000,
    )
    .option(
      '--start-at <iso>',
      '--ws: event time of the first tick (default: when the first client subscribes)',
    )
    .action(action(async () => (await import('./commands/simulate.js')).simulateCommand));

  program
    .command('stream')
    .description(
      'live feed to bronze micro-batches: validate every message by the contracts, commit every --flush-ms or --max-records (one commit per dataset per flush), live 1-minute bars and alerts; reconnects and records gaps',
    )
    .option('--source <name>', 'feed: alpaca or binance')
    .option('--url <url>', "feed URL (default: the vendor's; e.g. a simulator at ws://127.0.0.1:8080)")
    .option('--symbols <list>', 'comma-separated symbols (alpaca: default *, binance: default btcusdt)')
    .option('--channels <list>', 'binance: trade, aggTrade or both (default trade)')
    .option('--flush-ms <n>', 'flush a micro-batch every N ms', int('--flush-ms'), 1000)
    .option('--max-records <n>', '... or at N records, whichever comes first', int('--max-records'), 50000)
    .option(
      '--lateness-ms <n>',
      'allowed lateness of a tick for the live windows',
      int('--lateness-ms'),
      5000,
    )
    .option('--to <target>', 'redis: append raw messages to a Redis Stream instead of committing (connector)')
    .option('--from <target>', 'redis: commit from the Redis Stream as one of a consumer group (committer)')
    .option('--stream-key <name>', 'Redis Stream name (default <prefix>:stream:<source>)')
    .option(
      '--maxlen <n>',
      '--to redis: keep about this many entries (XADD MAXLEN ~)',
      int('--maxlen'),
      1000000,
    )
    .option('--consumer <name>', "--from redis: this committer's name in the group (default host-pid)")
    .option('--gaps', 'list the recorded gaps of live feeds and exit')
    .option(
      '--refresh-ms <n>',
      'rebuild the models downstream of bronze (silver.trades … gold.fact_bars, incrementally) at most every N ms after commits; 0 = off',
      int('--refresh-ms'),
      5000,
    )
    .addOption(metricsPortOption())
    .option('--no-metrics', 'no metrics/health endpoints')
    .action(action(async () => (await import('./commands/stream.js')).streamCommand));

  program
    .command('run')
    .description(
      'build silver and gold models in dependency order, incrementally: only partitions whose inputs changed since the last run are recomputed',
    )
    .option(
      '--select <selectors>',
      "models to build: 'gold.fact_bars', '+gold.fact_bars' (with upstream), 'silver.trades+' (with downstream); comma-separated or repeated",
      collect,
    )
    .option('--from <date>', 'first partition (YYYY-MM-DD) to rebuild')
    .option('--to <date>', 'last partition (YYYY-MM-DD) to rebuild')
    .option('--full-refresh', 'rebuild every partition (within --from/--to when given), changed or not')
    .option(
      '--queue',
      'run on BullMQ workers (REDIS_URL) and wait, printing progress; same summary and exit code',
    )
    .option('--detach', 'with --queue: print the run id and return at once')
    .option(
      '--pipeline <name>',
      'with --queue: models, daily (ingest sources + models + checks + serve) or maintenance',
      'models',
    )
    .option('--config <file>', 'project configuration (env MARKETLAKE_CONFIG, default ./marketlake.yaml)')
    .option('--dry-run', 'print the plan (tasks, partitions, order) and do nothing')
    .action(action(async () => (await import('./commands/run.js')).runCommand));

  program
    .command('backfill')
    .description(
      "backfill a date range from files by a date pattern or a vendor's history over HTTP (alpaca, polygon, binance): plan, fetch/ingest what is not done yet (resumable), rebuild the models of the days that changed",
    )
    .requiredOption('--from <date>', 'first day (YYYY-MM-DD, UTC)', date)
    .requiredOption('--to <date>', 'last day (YYYY-MM-DD, UTC)', date)
    .option(
      '--files <pattern...>',
      "a date pattern, e.g. 'data/{YYYYMMDD}_*_Trade_Tick.csv.gz' ({YYYY} {MM} {DD} {YYYY-MM-DD} {YYYYMMDD}; * and ? in the file name only), or plain files to ingest before rebuilding the range",
    )
    .option('--dataset <name>', 'dataset: of --files; with --source trades or bars (default trades)')
    .option('--format <fmt>', 'format of --files')
    .option(
      '--source <vendor>',
      'fetch history over HTTP from alpaca, polygon or binance (keys and URLs from the environment)',
    )
    .option('--symbols <list>', 'with --source: symbols, comma-separated')
    .option('--interval <i>', 'with --dataset bars: 1m, 5m, 15m, 1h or 1d (default 1d; binance 1m)')
    .option('--feed <feed>', 'alpaca feed (iex, sip, ...; default iex)')
    .option(
      '--rpm <n>',
      'requests per minute to the vendor (default per vendor, or BACKFILL_RPM_<VENDOR>)',
      int('--rpm'),
    )
    .option('--concurrency <n>', 'parallel downloads (default 4)', int('--concurrency'))
    .option(
      '--dry-run',
      'print the plan (each day and symbol, what will happen and why, models, estimate) and stop',
    )
    .option('--force', 'redo work already finished (batches already in bronze stay single)')
    .option('--strict', 'a day without a file is an error')
    .option(
      '--gaps',
      'fill the gaps the stream worker recorded (ml_stream_gaps) that overlap --from..--to, each for exactly its time range; marks them filled',
    )
    .option('--no-rebuild', 'do not rebuild the models afterwards')
    .option(
      '--queue',
      'on BullMQ workers (REDIS_URL): a task per day (fetch/ingest), then the models; in process otherwise',
    )
    .option('--detach', 'with --queue: print the run id and return at once')
    .action(action(async () => (await import('./commands/backfill.js')).backfillCommand));
  program
    .command('schedule')
    .description(
      'register the schedules of marketlake.yaml as BullMQ job schedulers (idempotent) and list them with next run times',
    )
    .option('--list', 'only list the registered schedules')
    .option('--config <file>', 'project configuration (env MARKETLAKE_CONFIG, default ./marketlake.yaml)')
    .option(
      '--watch',
      'keep running as the scheduler service: re-apply the schedules every --every-seconds and serve /metrics, /healthz, /readyz until SIGTERM',
    )
    .option(
      '--every-seconds <n>',
      'with --watch: how often to re-apply the schedules (at least 5)',
      int('--every-seconds'),
      60,
    )
    .addOption(metricsPortOption())
    .option('--no-metrics', 'with --watch: no metrics/health endpoints')
    .action(action(async () => (await import('./commands/schedule.js')).scheduleCommand));
  program
    .command('worker')
    .description(
      'process queued runs and their tasks on BullMQ (REDIS_URL) until SIGTERM; catches up missed schedule ticks',
    )
    .option('--concurrency <n>', 'tasks processed at once', int('--concurrency'), 2)
    .option('--config <file>', 'project configuration (env MARKETLAKE_CONFIG, default ./marketlake.yaml)')
    .option('--no-catch-up', 'do not queue runs for schedule ticks missed while no worker ran')
    .option(
      '--grace-seconds <n>',
      'on SIGTERM, wait this long for running tasks before handing them back',
      int('--grace-seconds'),
      30,
    )
    .addOption(metricsPortOption())
    .option('--no-metrics', 'no metrics/health endpoints')
    .option(
      '--queue-board',
      'also serve the BullMQ board of the run and task queues at /queues on the metrics port (read-only)',
    )
    .option('--queue-admin', 'with --queue-board: allow retrying, promoting and removing jobs')
    .action(action(async () => (await import('./commands/worker.js')).workerCommand));

  program
    .command('query')
    .description('run SQL over every layer (bronze.*, silver.*, gold.*, quarantine.*) and print the result')
    .argument('<sql>', 'a SQL statement')
    .addOption(
      new Option('--format <fmt>', 'output format')
        .choices(['table', 'csv', 'json', 'parquet'])
        .default('table'),
    )
    .option('--out <file>', 'write the result to this file (any --format), never into the lake')
    .option('--as-of <snapshot>', 'time travel: a catalog snapshot id (see `snapshots`) or a timestamp')
    .action(action(async () => (await import('./commands/query.js')).queryCommand));

  program
    .command('sql')
    .description('interactive SQL shell over the lake')
    .action(action(async () => (await import('./commands/sql-shell.js')).sqlShellCommand));

  program
    .command('tables')
    .description('list tables: layer, partitions, files, rows, bytes, current snapshot, last commit')
    .action(action(async () => (await import('./commands/tables.js')).tablesCommand));

  program
    .command('snapshots')
    .description('snapshot history of one table')
    .argument('<table>', 'e.g. gold.fact_bars')
    .action(action(async () => (await import('./commands/tables.js')).snapshotsCommand));

  program
    .command('models')
    .description(
      'list models with key, partitioning, incremental strategy, the tables their SQL reads, and upstream/downstream models (--json adds grain, columns and descriptions)',
    )
    .action(action(async () => (await import('./commands/models.js')).modelsCommand));

  program
    .command('contracts')
    .description('list data contracts')
    .option('--json-schema', 'print the JSON Schema of every contract version')
    .action(action(async () => (await import('./commands/contracts.js')).contractsCommand));

  program
    .command('runs')
    .description('run history; with a run id, that run and its tasks')
    .argument('[run-id]')
    .action(action(async () => (await import('./commands/runs.js')).runsCommand));

  program
    .command('dq')
    .description(
      'run the data-quality checks of every model and bronze dataset (or --select), store each result in the catalog, save the report under <lake>/_reports and print it; exits 0 when all passed or only warned, 1 if an error-severity check fails, 2 if a check could not run',
    )
    .addOption(new Option('--format <fmt>', 'report format').choices(['md', 'html', 'json']).default('md'))
    .option(
      '--select <tables...>',
      'only these models (dbt-style selectors: model, +model, model+) and bronze.<dataset> tables',
    )
    .option('--from <date>', 'first partition checked (YYYY-MM-DD)')
    .option('--to <date>', 'last partition checked (YYYY-MM-DD); freshness is judged against its end')
    .option(
      '--history <check>',
      "print a check's results over the last runs (<check> or <layer>.<table>.<check>) instead of running",
    )
    .option('--runs <n>', 'runs shown by --history', int('--runs'), 20)
    .action(action(async () => (await import('./commands/dq.js')).dqCommand));

  program
    .command('serve')
    .description(
      'load gold tables into PostgreSQL (DATABASE_URL) or the embedded PGlite under the lake: all tables in one transaction, only what changed since the last serve',
    )
    .option(
      '--target <url...>',
      'serve to these PostgreSQL URLs instead of DATABASE_URL (one transaction each)',
    )
    .option('--full', 'reload every table in full, even those unchanged since the last serve')
    .option('--skip <table...>', 'keep these gold tables at the version served before')
    .action(action(async () => (await import('./commands/serve.js')).serveCommand));

  program
    .command('ui')
    .description(
      'serve the web dashboard and the REST/live API (/api/v1) on one port: gold from PostgreSQL when DATABASE_URL is set, else from the lake (read-only); live events from Redis when REDIS_URL is set, else by polling the lake',
    )
    .option('--port <n>', 'port to listen on', int('--port'), 8080)
    .option('--host <addr>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .addOption(metricsPortOption())
    .option('--no-metrics', 'no metrics/health endpoints')
    .option('--queue-admin', 'with REDIS_URL: the queue board at /queues may retry, promote and remove jobs')
    .action(action(async () => (await import('./commands/ui.js')).uiCommand));

  program
    .command('vacuum')
    .description(
      'expire old snapshots and remove data files no snapshot references (crashed writers, expired snapshots)',
    )
    .option(
      '--older-than <duration>',
      'only remove unreferenced files older than this (a writer may be committing)',
      '1h',
    )
    .option('--retain <duration>', 'keep snapshots (time travel) for this long', '7d')
    .action(action(async () => (await import('./commands/maintenance.js')).vacuumCommand));
  program
    .command('compact')
    .description('merge small files of each partition into one, without changing query results')
    .argument('[table...]', 'tables to compact, e.g. bronze.trades (default: all)')
    .option('--min-files <n>', 'compact partitions with at least this many files', int('--min-files'), 2)
    .action(action(async () => (await import('./commands/maintenance.js')).compactCommand));

  const sentiment = program
    .command('sentiment')
    .description('the finance sentiment classifier: train it into the lake, list trained versions');
  sentiment
    .command('train')
    .description(
      'train the finance sentiment classifier (TF-IDF + logistic regression) on the labelled sets, print accuracy, macro-F1 and confusion matrices beside VADER on held-out rows, store the model in the lake (_ml/sentiment/)',
    )
    .option('--data <dir>', 'labelled data folder', '../shared/data/social-sentiment')
    .option(
      '--seed <n>',
      'seed of the training order: the same seed gives the same weights',
      int('--seed'),
      42,
    )
    .option('--epochs <n>', 'passes over the training rows', int('--epochs'))
    .option(
      '--sample-percent <n>',
      'train on this share of the training rows (by hash of the text)',
      int('--sample-percent'),
    )
    .option('--no-save', 'evaluate only; do not store the model')
    .action(action(async () => (await import('./commands/sentiment.js')).sentimentTrainCommand));
  sentiment
    .command('list')
    .description('finance sentiment models trained into this lake, with their held-out macro-F1')
    .action(action(async () => (await import('./commands/sentiment.js')).sentimentListCommand));

  program
    .command('forecast')
    .description('volatility forecasts (gold.fact_vol_forecast is built by `run`)')
    .command('backtest')
    .description(
      'out-of-sample QLIKE and RMSE of EWMA, HAR-RV, HAR-RV + sentiment and HAR-RV fitted on the same rows as HAR-RV + sentiment (the control of the headline Diebold-Mariano test) against a random walk on StockNet and AlgoSeek daily data; writes a Markdown/HTML report with a chart to <lake>/_reports',
    )
    .option(
      '--stocknet <dir>',
      'StockNet folder (prices + tweets)',
      '../shared/data/social-sentiment/stocknet',
    )
    .option(
      '--algoseek <dir>',
      'AlgoSeek daily bars folder',
      '../shared/data/us-equity-ticks-algoseek/daily_bars',
    )
    .option('--datasets <list>', 'stocknet, algoseek or both', 'stocknet,algoseek')
    .addOption(
      new Option('--scorer <name>', 'sentiment scorer for the tweets')
        .choices(['finance', 'vader'])
        .default('finance'),
    )
    .option('--model-version <version>', 'finance model version (latest or lr-…)', 'latest')
    .option(
      '--max-symbols <n>',
      'only the first n symbols of each dataset (quick runs)',
      int('--max-symbols'),
    )
    .option('--out <dir>', 'also write the report files into this folder')
    .action(action(async () => (await import('./commands/forecast.js')).forecastBacktestCommand));

  return program;
}

async function main(): Promise<void> {
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (err) {
    const { MarketlakeError } = await import('../layers/errors.js');
    const message = err instanceof Error ? err.message : String(err);
    // Our own messages may list several problems, one per line; a library's (DuckDB's) first line says it.
    let shown = err instanceof MarketlakeError ? message : (message.split('\n')[0] ?? '');
    // A full disk, said the same way whichever library hit it (DuckDB writes no errno).
    if (/No space left on device/i.test(shown) && !shown.includes('ENOSPC'))
      shown += ' (ENOSPC: the disk is full)';
    process.stderr.write(`marketlake: ${shown}\n`);
    if (process.env.LOG_LEVEL === 'debug' && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    const usage = err instanceof MarketlakeError && ['USAGE', 'CONFIG', 'NOT_IMPLEMENTED'].includes(err.code);
    process.exitCode = usage ? 2 : 1;
  }
}

await main();
