/**
 * Concurrency against one lake: 8 processes ingesting overlapping file sets at once, 20 `query`
 * processes during a `run` (each sees the table before the run's commit or after it, never a mix),
 * and two `run`s of the same models at once. Each case ends by comparing with a clean, sequential
 * run: bronze row for row, silver/gold by checksum.
 */
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/pg-database.js';
import { recordFigures } from './figures.js';
import {
  type CliResult,
  cli,
  expectOk,
  goldChecksums,
  type InputFile,
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
  withFakePassword,
} from './harness.js';

const SEED = suiteSeed();
const INGEST_PROCESSES = 8;
const QUERIES = 20;
const QUERY_WAVE = SMALL ? 4 : 5;
const env = { DUCKDB_THREADS: '1' };
/** The models every run builds (small form: fact_bars and what it reads, about half the DAG). */
const RUN = SMALL ? ['run', '--select', '+gold.fact_bars'] : ['run'];

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

const ingestArgs = (lake: string, dataset: string, files: readonly InputFile[]) => [
  '--lake',
  lake,
  'ingest',
  dataset,
  ...files.map((f) => f.path),
  '--format',
  'jsonl',
  '--json',
];

describe(`concurrency (seed ${SEED}, ${SMALL ? 'small' : 'full'} form)`, () => {
  const root = tempRoot('concurrency');
  let inputs: InputFile[] = [];
  let trades: InputFile[] = [];
  /** Held back from the reference lake, ingested before the run the queries watch. */
  let heldBack: InputFile;
  const referenceLake = join(root.dir, 'reference', 'lake');
  const preRun = join(root.dir, 'pre-run');
  let referenceGold: Record<string, string> = {};
  const figures = { faults: 0, recordsChecked: 0, recordsLost: 0, recordsDoubled: 0 };
  let cleanRows: RowMultiset | undefined;

  beforeAll(async () => {
    inputs = await simulateAll(root.dir);
    trades = inputs.filter((i) => i.dataset === 'trades');
    heldBack = [...trades].reverse().find((t) => t.records >= 50)!;
    // The clean reference: everything but the held-back file, ingested one process at a time.
    for (const dataset of ['symbol_refs', 'sentiment_posts', 'trades'] as const) {
      const files = inputs.filter((i) => i.dataset === dataset && i !== heldBack);
      expectOk(await cli(ingestArgs(referenceLake, dataset, files), env));
    }
    cpSync(referenceLake, preRun, { recursive: true });
    expectOk(await cli(['--lake', referenceLake, ...RUN], env));
    referenceGold = await goldChecksums(referenceLake);
    expect(Object.keys(referenceGold).length).toBeGreaterThan(5);
  });

  afterAll(() => {
    recordFigures('concurrency: 8 overlapping ingests, 20 queries during a run, two runs at once', {
      ...figures,
      linesScanned: takeLinesScanned(),
    });
    root.cleanup();
  });

  it('two runs of the same models at once: both succeed, gold equals a single clean run', async () => {
    const lake = join(root.dir, 'two-runs');
    cpSync(preRun, lake, { recursive: true });
    const runs = await Promise.all([
      cli(['--lake', lake, ...RUN, '--json'], env),
      cli(['--lake', lake, ...RUN, '--json'], env),
    ]);
    for (const r of runs) expectOk(r);
    expect(await goldChecksums(lake)).toEqual(referenceGold);
    figures.faults += 1;
  });

  it(`${QUERIES} queries during a run: all succeed, each sees the table before or after the run's commit`, async () => {
    const lake = referenceLake;
    const sql = 'SELECT count(*) AS n, sum(trade_count) AS tc, sum(volume) AS v FROM gold.fact_bars';
    const query = async () => {
      const r = expectOk(await cli(['--lake', lake, 'query', sql, '--format', 'json'], env));
      return JSON.stringify(JSON.parse(r.stdout));
    };
    expectOk(await cli(ingestArgs(lake, 'trades', [heldBack]), env));
    const before = await query();
    const started = performance.now();
    const run = spawnCli(['--lake', lake, ...RUN], env);
    // Waves spread over the run, so some queries land before its fact_bars commit and some after.
    const seen: { result: string; at: number }[] = [];
    const failures: string[] = [];
    const waves = Math.ceil(QUERIES / QUERY_WAVE);
    for (let w = 0; w < waves; w++) {
      const wave = Array.from({ length: Math.min(QUERY_WAVE, QUERIES - w * QUERY_WAVE) }, () =>
        query().then(
          (result) => seen.push({ result, at: Math.round(performance.now() - started) }),
          (err: Error) => failures.push(err.message),
        ),
      );
      await Promise.all(wave);
    }
    const runResult = await run.result;
    expectOk(runResult);
    const after = await query();
    expect(failures).toEqual([]);
    expect(seen).toHaveLength(QUERIES);
    expect(after).not.toBe(before);
    const mixed = seen.filter((s) => s.result !== before && s.result !== after);
    expect(mixed, `before ${before}\nafter ${after}`).toEqual([]);
    console.log(
      `queries during a run of ${runResult.ms} ms: ${seen.filter((s) => s.result === before).length} saw the table before, ${
        seen.filter((s) => s.result === after).length
      } after (last query at ${Math.max(...seen.map((s) => s.at))} ms)`,
    );
    figures.faults += 1;
  });

  for (const catalog of SMALL ? ['sqlite'] : ['sqlite', 'postgres']) {
    it(`${INGEST_PROCESSES} processes ingesting overlapping file sets (${catalog} catalog): bronze equals one clean ingest`, async () => {
      // Reference: every trades file through one process.
      const clean = join(root.dir, 'clean-ingest', 'lake');
      if (!cleanRows) {
        expectOk(await cli(ingestArgs(clean, 'trades', trades), env));
        cleanRows = await rowMultiset(clean, ['trades']);
      }
      // A PostgreSQL catalog in its own database; its URL carries a password the scanner looks for.
      const db = catalog === 'postgres' ? await createTestDatabase('ml_faults_concurrency') : undefined;
      try {
        const lakeEnv = db ? { ...env, CATALOG_URL: withFakePassword(db.url) } : env;
        // Process p takes files p, p+1 and p+3 (mod n), in a seeded order: each file in at least two.
        const order = rng(SEED + 1);
        const sets = Array.from({ length: INGEST_PROCESSES }, (_, p) =>
          order.shuffle([...new Set([p, p + 1, p + 3].map((k) => trades[k % trades.length]!))]),
        );
        for (const file of trades)
          expect(sets.filter((s) => s.includes(file)).length).toBeGreaterThanOrEqual(2);
        const lake = join(root.dir, `overlapping-${catalog}`, 'lake');
        mkdirSync(lake, { recursive: true });
        const results = await Promise.all(
          sets.map((files) => cli(ingestArgs(lake, 'trades', files), lakeEnv)),
        );
        for (const r of results) expect(r.code, tail(r)).toBe(0);

        // Per file: exactly one process committed it, the others report a duplicate.
        const reports = results.flatMap(ingestResults);
        for (const file of trades) {
          const mine = reports.filter((r) => r.file === file.path);
          const committed = mine.filter((r) => !r.duplicateBatch);
          expect(committed.length, `${file.path}: processes that committed it`).toBe(1);
          expect(committed[0]!.read).toBe(file.records);
          expect(committed[0]!.read).toBe(
            committed[0]!.accepted + committed[0]!.quarantined + (committed[0]!.skipped ?? 0),
          );
          expect(mine.length - 1).toBe(mine.filter((r) => r.duplicateBatch).length);
        }
        const location = db ? { lakeUrl: lake, catalogUrl: withFakePassword(db.url) } : lake;
        const check = await reconcile(location, trades, cleanRows);
        figures.recordsChecked += check.read;
        figures.recordsLost += check.lost;
        figures.recordsDoubled += check.doubled;
        expect(check.problems).toEqual([]);
        scanTreeForSecrets(lake);
        figures.faults += 1;
      } finally {
        await db?.drop();
      }
    });
  }
});

function simulateAll(dir: string): Promise<InputFile[]> {
  return simulateInputs(dir, {
    days: SMALL ? 4 : 6,
    tradesPerDay: SMALL ? 40 : 150,
    quotesPerDay: 1,
    postsPerDay: 3,
    seed: (SEED % 100_000) + 11,
    datasets: ['symbol_refs', 'trades', 'sentiment_posts'],
  });
}
