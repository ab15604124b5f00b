/**
 * SIGKILL at seeded random points of every step that writes (ingest, the model run, compaction,
 * vacuum, serving), and at the named crash points (MARKETLAKE_CRASH_AT), then a rerun: the lake must
 * end exactly as a clean run left it (silver/gold checksums, bronze/quarantine row for row), with
 * no orphan files after vacuum, and the served tables complete.
 *
 * How: a clean reference run of the whole sequence measures each step and keeps a copy of the lake
 * before each step. A kill point restores the copy before its step, runs the step with SIGKILL
 * after a delay drawn within the step's clean duration, then reruns the sequence (full form: from
 * the first step; small form: from the killed step, serving only when serving was killed).
 * All lakes share one PGlite serving folder (its first open costs seconds).
 */
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFigures } from './figures.js';
import {
  type CliResult,
  cli,
  compiledLayers,
  expectOk,
  goldChecksums,
  type InputFile,
  orphanFiles,
  type RowMultiset,
  reconcile,
  rng,
  rowMultiset,
  SMALL,
  scanTreeForSecrets,
  simulateInputs,
  spawnCli,
  suiteSeed,
  tail,
  takeLinesScanned,
  tempRoot,
} from './harness.js';

type Kind = 'ingest' | 'run' | 'compact' | 'vacuum' | 'serve';

interface Step {
  kind: Kind;
  name: string;
  args: string[];
}

interface KillPoint {
  step: string;
  /** Random kill: the delay as a fraction of the step's clean duration. */
  fraction?: number;
  /** Deterministic kill: the named crash point (MARKETLAKE_CRASH_AT). */
  crashAt?: string;
}

const SEED = suiteSeed();
// Small form: trades and symbols only (the sentiment and quote models run, on empty inputs).
const DATASETS: InputFile['dataset'][] = SMALL
  ? ['symbol_refs', 'trades']
  : ['symbol_refs', 'trades', 'quotes', 'sentiment_posts'];
/** Random kill points per step kind (full form: 32 in all; small: 8). */
/** Random kill points per step kind (full form: 32 in all; small: one per kind). */
const RANDOM_KILLS: Record<Kind, number> = SMALL
  ? { ingest: 1, run: 1, compact: 1, vacuum: 1, serve: 1 }
  : { ingest: 8, run: 8, compact: 5, vacuum: 5, serve: 6 };
/** Named crash points (MARKETLAKE_CRASH_AT): the windows a random kill rarely hits. */
const CRASH_POINTS: [string, string][] = SMALL
  ? [
      ['compact', 'compact-after-first-partition'],
      ['vacuum', 'vacuum-after-expire'],
      ['serve', 'serve-in-transaction'],
    ]
  : [
      ['ingest:trades', 'after-staging'],
      ['ingest:trades', 'after-first-upload'],
      ['ingest:trades', 'before-commit'],
      ['ingest:trades', 'catalog-in-transaction'],
      ['run', 'after-staging'],
      ['run', 'catalog-in-transaction'],
      ['compact', 'compact-after-first-partition'],
      ['compact', 'catalog-in-transaction'],
      ['vacuum', 'vacuum-after-expire'],
      ['vacuum', 'vacuum-after-first-delete'],
      ['serve', 'serve-after-first-table'],
      ['serve', 'serve-in-transaction'],
    ];

// The plan is drawn at collection time (step and fraction); delays come from measured durations.
const random = rng(SEED);
const STEP_NAMES = [...DATASETS.map((d) => `ingest:${d}`), 'run', 'compact', 'vacuum', 'serve'];
const plan: KillPoint[] = [];
for (const kind of ['ingest', 'run', 'compact', 'vacuum', 'serve'] as Kind[]) {
  for (let i = 0; i < RANDOM_KILLS[kind]; i++) {
    // Small form: ingest kills hit the trades ingest (several files: some may be committed).
    const ingests = STEP_NAMES.filter((s) => s.startsWith('ingest:'));
    const step = kind !== 'ingest' ? kind : SMALL ? 'ingest:trades' : random.pick(ingests);
    plan.push({ step, fraction: random.between(0.1, 0.95) });
  }
}
for (const [step, crashAt] of CRASH_POINTS) plan.push({ step, crashAt });
// Serving kill points last, together: the serving folder is emptied before each and checked after.
plan.sort((a, b) => Number(a.step === 'serve') - Number(b.step === 'serve'));

const GOLD_TABLES = [
  'dim_symbol',
  'dim_date',
  'fact_bars',
  'fact_daily_market',
  'fact_daily_sentiment',
  'fact_sentiment_volatility',
  'fact_alerts',
];

interface ServedState {
  counts: Record<string, number>;
  tradeCount: string;
}

async function withPglite<T>(dir: string, fn: (db: import('@electric-sql/pglite').PGlite) => Promise<T>) {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(dir);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** Row counts of the served gold tables (and fact_bars' trade count); then empty them if asked. */
function readServed(dir: string, thenEmpty: boolean): Promise<ServedState> {
  return withPglite(dir, async (db) => {
    const counts: Record<string, number> = {};
    for (const t of GOLD_TABLES) {
      const r = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM gold.${t}`);
      counts[t] = r.rows[0]?.n ?? -1;
    }
    const tc = await db.query<{ s: string }>(
      'SELECT coalesce(sum(trade_count), 0)::text AS s FROM gold.fact_bars',
    );
    if (thenEmpty) for (const t of GOLD_TABLES) await db.exec(`DELETE FROM gold.${t}`);
    return { counts, tradeCount: tc.rows[0]?.s ?? '' };
  });
}

/** The same figures from the lake's gold tables. */
async function lakeServedState(lakeDir: string): Promise<ServedState> {
  const { openLake, LakeSession } = await compiledLayers();
  const lake = openLake({ lakeUrl: lakeDir });
  const session = await LakeSession.open(lake, { threads: 1 });
  try {
    const counts: Record<string, number> = {};
    for (const t of GOLD_TABLES) {
      const [r] = await session.all<{ n: string | number }>(`SELECT count(*) AS n FROM gold.${t}`);
      counts[t] = Number(r?.n);
    }
    const [tc] = await session.all<{ s: string }>(
      'SELECT coalesce(sum(trade_count), 0)::VARCHAR AS s FROM gold.fact_bars',
    );
    return { counts, tradeCount: tc?.s ?? '' };
  } finally {
    session.close();
    await lake.close();
  }
}

interface IngestResult {
  file: string;
  read: number;
  accepted: number;
  quarantined: number;
  skipped?: number;
  duplicateBatch: boolean;
}

function ingestResults(r: CliResult): IngestResult[] {
  const parsed = JSON.parse(r.stdout) as IngestResult[] | { results: IngestResult[] };
  return Array.isArray(parsed) ? parsed : parsed.results;
}

/** Model tasks on BullMQ workers killed mid-run (full form; the Redis fault file covers the small one). */
const WORKER_KILLS = SMALL ? 0 : 4;
const workerFractions = Array.from({ length: WORKER_KILLS }, () => random.between(0.15, 0.8));
const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Short locks and stalled-job checks: a killed worker's task moves to the other within seconds. */
const FAST_QUEUE = {
  MARKETLAKE_WORKER_LOCK_MS: '4000',
  MARKETLAKE_STALLED_INTERVAL_MS: '2000',
  MARKETLAKE_TASK_LOCK_MS: '4000',
  MARKETLAKE_RETRY_BACKOFF_MS: '300',
  MARKETLAKE_RECOVER_EVERY_MS: '5000',
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Kill points run at once (FAULTS_PARALLEL, default 2); serving ones always alone. */
const PARALLEL = Math.max(1, Number(process.env.FAULTS_PARALLEL ?? 2) || 1);

/** Run at most `n` of the functions given at a time. */
function limiter(n: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    while (active >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await fn();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}
const slots = limiter(PARALLEL);
/** One `serve` at a time: every lake serves into the same PGlite folder. */
const serving = limiter(1);

async function until<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  ms: number,
  what: string,
) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

async function runState(lakeDir: string, runId: string) {
  const { openLake } = await compiledLayers();
  const lake = openLake({ lakeUrl: lakeDir });
  try {
    return await lake.runs.getRun(runId);
  } finally {
    await lake.close();
  }
}

/** Remove the BullMQ keys of a kill point's queue prefix from the shared Redis. */
async function dropQueueKeys(prefix: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(REDIS, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

describe(`SIGKILL at seeded points, then rerun (seed ${SEED}, ${SMALL ? 'small' : 'full'} form)`, () => {
  const root = tempRoot('kill-points');
  const servingDir = join(root.dir, 'serving');
  let inputs: InputFile[] = [];
  let steps: Step[] = [];
  const states = new Map<string, string>();
  const durations = new Map<string, number>();
  let reference: Record<string, string> = {};
  let referenceRows: RowMultiset = {};
  let referenceServed: ServedState;
  const totals = { killPoints: 0, recordsChecked: 0, recordsLost: 0, recordsDoubled: 0, missed: 0 };
  /** The served tables were emptied since the last serve (so a serving kill point proves its rerun). */
  let servingEmptied = false;
  const started = performance.now();

  const withLake = (lake: string, args: string[]) => ['--lake', lake, ...args];
  const env = { DUCKDB_THREADS: '1' };

  /** A lake folder whose `_serving` is the shared PGlite folder. */
  const newLake = (dir: string, from?: string) => {
    const lake = join(dir, 'lake');
    if (from) cpSync(from, lake, { recursive: true });
    else mkdirSync(lake, { recursive: true });
    symlinkSync(servingDir, join(lake, '_serving'));
    return lake;
  };

  beforeAll(async () => {
    mkdirSync(servingDir, { recursive: true });
    // Create the PGlite folder first (initdb takes seconds), so the reference serve measures a load.
    await withPglite(join(servingDir, 'pglite'), async () => undefined);
    inputs = await simulateInputs(root.dir, {
      days: SMALL ? 2 : 3,
      tradesPerDay: SMALL ? 150 : 400,
      quotesPerDay: 60,
      postsPerDay: 5,
      seed: SEED % 100_000,
      datasets: DATASETS,
    });
    steps = [
      ...DATASETS.map((dataset) => ({
        kind: 'ingest' as const,
        name: `ingest:${dataset}`,
        args: [
          'ingest',
          dataset,
          ...inputs.filter((i) => i.dataset === dataset).map((i) => i.path),
          '--format',
          'jsonl',
          '--json',
        ],
      })),
      { kind: 'run', name: 'run', args: ['run', '--json'] },
      { kind: 'compact', name: 'compact', args: ['compact', '--json'] },
      { kind: 'vacuum', name: 'vacuum', args: ['vacuum', '--older-than', '0', '--retain', '0', '--json'] },
      { kind: 'serve', name: 'serve', args: ['serve', '--json'] },
    ];
    // The clean reference run: time each step, keep the lake as it was before each.
    const lake = newLake(join(root.dir, 'reference'));
    const skipped: Record<string, number> = {};
    for (const step of steps) {
      const state = join(root.dir, 'states', step.name);
      cpSync(lake, state, { recursive: true, filter: (src) => !src.endsWith('/_serving') });
      states.set(step.name, state);
      const r = expectOk(await cli(withLake(lake, step.args), env));
      durations.set(step.name, r.ms);
      if (step.kind === 'ingest') {
        for (const res of ingestResults(r)) {
          expect(res.read, `${res.file}: read = accepted + quarantined + skipped`).toBe(
            res.accepted + res.quarantined + (res.skipped ?? 0),
          );
          const dataset = step.name.slice('ingest:'.length);
          skipped[dataset] = (skipped[dataset] ?? 0) + (res.skipped ?? 0);
        }
      }
    }
    console.log(
      `kill points: clean run of ${inputs.length} files (${inputs.reduce((n, i) => n + i.records, 0)} records): ${steps
        .map((s) => `${s.name} ${durations.get(s.name)} ms`)
        .join(', ')}`,
    );
    reference = await goldChecksums(lake);
    referenceRows = await rowMultiset(lake, DATASETS);
    const check = await reconcile(lake, inputs, undefined, skipped);
    expect(check.problems).toEqual([]);
    expect(await orphanFiles(lake)).toEqual([]);
    expect(Object.keys(reference).length).toBeGreaterThan(5);
    referenceServed = await lakeServedState(lake);
    // The reference serve loaded everything; then empty the served tables for the serving kills.
    expect(await readServed(join(servingDir, 'pglite'), true)).toEqual(referenceServed);
    servingEmptied = true;
  });

  afterAll(() => {
    const linesScanned = takeLinesScanned();
    recordFigures('SIGKILL ingest/run/compact/vacuum/serve at seeded points, then rerun', {
      killPoints: totals.killPoints,
      recordsChecked: totals.recordsChecked,
      recordsLost: totals.recordsLost,
      recordsDoubled: totals.recordsDoubled,
      linesScanned,
    });
    console.log(
      `kill points: ${totals.killPoints} kills survived (${totals.missed} draws ended before the kill), ${linesScanned} lines scanned, ${Math.round((performance.now() - started) / 1000)} s`,
    );
    root.cleanup();
  });

  for (const [n, point] of plan.entries()) {
    const label = point.crashAt
      ? `#${n + 1} ${point.step}: MARKETLAKE_CRASH_AT=${point.crashAt}`
      : `#${n + 1} ${point.step}: SIGKILL at ${Math.round(point.fraction! * 100)}% of its clean duration`;
    // Kill points on their own lakes run two at a time (the machine has two cores; each process
    // mostly uses one); serving kill points share the PGlite folder and run one after another.
    const alone = point.step === 'serve' || PARALLEL < 2;
    (alone ? it : it.concurrent)(label, ({ expect }) =>
      slots(async () => {
        const stepIndex = steps.findIndex((s) => s.name === point.step);
        const step = steps[stepIndex]!;
        if (step.kind === 'serve' && !servingEmptied) await readServed(join(servingDir, 'pglite'), true);
        const dir = join(root.dir, `kp${n + 1}`);
        let lake = '';
        let killed: CliResult | undefined;
        // A random delay can outlast the step (a quick run on a quiet machine): halve it and retry.
        let fraction = point.fraction ?? 0;
        for (let attempt = 0; attempt < 4; attempt++) {
          rmSync(dir, { recursive: true, force: true });
          lake = newLake(dir, states.get(step.name));
          const delay = Math.round(fraction * durations.get(step.name)!);
          killed = await cli(
            withLake(lake, step.args),
            point.crashAt ? { ...env, MARKETLAKE_CRASH_AT: point.crashAt } : env,
            point.crashAt ? {} : { killAfterMs: delay },
          );
          if (killed.signal === 'SIGKILL' || point.crashAt) break;
          expectOk(killed);
          totals.missed += 1;
          fraction /= 2;
        }
        expect(killed?.signal, `the ${step.name} process was killed:\n${tail(killed!)}`).toBe('SIGKILL');
        totals.killPoints += 1;

        // Rerun: the whole sequence (small form: from the killed step; serving only if it was killed).
        const rerun = SMALL ? steps.slice(stepIndex) : steps;
        for (const s of rerun) {
          if (SMALL && s.kind === 'serve' && step.kind !== 'serve') continue;
          const args = withLake(lake, s.args);
          const r = expectOk(await (s.kind === 'serve' ? serving(() => cli(args, env)) : cli(args, env)));
          if (s.kind === 'serve') servingEmptied = false;
          if (s.kind === 'ingest') {
            for (const res of ingestResults(r)) {
              if (res.duplicateBatch) continue;
              expect(res.read, `${res.file}: read = accepted + quarantined + skipped`).toBe(
                res.accepted + res.quarantined + (res.skipped ?? 0),
              );
            }
          }
        }

        // The lake equals the clean run's: models, bronze and quarantine, no orphans.
        expect(await goldChecksums(lake)).toEqual(reference);
        const check = await reconcile(lake, inputs, referenceRows);
        totals.recordsChecked += check.read;
        totals.recordsLost += check.lost;
        totals.recordsDoubled += check.doubled;
        expect(check.problems).toEqual([]);
        expect(await orphanFiles(lake)).toEqual([]);
        scanTreeForSecrets(lake);
        if (step.kind === 'serve') {
          // Emptied before this kill point; the rerun must have loaded every table completely.
          expect(await readServed(join(servingDir, 'pglite'), true)).toEqual(referenceServed);
          servingEmptied = true;
        }
        rmSync(dir, { recursive: true, force: true });
      }),
    );
  }

  // A model task on a BullMQ worker (full form): the worker is SIGKILLed while the queued run is
  // under way, a second worker takes the stalled task over, and the run ends as the clean run did.
  for (let k = 0; k < WORKER_KILLS; k++) {
    const fraction = workerFractions[k]!;
    it(`worker #${k + 1}: run --queue, the worker SIGKILLed at ${Math.round(fraction * 100)}% of the clean run's duration`, async () => {
      const dir = join(root.dir, `worker${k + 1}`);
      rmSync(dir, { recursive: true, force: true });
      const lake = newLake(dir, states.get('run'));
      const prefix = `mlfaults-kill-${process.pid}-${k}`;
      const qenv = { ...env, ...FAST_QUEUE, REDIS_URL: REDIS, QUEUE_PREFIX: prefix };
      const worker = () =>
        spawnCli(withLake(lake, ['worker', '--concurrency', '1', '--grace-seconds', '5']), qenv, {
          timeoutMs: 600_000,
        });
      const workers = [worker()];
      try {
        await until(() => workers[0]!.output().includes('worker started'), 120_000, 'the worker to start');
        const queued = expectOk(await cli(withLake(lake, ['run', '--queue', '--detach']), qenv));
        const runId = queued.stdout.trim().split('\n').pop()!;
        expect(runId).toMatch(/^run_/);
        await sleep(Math.round(fraction * durations.get('run')!));
        const before = await runState(lake, runId);
        workers[0]!.kill('SIGKILL');
        const killed = await workers[0]!.result;
        expect(killed.signal).toBe('SIGKILL');
        if (before?.run.status === 'running') totals.killPoints += 1;
        else totals.missed += 1;
        workers.push(worker());
        const finished = await until(
          async () => {
            const got = await runState(lake, runId);
            return got && got.run.status !== 'running' ? got : undefined;
          },
          300_000,
          'the queued run to finish on the second worker',
        );
        const failed = finished.tasks
          .filter((t) => t.status !== 'succeeded')
          .map((t) => `${t.task} ${t.status}`);
        expect(failed, workers.map((w) => w.output().slice(-2_000)).join('\n---\n')).toEqual([]);
        expect(finished.run.status).toBe('succeeded');
        // Then the rest of the sequence, as after any kill.
        for (const s of steps.filter((s) => s.kind === 'compact' || s.kind === 'vacuum'))
          expectOk(await cli(withLake(lake, s.args), env));
        expect(await goldChecksums(lake)).toEqual(reference);
        const check = await reconcile(lake, inputs, referenceRows);
        totals.recordsChecked += check.read;
        expect(check.problems).toEqual([]);
        expect(await orphanFiles(lake)).toEqual([]);
        scanTreeForSecrets(lake);
      } finally {
        for (const w of workers) w.kill('SIGTERM');
        await Promise.allSettled(workers.map((w) => w.result));
        await dropQueueKeys(prefix);
      }
      rmSync(dir, { recursive: true, force: true });
    });
  }

  it('plan covers every step kind', () => {
    const kinds = new Set(plan.map((p) => p.step.split(':')[0]));
    expect([...kinds].sort()).toEqual(['compact', 'ingest', 'run', 'serve', 'vacuum']);
    expect(plan.filter((p) => p.fraction !== undefined).length).toBe(SMALL ? 5 : 32);
    expect(plan.length + WORKER_KILLS).toBeGreaterThanOrEqual(SMALL ? 8 : 30);
    // Inputs are what they say: the reference read every record of every file.
    for (const i of inputs)
      expect(readFileSync(i.path, 'utf8').split('\n').filter(Boolean).length).toBe(i.records);
  });
});
