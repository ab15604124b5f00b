/**
 * Service faults (issue #12, part B): PostgreSQL restarted mid-serve and mid-commit of the
 * PostgreSQL catalog, the S3 server killed and restarted mid-upload, a full scratch disk. Each
 * case runs the real CLI against private services (never the shared PostgreSQL on 5432) and ends
 * by comparing the result with a clean run: silver/gold checksums per table, bronze and
 * quarantine row for row (records read = accepted + quarantined + skipped).
 *
 * Faults land at a known moment, not by timing luck: the test holds a PostgreSQL lock the command
 * must wait for (a gold table for serving, the catalog row of the table being committed), sees
 * the command waiting on it in pg_stat_activity, and restarts the server right then; S3 traffic
 * goes through a TCP proxy that kills s3rver in the middle of the first upload of a layer.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LakeConfig, LakeSession, Layer } from '../../layers/index.js';
import { recordFigures } from './figures.js';
import {
  type CliResult,
  cli,
  compiledLayers,
  expectOk,
  goldChecksums,
  type InputFile,
  LINEAGE_COLUMNS,
  lakeFingerprint,
  reconcile,
  SMALL,
  scanTreeForSecrets,
  simulateInputs,
  spawnCli,
  tail,
  takeLinesScanned,
  tempRoot,
  withFakePassword,
} from './harness.js';
import { type PostgresServer, startPostgresServer } from './postgres-server.js';
import { type FaultProxy, type S3Process, startFaultProxy, startS3Process } from './s3-process.js';

/** Small form: no quotes (each ingest costs a process start; trades and posts reach every gold table). */
const DATASETS: InputFile['dataset'][] = SMALL
  ? ['symbol_refs', 'trades', 'sentiment_posts']
  : ['symbol_refs', 'trades', 'quotes', 'sentiment_posts'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const root = tempRoot('service-faults');
let inputs: InputFile[] = [];
let refLake = '';
/** The clean run's bronze, quarantine, silver and gold, per table `rows:checksum`. */
let refSums: Record<string, string> = {};
const ALL_LAYERS: Layer[] = ['bronze', 'quarantine', 'silver', 'gold'];
let pgs: PostgresServer;

/** `ingest <dataset> <files…> --format jsonl --json` for every dataset, symbol references first. */
async function ingestAll(env: Record<string, string>, lake: string): Promise<CliResult[]> {
  const out: CliResult[] = [];
  for (const dataset of DATASETS) {
    const files = inputs.filter((i) => i.dataset === dataset).map((i) => i.path);
    out.push(await cli(['--lake', lake, 'ingest', dataset, ...files, '--format', 'jsonl', '--json'], env));
  }
  return out;
}

/** Records the ingest results account for: read and skipped per dataset (skipped absent = 0). */
function skippedOf(results: CliResult[]): Record<string, number> {
  const skipped: Record<string, number> = {};
  for (const r of results) {
    if (r.code !== 0 || !r.stdout.trim()) continue;
    const parsed = JSON.parse(r.stdout) as
      | Array<{ dataset: string; skipped?: number }>
      | { results: Array<{ dataset: string; skipped?: number }> };
    for (const f of Array.isArray(parsed) ? parsed : parsed.results)
      skipped[f.dataset] = (skipped[f.dataset] ?? 0) + (f.skipped ?? 0);
  }
  return skipped;
}

/** Per-table `rows:checksum` of a lake opened with any configuration (S3, PostgreSQL catalog). */
async function lakeSums(config: LakeConfig, layers: readonly Layer[]): Promise<Record<string, string>> {
  const { openLake, LakeSession, ident, qualifiedName } = await compiledLayers();
  const lake = openLake(config);
  try {
    const session: LakeSession = await LakeSession.open(lake, { threads: 1 });
    try {
      const out: Record<string, string> = {};
      for (const ref of await lake.catalog.listTables()) {
        if (!layers.includes(ref.layer)) continue;
        const table = qualifiedName(ref);
        const terms = (await session.describe(`SELECT * FROM ${table}`))
          .filter((c) => !LINEAGE_COLUMNS.has(c.name))
          .map((c) =>
            /^(DOUBLE|FLOAT|REAL)$/i.test(c.type) ? `printf('%.12g', ${ident(c.name)})` : ident(c.name),
          );
        const [row] = await session.all<{ n: string | number; h: string | null }>(
          `SELECT count(*) AS n, sum(hash(${terms.join(', ')})::HUGEINT)::VARCHAR AS h FROM ${table}`,
        );
        out[table] = `${Number(row?.n ?? 0)}:${row?.h ?? '0'}`;
      }
      return out;
    } finally {
      session.close();
    }
  } finally {
    await lake.close();
  }
}

/** A connection to the private server that ignores the server going away (it is restarted on purpose). */
async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Wait until a backend (other than `exceptPid`) of `database` waits on a lock; its pid. */
async function waitForLockWait(
  url: string,
  database: string,
  exceptPid: number,
  timeoutMs = 60_000,
): Promise<number> {
  const client = await connect(url);
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await client.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' AND pid <> $2`,
        [database, exceptPid],
      );
      if (rows[0]) return rows[0].pid;
      if (Date.now() > deadline) throw new Error(`nothing waited on a lock in ${database}`);
      await sleep(25);
    }
  } finally {
    await client.end().catch(() => {});
  }
}

beforeAll(async () => {
  inputs = await simulateInputs(root.dir, {
    days: SMALL ? 1 : 2,
    tradesPerDay: SMALL ? 150 : 2_000,
    postsPerDay: SMALL ? 4 : 20,
    datasets: DATASETS,
  });
  // The clean run every case is compared with.
  refLake = join(root.dir, 'reference');
  const results = await ingestAll({}, refLake);
  for (const r of results) expectOk(r);
  expectOk(await cli(['--lake', refLake, 'run'], {}));
  refSums = await lakeSums({ lakeUrl: refLake }, ALL_LAYERS);
  // The harness's checksum of silver and gold is the one lakeSums computes for any lake.
  const gold = await goldChecksums(refLake);
  for (const [t, sum] of Object.entries(gold)) expect(refSums[t]).toBe(sum);
  const rec = await reconcile(refLake, inputs, undefined, skippedOf(results));
  expect(rec.problems).toEqual([]);
  pgs = await startPostgresServer();
}, 600_000);

afterAll(async () => {
  await pgs?.destroy();
  root.cleanup();
});

describe('PostgreSQL restarted mid-serve', () => {
  it('serve retries, completes, and no reader ever sees a partial table', async () => {
    const refUrl = await pgs.createDatabase('serve_ref');
    const url = await pgs.createDatabase('serve_a');
    const env = (u: string) => ({ DATABASE_URL: withFakePassword(u), MARKETLAKE_RETRY_SECONDS: '60' });
    // Reference: a clean serve into its own database; the target is served once cleanly too, so
    // a reader sees complete tables from the start and must keep seeing them.
    const first = expectOk(await cli(['--lake', refLake, 'serve'], env(refUrl)));
    expectOk(await cli(['--lake', refLake, 'serve'], env(url)));
    // The served tables, in serving order (every gold table of the lake).
    const order = [...first.stdout.matchAll(/^gold\.(\w+):/gm)].map((m) => m[1]!);
    const GOLD_TABLES = [...order];
    expect(GOLD_TABLES).toEqual(expect.arrayContaining(['dim_symbol', 'dim_date', 'fact_bars']));
    const sumSql = (t: string) =>
      `SELECT count(*)::int AS n, coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') AS h FROM gold.${t} AS t`;
    const sums = async (u: string) => {
      const c = await connect(u);
      try {
        const out: Record<string, string> = {};
        for (const t of GOLD_TABLES) {
          const { rows } = await c.query<{ n: number; h: string }>(sumSql(t));
          out[t] = `${rows[0]!.n}:${rows[0]!.h}`;
        }
        return out;
      } finally {
        await c.end();
      }
    };
    const expected = await sums(refUrl);
    expect(await sums(url)).toEqual(expected);
    const lakeCounts = await lakeSums({ lakeUrl: refLake }, ['gold']);
    for (const t of GOLD_TABLES)
      expect(Number(expected[t]!.split(':')[0])).toBe(Number(lakeCounts[`gold.${t}`]!.split(':')[0]));

    // A reader polls every table while the second serve runs; any other checksum is a partial table.
    let polling = true;
    let polls = 0;
    const seen: string[] = [];
    const poller = (async () => {
      while (polling) {
        let c: pg.Client | undefined;
        try {
          c = await connect(url);
          while (polling) {
            for (const t of GOLD_TABLES) {
              const { rows } = await c.query<{ n: number; h: string }>(sumSql(t));
              const got = `${rows[0]!.n}:${rows[0]!.h}`;
              polls += 1;
              if (got !== expected[t]) seen.push(`${t}: ${got.slice(0, 40)}`);
            }
          }
        } catch {
          await sleep(100); // the server is restarting
        } finally {
          await c?.end().catch(() => {});
        }
      }
    })();

    // The serve must wait on a table in the middle of the order: held by a SHARE lock here.
    const victim = order[Math.floor(order.length / 2)]!;
    const holder = await connect(url);
    await holder.query('BEGIN');
    await holder.query(`LOCK TABLE gold.${victim} IN SHARE MODE`);
    const holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    // --full: nothing changed in the lake since the first serve, which would make this one a no-op.
    const serve = spawnCli(['--lake', refLake, 'serve', '--full'], env(url));
    await waitForLockWait(pgs.url('serve_a'), 'serve_a', holderPid);
    // Mid-serve: the tables before the victim are done, the victim's DELETE waits on the lock.
    await pgs.restart({ mode: SMALL ? 'fast' : 'immediate', downMs: 2_000 });
    await holder.end().catch(() => {});
    const result = await serve.result;
    polling = false;
    await poller;
    expect(result.code, tail(result)).toBe(0);
    expect(result.stdout).toContain(`gold.${victim}:`);
    expect(seen).toEqual([]);
    expect(polls).toBeGreaterThan(0);
    expect(await sums(url)).toEqual(expected);
    recordFigures('PostgreSQL restarted mid-serve', {
      faults: 1,
      recordsChecked: Object.values(expected).reduce((n, s) => n + Number(s.split(':')[0]), 0),
      recordsLost: 0,
      recordsDoubled: 0,
      linesScanned: takeLinesScanned(),
    });
  });
});

/**
 * Hold `ml_snapshots` in EXCLUSIVE mode (readers pass, writers wait): a commit stops inside its
 * transaction, after its file rows and before its snapshot row. Restart the server right then.
 */
async function restartMidCommit(catalogUrl: string, database: string, command: () => Promise<CliResult>) {
  const holder = await connect(catalogUrl);
  const holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  await holder.query('BEGIN');
  await holder.query('LOCK TABLE marketlake_catalog.ml_snapshots IN EXCLUSIVE MODE');
  const running = command();
  try {
    await waitForLockWait(catalogUrl, database, holderPid);
  } finally {
    await pgs.restart({ mode: 'fast', downMs: 1_500 });
    await holder.end().catch(() => {});
  }
  return running;
}

/**
 * The catalog's commit, retried (layers/catalog/commit-retry.ts): when the connection is lost
 * after the server committed (the reply never arrived), the retry finds the commit and does not
 * apply it again; when it was lost before, the retry applies it once.
 */
describe('a commit whose reply is lost', () => {
  it('is applied exactly once, whether it landed or not', async () => {
    const url = await pgs.createDatabase('catalog_reply');
    const { openLake } = await compiledLayers();
    const { commitAllWithRetry } = (await import(
      new URL('../../dist/layers/catalog/commit-retry.js', import.meta.url).href
    )) as typeof import('../../layers/catalog/commit-retry.js');
    const lake = openLake({ lakeUrl: join(root.dir, 'reply-lake'), catalogUrl: url });
    try {
      const catalog = lake.catalog;
      // Opened (and migrated) first: the flaky wrapper below shares its connection.
      await catalog.listTables();
      const ref = { layer: 'bronze' as const, name: 'reply_test' };
      const lost = () =>
        Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
      const change = (key: string, batchId: string) => ({
        operation: 'append' as const,
        columns: [{ name: 'x', type: 'BIGINT' }],
        partitionColumn: null,
        files: [{ key, partition: null, rows: 3, bytes: 100, etag: null }],
        batch: {
          batchId,
          contentHash: `hash-${batchId}`,
          rows: 3,
          source: 'test',
          committedAt: new Date().toISOString(),
        },
      });
      for (const landed of [true, false]) {
        let calls = 0;
        const flaky = Object.create(catalog) as typeof catalog;
        flaky.commitAll = async (changes) => {
          calls += 1;
          if (calls > 1) return catalog.commitAll(changes);
          if (!landed) throw lost();
          await catalog.commitAll(changes);
          throw lost();
        };
        const key = `bronze/reply_test/part_${landed ? 'landed' : 'lost'}.parquet`;
        const [snap] = await commitAllWithRetry(flaky, [{ ref, change: change(key, `b-${landed}`) }], {
          budgetMs: 10_000,
          baseDelayMs: 10,
        });
        expect(snap!.files.some((f) => f.key === key)).toBe(true);
        expect(calls).toBe(landed ? 1 : 2);
      }
      const history = await catalog.history(ref);
      expect(history.map((h) => h.files)).toEqual([1, 2]);
    } finally {
      await lake.close();
    }
    recordFigures('catalog commit reply lost (landed / not landed)', { faults: 2, recordsDoubled: 0 });
  });
});

const ONE_LINE_ERROR = (r: CliResult) => {
  const text = r.stdout + r.stderr;
  expect(text).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
};

describe('PostgreSQL restarted mid-commit of the PostgreSQL catalog', () => {
  it('ingest and run retry (or fail cleanly); the rerun gives the clean result; never a partial snapshot', async () => {
    const catalogUrl = await pgs.createDatabase('catalog_b');
    const lake = join(root.dir, 'pg-catalog-lake');
    const env = { CATALOG_URL: withFakePassword(catalogUrl), MARKETLAKE_RETRY_SECONDS: '60' };
    const config = { lakeUrl: lake, catalogUrl };
    const filesOf = (dataset: string) => inputs.filter((i) => i.dataset === dataset).map((i) => i.path);
    const ingest = (dataset: string) => [
      '--lake',
      lake,
      'ingest',
      dataset,
      ...filesOf(dataset),
      '--format',
      'jsonl',
      '--json',
    ];
    const results: CliResult[] = [expectOk(await cli(ingest('symbol_refs'), env))];
    let faults = 0;
    const outcomes: string[] = [];

    // Ingest of trades: bronze and quarantine commit in one transaction, stopped mid-way.
    const faulted = await restartMidCommit(catalogUrl, 'catalog_b', () => cli(ingest('trades'), env));
    faults += 1;
    if (faulted.code === 0) {
      outcomes.push('ingest retried');
      results.push(faulted);
    } else {
      outcomes.push('ingest failed cleanly');
      expect(faulted.code).toBe(1);
      ONE_LINE_ERROR(faulted);
      // Never a partial snapshot: neither bronze.trades nor its quarantine shows anything.
      const sums = await lakeSums(config, ['bronze', 'quarantine']);
      expect(sums['bronze.trades'] ?? '0:0').toMatch(/^0:/);
      expect(sums['quarantine.trades'] ?? '0:0').toMatch(/^0:/);
      results.push(expectOk(await cli(ingest('trades'), env)));
    }
    // A rerun of a committed file is a no-op (its batch is found), never a second copy.
    const again = expectOk(await cli(ingest('trades'), env));
    expect(again.stdout).toContain('"duplicateBatch": true');
    for (const dataset of DATASETS.filter((d) => d !== 'symbol_refs' && d !== 'trades'))
      results.push(expectOk(await cli(ingest(dataset), env)));

    // The model run, stopped inside its first commit (full form).
    if (!SMALL) {
      const run = await restartMidCommit(catalogUrl, 'catalog_b', () => cli(['--lake', lake, 'run'], env));
      faults += 1;
      outcomes.push(run.code === 0 ? 'run retried' : 'run failed cleanly');
      if (run.code !== 0) ONE_LINE_ERROR(run);
    }
    expectOk(await cli(['--lake', lake, 'run'], env));

    // Bronze and quarantine row for row, silver and gold by checksum, against the clean run.
    expect(await lakeSums(config, ALL_LAYERS)).toEqual(refSums);
    // One batch per input file, each once, in bronze and in quarantine.
    const c = await connect(catalogUrl);
    try {
      const { rows } = await c.query<{ layer: string; name: string; batches: number; hashes: number }>(
        `SELECT t.layer, t.name, count(*)::int AS batches, count(DISTINCT b.content_hash)::int AS hashes
           FROM marketlake_catalog.ml_batches b JOIN marketlake_catalog.ml_tables t USING (table_id)
          WHERE t.layer IN ('bronze', 'quarantine') GROUP BY 1, 2 ORDER BY 1, 2`,
      );
      for (const r of rows) expect(r.batches, `${r.layer}.${r.name}`).toBe(r.hashes);
      expect(rows.find((r) => r.layer === 'bronze' && r.name === 'trades')?.batches).toBe(
        inputs.filter((i) => i.dataset === 'trades').length,
      );
    } finally {
      await c.end();
    }
    process.stdout.write(`  PostgreSQL catalog restarted mid-commit: ${outcomes.join(', ')}\n`);
    recordFigures(`PostgreSQL restarted mid-commit of the catalog (${outcomes.join(', ')})`, {
      faults,
      recordsChecked: inputs.reduce((n, i) => n + i.records, 0),
      recordsLost: 0,
      recordsDoubled: 0,
      linesScanned: takeLinesScanned(),
    });
  });
});

describe('S3 server killed and restarted mid-upload', () => {
  let s3: S3Process;
  let proxy: FaultProxy;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    s3 = await startS3Process('lake');
    proxy = await startFaultProxy(s3.port);
    // The checks open the S3 lake in this process: the SDK reads credentials from the environment.
    for (const [k, v] of Object.entries(s3.env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
  });
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await proxy?.close();
    await s3?.destroy();
  });

  it('uploads retry across the restart; no half object is referenced; the lake equals a clean run', async () => {
    const lakeUrl = 's3://lake/faults';
    const catalogUrl = `sqlite:${join(root.dir, 's3-catalog', 'catalog.sqlite')}`;
    const env = {
      ...s3.env,
      S3_ENDPOINT: proxy.endpoint,
      CATALOG_URL: catalogUrl,
      LAKE_CACHE_DIR: join(root.dir, 's3-cache'),
      MARKETLAKE_RETRY_SECONDS: '60',
    };
    const restart = () => s3.restart(2_000);
    // Ingest: s3rver dies in the middle of the first bronze upload, and is back 2 s later.
    const bronzeCut = proxy.arm('PUT /lake/faults/bronze/', restart);
    const results = await ingestAll(env, lakeUrl);
    await bronzeCut;
    for (const r of results) expectOk(r);
    // The model run: the same in the middle of the first gold upload.
    const goldCut = proxy.arm('PUT /lake/faults/gold/', restart);
    const run = await cli(['--lake', lakeUrl, 'run'], env);
    await goldCut;
    expectOk(run);
    expect(proxy.fired).toBe(2);

    // Every object the catalog references is whole (its size as committed) and readable.
    const { openLake } = await compiledLayers();
    const lake = openLake({ lakeUrl, catalogUrl, s3Endpoint: s3.endpoint });
    try {
      const referenced = await lake.catalog.referencedKeys();
      const objects = new Map((await lake.store.list('')).map((o) => [o.key, o.size]));
      let checked = 0;
      for (const ref of await lake.catalog.listTables()) {
        const snap = await lake.catalog.snapshot(ref);
        for (const f of snap?.files ?? []) {
          expect(objects.get(f.key), f.key).toBe(f.bytes);
          checked += 1;
        }
      }
      expect(checked).toBeGreaterThan(0);
      expect(referenced.size).toBeGreaterThanOrEqual(checked);
    } finally {
      await lake.close();
    }
    expect(await lakeSums({ lakeUrl, catalogUrl, s3Endpoint: s3.endpoint }, ALL_LAYERS)).toEqual(refSums);
    recordFigures('S3 server killed and restarted mid-upload (ingest and run)', {
      faults: 2,
      recordsChecked: inputs.reduce((n, i) => n + i.records, 0),
      recordsLost: 0,
      recordsDoubled: 0,
      linesScanned: takeLinesScanned(),
    });
  });
});

const isRoot = process.getuid?.() === 0;

describe('a full scratch disk', () => {
  // A small tmpfs holds the lake (staging, DuckDB's output, the catalog): mount needs root.
  const mountDir = join(root.dir, 'tmpfs');
  let mounted = false;
  beforeAll(() => {
    if (!isRoot) return;
    mkdirSync(mountDir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountDir]);
    mounted = true;
  });
  afterAll(() => {
    if (mounted) execFileSync('umount', [mountDir]);
  });

  it.skipIf(!isRoot)(
    'ingest fails with a one-line ENOSPC error, nothing committed; with space the rerun completes',
    async () => {
      const lake = join(mountDir, 'lake');
      const ingest = (dataset: string, files: string[]) => [
        '--lake',
        lake,
        'ingest',
        dataset,
        ...files,
        '--format',
        'jsonl',
        '--json',
      ];
      const small = inputs.filter((i) => i.dataset === 'symbol_refs');
      const first = expectOk(
        await cli(
          ingest(
            'symbol_refs',
            small.map((i) => i.path),
          ),
          {},
        ),
      );
      const before = await lakeFingerprint(lake, ['bronze', 'quarantine']);
      // Trades with random ids do not compress: far more Parquet than the 2 MiB disk holds.
      const big = join(root.dir, 'big-trades.jsonl');
      const lines: string[] = [];
      for (let i = 0; i < (SMALL ? 100_000 : 200_000); i++) {
        lines.push(
          JSON.stringify({
            symbol: 'AAPL',
            event_at: `2024-03-04T15:${String(Math.floor(i / 60_000) % 60).padStart(2, '0')}:00.000000Z`,
            price: 100 + (i % 997) / 100,
            size: 1 + (i % 100),
            exchange: 'N',
            trade_id: randomBytes(24).toString('hex'),
            conditions: ['@'],
            tape: 'C',
            source: 'simulator',
          }),
        );
      }
      writeFileSync(big, `${lines.join('\n')}\n`);
      const full = await cli(ingest('trades', [big]), {});
      expect(full.code).toBe(1);
      const text = `${full.stdout}\n${full.stderr}`;
      expect(text).toContain('ENOSPC');
      expect(text).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
      const failed = JSON.parse(full.stdout) as { failed: Array<{ error: string }> };
      expect(failed.failed[0]?.error.split('\n')).toHaveLength(1);
      // The catalog and the previous snapshot are still readable; nothing of the failed file is in.
      expect(await lakeFingerprint(lake, ['bronze', 'quarantine'])).toEqual(before);
      const q = expectOk(
        await cli(
          ['--lake', lake, 'query', 'select count(*) as n from bronze.symbol_refs', '--format', 'csv'],
          {},
        ),
      );
      expect(q.stdout.trim().split('\n')[1]).toBe(String(small[0]!.records - quarantinedOf(first)));
      const staging = join(lake, '_staging');
      expect(existsSync(staging) ? readdirSync(staging) : []).toEqual([]);
      // With space, the rerun completes and reconciles.
      execFileSync('mount', ['-o', 'remount,size=256m', 'tmpfs', mountDir]);
      const rerun = expectOk(await cli(ingest('trades', [big]), {}));
      const r = (
        JSON.parse(rerun.stdout) as Array<{
          read: number;
          accepted: number;
          quarantined: number;
          skipped?: number;
        }>
      )[0]!;
      expect(r.read).toBe(lines.length);
      expect(r.accepted + r.quarantined + (r.skipped ?? 0)).toBe(r.read);
      const after = await lakeFingerprint(lake, ['bronze']);
      expect(after['bronze.trades']?.rows).toBe(r.accepted);
      recordFigures('full scratch disk (ENOSPC) during ingest', {
        faults: 1,
        recordsChecked: r.read,
        recordsLost: 0,
        recordsDoubled: 0,
        linesScanned: takeLinesScanned() + scanTreeForSecrets(lake),
      });
    },
  );
});

function quarantinedOf(r: CliResult): number {
  const parsed = JSON.parse(r.stdout) as Array<{ quarantined: number }>;
  return parsed.reduce((n, f) => n + f.quarantined, 0);
}
