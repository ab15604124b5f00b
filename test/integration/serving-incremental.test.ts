/**
 * Incremental, consistent serving (issue #15) on the real PostgreSQL and on PGlite: served rows equal
 * the lake's (count and checksum per table), a second serve copies nothing, a changed partition is the
 * only one replaced, skipped tables keep their served version, a new lake column is migrated with
 * ALTER TABLE and an incompatible one refused with nothing served; on PostgreSQL also the reader role,
 * a concurrent reader during a reload, and a serving process killed (SIGKILL) mid-serve.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Lake, LakeSession, openLake, tableRef, writeTable } from '../../layers/index.js';
import {
  openServingTarget,
  type ServeGoldOptions,
  ServingError,
  type ServingTarget,
  serveGold,
} from '../../pipelines/serve/index.js';
import { partitionDeleteSql } from '../../pipelines/serve/serve-gold.js';
import { createTestDatabase } from '../helpers/pg-database.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TABLES = ['dim_symbol', 'fact_bars'];
const DAYS = ['2024-01-02', '2024-01-03', '2024-01-04'];
const DESCRIPTIONS: ServeGoldOptions['descriptions'] = {
  dim_symbol: { description: 'Instruments, one row per version', columns: { symbol: 'Ticker or pair' } },
};

/** Bars of 2 symbols x `minutes` minutes on `days`; `bump` shifts the prices (a restated day). */
function barsSql(days: string[], minutes: number, bump = 0): string {
  const dayList = days.map((d) => `(DATE '${d}')`).join(', ');
  return `SELECT s.symbol, s.k::BIGINT AS symbol_key, CAST(strftime(d.day, '%Y%m%d') AS INTEGER) AS date_key,
      d.day AS session_date, '1m' AS "interval",
      CAST(d.day + INTERVAL 14 HOUR + m.i * INTERVAL 1 MINUTE AS TIMESTAMPTZ) AS bar_start_at,
      (100.0 + m.i * 0.25 + ${bump})::DOUBLE AS open, (101.0 + m.i * 0.25 + ${bump})::DOUBLE AS high,
      (99.5 + m.i * 0.25)::DOUBLE AS low, (100.5 + m.i * 0.25 + ${bump})::DOUBLE AS close,
      (1000.0 + m.i)::DOUBLE AS volume, (100.2 + m.i * 0.25)::DOUBLE AS vwap,
      (m.i + ${bump})::BIGINT AS trade_count
    FROM (VALUES ('AAPL', 1), ('MSFT', 2)) s(symbol, k), (VALUES ${dayList}) d(day), range(${minutes}) m(i)`;
}

function symbolsSql(label: string, keyType = 'BIGINT', extra = ''): string {
  return `SELECT CAST(k AS ${keyType}) AS symbol_key, symbol, symbol || ' ${label}' AS name, 'NASDAQ' AS exchange,
      'equity' AS asset_class, 'Tech' AS sector, NULL::VARCHAR AS industry, 'America/New_York' AS market_timezone,
      DATE '2020-01-01' AS valid_from, NULL::DATE AS valid_to, true AS is_current${extra}
    FROM (VALUES (1, 'AAPL'), (2, 'MSFT')) t(k, symbol)`;
}

/** The same aggregate on DuckDB and PostgreSQL: count and a checksum over every row's values. */
const CHECKSUM_SQL: Record<string, string> = {
  fact_bars: `SELECT count(*) AS n, coalesce(sum(trade_count), 0) AS tc, coalesce(sum(round(open * 100)), 0) AS o,
      coalesce(sum(round(close * 100)), 0) AS c, coalesce(sum(extract(epoch FROM bar_start_at)), 0) AS t,
      coalesce(sum(date_key), 0) AS d, min(symbol) AS s0, max(symbol) AS s1 FROM gold.fact_bars`,
  dim_symbol: `SELECT count(*) AS n, coalesce(sum(symbol_key), 0) AS k,
      string_agg(name || '/' || coalesce(industry, '-'), '|' ORDER BY symbol_key) AS names FROM gold.dim_symbol`,
};
const normal = (row: Record<string, unknown> | undefined) =>
  Object.fromEntries(
    Object.entries(row ?? {}).map(([k, v]) => [
      k,
      v !== null && /^-?[\d.e+]+$/.test(String(v)) ? Number(v) : v,
    ]),
  );

let work: string;
let lake: Lake;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'marketlake-serve-incr-'));
  lake = openLake({ lakeUrl: join(work, 'lake') });
});

afterAll(async () => {
  await lake?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

async function inSession<T>(fn: (session: LakeSession) => Promise<T>): Promise<T> {
  const session = await LakeSession.open(lake);
  try {
    return await fn(session);
  } finally {
    session.close();
  }
}

const writeBars = (sql: string, partitions?: string[]) =>
  inSession((s) =>
    writeTable(s, tableRef('gold', 'fact_bars'), sql, {
      operation: 'overwrite_partitions',
      partitionColumn: 'session_date',
      ...(partitions ? { partitions } : {}),
    }),
  );
const writeSymbols = (sql: string) =>
  inSession((s) =>
    writeTable(s, tableRef('gold', 'dim_symbol'), sql, { operation: 'replace', partitionColumn: null }),
  );

const lakeSums = () =>
  inSession(async (s) => {
    const out: Record<string, unknown> = {};
    for (const t of TABLES) out[t] = normal((await s.all<Record<string, unknown>>(CHECKSUM_SQL[t]!))[0]);
    return out;
  });

async function servedSums(target: ServingTarget): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const t of TABLES) out[t] = normal((await target.query<Record<string, unknown>>(CHECKSUM_SQL[t]!))[0]);
  return out;
}

/** xmin of every served bar per day: unchanged xmins prove the rows were not rewritten. */
async function xminsByDay(target: ServingTarget): Promise<Record<string, string>> {
  const rows = await target.query<{ day: string; x: string }>(
    "SELECT session_date::text AS day, string_agg(xmin::text, ',' ORDER BY symbol, bar_start_at) AS x FROM gold.fact_bars GROUP BY 1",
  );
  return Object.fromEntries(rows.map((r) => [r.day, r.x]));
}

const serve = (target: ServingTarget, options: ServeGoldOptions = {}) =>
  inSession((s) => serveGold(s, target, TABLES, { descriptions: DESCRIPTIONS, ...options }));
const statusOf = (served: Awaited<ReturnType<typeof serve>>) =>
  Object.fromEntries(served.map((t) => [t.table, t.status]));

/** The shared scenario, on one target; the lake is rebuilt at its start. */
function incrementalSuite(open: () => Promise<ServingTarget>) {
  let target: ServingTarget;

  beforeAll(async () => {
    await writeBars(barsSql(DAYS, 50));
    await writeSymbols(symbolsSql('v1'));
    target = await open();
  }, 120_000);

  afterAll(async () => {
    await target?.close();
  });

  it('first serve loads every table: rows and checksums equal the lake, comments from descriptions', async () => {
    const served = await serve(target);
    expect(statusOf(served)).toEqual({ dim_symbol: 'loaded', fact_bars: 'loaded' });
    expect(served.map((t) => t.rows)).toEqual([2, 300]);
    const versions = await Promise.all(TABLES.map((t) => lake.catalog.snapshot(tableRef('gold', t))));
    expect(served.map((t) => t.version)).toEqual(versions.map((v) => v?.version));
    expect(await servedSums(target)).toEqual(await lakeSums());
    const [comment] = await target.query<{ t: string; c: string }>(
      "SELECT obj_description('gold.dim_symbol'::regclass) AS t, col_description('gold.dim_symbol'::regclass, 2) AS c",
    );
    expect(comment).toEqual({ t: 'Instruments, one row per version', c: 'Ticker or pair' });
  });

  it('a second serve with nothing new copies nothing and says so', async () => {
    const before = await xminsByDay(target);
    const served = await serve(target);
    expect(statusOf(served)).toEqual({ dim_symbol: 'unchanged', fact_bars: 'unchanged' });
    expect(served.map((t) => t.rows)).toEqual([0, 0]);
    expect(await xminsByDay(target)).toEqual(before);
  });

  it('a restated day replaces only that partition of fact_bars', async () => {
    const before = await xminsByDay(target);
    await writeBars(barsSql(['2024-01-03'], 50, 7), ['2024-01-03']);
    const served = await serve(target);
    expect(statusOf(served)).toEqual({ dim_symbol: 'unchanged', fact_bars: 'partitions' });
    expect(served[1]).toMatchObject({ rows: 100, partitions: 1 });
    const after = await xminsByDay(target);
    expect(after['2024-01-02']).toBe(before['2024-01-02']);
    expect(after['2024-01-04']).toBe(before['2024-01-04']);
    expect(after['2024-01-03']).not.toBe(before['2024-01-03']);
    expect(await servedSums(target)).toEqual(await lakeSums());
  });

  it('a skipped table keeps its served version, with the reason; the next serve catches up', async () => {
    const old = (await servedSums(target)).dim_symbol;
    await writeSymbols(symbolsSql('v2'));
    const served = await serve(target, { skip: { dim_symbol: 'error check dim_symbol_unique failed' } });
    expect(served[0]).toMatchObject({
      table: 'dim_symbol',
      status: 'skipped',
      reason: 'error check dim_symbol_unique failed',
    });
    expect((await servedSums(target)).dim_symbol).toEqual(old);
    expect(statusOf(await serve(target))).toEqual({ dim_symbol: 'loaded', fact_bars: 'unchanged' });
    expect(await servedSums(target)).toEqual(await lakeSums());
  });

  it('a new lake column is added with ALTER TABLE and recorded as a migration', async () => {
    await writeSymbols(symbolsSql('v3', 'BIGINT', ", 'listed ' || symbol AS listing_note"));
    const served = await serve(target);
    expect(served[0]).toMatchObject({ status: 'loaded', addedColumns: ['listing_note'] });
    const notes = await target.query<{ listing_note: string }>(
      'SELECT listing_note FROM gold.dim_symbol ORDER BY symbol_key',
    );
    expect(notes.map((r) => r.listing_note)).toEqual(['listed AAPL', 'listed MSFT']);
    const migrations = await target.query<{ name: string }>(
      'SELECT name FROM marketlake_serving.serving_migrations ORDER BY name',
    );
    expect(migrations.map((m) => m.name)).toEqual(['dim_symbol', 'dim_symbol.listing_note', 'fact_bars']);
  });

  it('an incompatible type change is refused and nothing of that serve is visible', async () => {
    const before = await servedSums(target);
    await writeBars(barsSql(['2024-01-04'], 50, 3), ['2024-01-04']);
    await writeSymbols(symbolsSql('v4', 'VARCHAR'));
    const error = await serve(target).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServingError);
    expect((error as Error).message).toMatch(
      /gold\.dim_symbol\.symbol_key is bigint .* text \(VARCHAR\) in the lake: an incompatible change/,
    );
    expect(await servedSums(target)).toEqual(before);
    await writeSymbols(symbolsSql('v5', 'BIGINT', ", 'x' AS listing_note"));
    expect(statusOf(await serve(target))).toEqual({ dim_symbol: 'loaded', fact_bars: 'partitions' });
    expect(await servedSums(target)).toEqual(await lakeSums());
  });

  it('a COPY refused mid-stream (duplicate key) rolls the whole serve back and the next one works', async () => {
    const before = await servedSums(target);
    const dup = `SELECT * FROM (${symbolsSql('dup', 'BIGINT', ", 'x' AS listing_note")}) UNION ALL SELECT * FROM (${symbolsSql('dup', 'BIGINT', ", 'x' AS listing_note")})`;
    await writeSymbols(dup);
    await expect(serve(target)).rejects.toThrow(/dim_symbol_pkey|duplicate key/);
    expect(await servedSums(target)).toEqual(before);
    await writeSymbols(symbolsSql('v5b', 'BIGINT', ", 'x' AS listing_note"));
    expect(statusOf(await serve(target))).toEqual({ dim_symbol: 'loaded', fact_bars: 'unchanged' });
    expect(await servedSums(target)).toEqual(await lakeSums());
  });

  it('a served table emptied behind its back is reloaded, not trusted', async () => {
    await target.exec('DELETE FROM gold.dim_symbol');
    const served = await serve(target);
    expect(statusOf(served)).toEqual({ dim_symbol: 'loaded', fact_bars: 'unchanged' });
    expect(await servedSums(target)).toEqual(await lakeSums());
  });

  it('fact_bars is partitioned by month: a new month is attached, a mostly restated month swapped, a month gone dropped', async () => {
    const FEB = ['2024-02-01', '2024-02-02'];
    const partitions = async () =>
      Object.fromEntries(
        (
          await target.query<{ name: string; oid: number }>(
            "SELECT c.relname AS name, c.oid::int AS oid FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'gold.fact_bars'::regclass",
          )
        ).map((r) => [r.name, r.oid]),
      );
    const january = (await partitions()).fact_bars_p202401;
    expect(january).toBeTypeOf('number');
    const janXmins = await xminsByDay(target);

    await writeBars(barsSql(FEB, 50), FEB);
    let served = await serve(target);
    expect(served[1]).toMatchObject({ status: 'partitions', rows: 200, partitions: 2 });
    const withFeb = await partitions();
    expect(Object.keys(withFeb).sort()).toEqual(['fact_bars_p202401', 'fact_bars_p202402']);
    expect(withFeb.fact_bars_p202401).toBe(january);
    expect(await servedSums(target)).toEqual(await lakeSums());

    // Half of February's rows restated: the month is loaded beside the served one and swapped in;
    // January is not touched.
    await writeBars(barsSql(['2024-02-01'], 50, 9), ['2024-02-01']);
    served = await serve(target);
    expect(served[1]).toMatchObject({ status: 'partitions', rows: 200, partitions: 1 });
    const swapped = await partitions();
    expect(swapped.fact_bars_p202402).not.toBe(withFeb.fact_bars_p202402);
    expect(swapped.fact_bars_p202401).toBe(january);
    const xmins = await xminsByDay(target);
    for (const day of DAYS) expect(xmins[day]).toBe(janXmins[day]);
    expect(await servedSums(target)).toEqual(await lakeSums());
    const [indexes] = await target.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_index WHERE indrelid = 'gold.fact_bars_p202402'::regclass",
    );
    expect(indexes?.n).toBe(3);

    // February gone from the lake: its partition is dropped.
    await writeBars('SELECT * FROM gold.fact_bars WHERE false', FEB);
    served = await serve(target);
    expect(served[1]).toMatchObject({ status: 'partitions', rows: 0, partitions: 2 });
    expect(Object.keys(await partitions())).toEqual(['fact_bars_p202401']);
    expect(await servedSums(target)).toEqual(await lakeSums());

    // A full reload swaps every month and leaves the same rows.
    served = await serve(target, { full: true });
    expect(served[1]).toMatchObject({ status: 'loaded', rows: 300 });
    expect((await partitions()).fact_bars_p202401).not.toBe(january);
    expect(await servedSums(target)).toEqual(await lakeSums());
  });
}

describe('incremental serving to PostgreSQL', () => {
  let db: { url: string; drop: () => Promise<void> };
  let target: ServingTarget;

  beforeAll(async () => {
    db = await createTestDatabase('marketlake_serve_incr');
  });
  afterAll(async () => {
    await target?.close();
    await db?.drop();
  });

  incrementalSuite(() => openServingTarget({ databaseUrl: db.url, pgliteDir: '' }));

  const client = async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    return c;
  };

  it('marketlake_reader reads gold, and cannot write it or read anything else', async () => {
    const c = await client();
    try {
      await c.query('CREATE TABLE IF NOT EXISTS public.private_notes (x int)');
      await c.query('BEGIN');
      await c.query('SET LOCAL ROLE marketlake_reader');
      const { rows } = await c.query('SELECT count(*)::int AS n FROM gold.fact_bars');
      expect(rows[0].n).toBe(300);
      const denied = async (sql: string) => {
        await c.query('SAVEPOINT s');
        const e = await c.query(sql).catch((err: Error) => err);
        await c.query('ROLLBACK TO SAVEPOINT s');
        return e instanceof Error ? e.message : 'allowed';
      };
      expect(await denied('INSERT INTO gold.dim_symbol (symbol_key) VALUES (99)')).toMatch(
        /permission denied/,
      );
      expect(await denied('DELETE FROM gold.fact_bars')).toMatch(/permission denied/);
      expect(await denied('SELECT * FROM marketlake_serving.served_tables')).toMatch(/permission denied/);
      expect(await denied('SELECT * FROM public.private_notes')).toMatch(/permission denied/);
      expect(await denied('CREATE TABLE gold.mine (x int)')).toMatch(/permission denied/);
      await c.query('ROLLBACK');
    } finally {
      await c.end();
    }
  });

  it('a reader polling during a reload only ever sees the complete old or the complete new data', async () => {
    target = await openServingTarget({ databaseUrl: db.url, pgliteDir: '' });
    await writeBars(barsSql(DAYS, 600));
    await serve(target);
    const snapshotSql = `SELECT (SELECT count(*) || ':' || sum(trade_count) FROM gold.fact_bars) AS f,
      (SELECT string_agg(name, '|' ORDER BY symbol_key) FROM gold.dim_symbol) AS d`;
    const c = await client();
    const seen = new Set<string>();
    try {
      const state = async () => {
        const { rows } = await c.query(snapshotSql);
        return `${rows[0].f} ${rows[0].d}`;
      };
      const old = await state();
      await writeBars(barsSql(DAYS, 600, 1));
      await writeSymbols(symbolsSql('v6', 'BIGINT', ", 'y' AS listing_note"));
      let done = false;
      const reader = (async () => {
        while (!done) seen.add(await state());
      })();
      const served = await serve(target, { full: true });
      done = true;
      await reader;
      const now = await state();
      expect(statusOf(served)).toEqual({ dim_symbol: 'loaded', fact_bars: 'loaded' });
      expect(now).not.toBe(old);
      expect(seen.size).toBeGreaterThan(0);
      for (const s of seen) expect([old, now]).toContain(s);
    } finally {
      await c.end();
    }
  });

  it('a serving process killed (SIGKILL) after its first table leaves the previous version; the rerun serves', async () => {
    const before = await servedSums(target);
    await writeBars(barsSql(['2024-01-02'], 600, 5), ['2024-01-02']);
    await writeSymbols(symbolsSql('v7', 'BIGINT', ", 'z' AS listing_note"));
    const run = (crash?: string) =>
      new Promise<{ code: number | null; signal: string | null; stdout: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', 'test/helpers/serve-child.ts', TABLES.join(',')],
          {
            cwd: ROOT,
            env: {
              ...process.env,
              LAKE_URL: join(work, 'lake'),
              DATABASE_URL: db.url,
              LOG_LEVEL: 'warn',
              ...(crash ? { MARKETLAKE_CRASH_AT: crash } : {}),
            },
            stdio: ['ignore', 'pipe', 'inherit'],
          },
        );
        let stdout = '';
        child.stdout.on('data', (d) => {
          stdout += d;
        });
        child.on('close', (code, signal) => resolve({ code, signal, stdout }));
      });
    const killed = await run('serve-after-first-table');
    expect(killed.signal).toBe('SIGKILL');
    expect(await servedSums(target)).toEqual(before);
    const rerun = await run();
    expect(rerun.code).toBe(0);
    expect(JSON.parse(rerun.stdout).map((t: { status: string }) => t.status)).toEqual([
      'loaded',
      'partitions',
    ]);
    expect(await servedSums(target)).toEqual(await lakeSums());
  }, 60_000);

  it('a partition replace deletes through the session_date index, and a reader sees old or new data', async () => {
    // The DELETE of a replaced day compares session_date as a date: PostgreSQL prunes to that day's
    // month partition and an index can serve it (the planner is told to avoid a sequential scan, so
    // an unusable index would show as Seq Scan).
    const c = await client();
    try {
      await c.query('BEGIN');
      await c.query('SET LOCAL enable_seqscan = off');
      const { rows } = await c.query(`EXPLAIN ${partitionDeleteSql('fact_bars', 'session_date', false)}`, [
        ['2024-01-03'],
      ]);
      await c.query('ROLLBACK');
      const plan = rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/Index.*fact_bars_p202401_session_date_idx/);
      expect(plan).not.toMatch(/Seq Scan/);

      const state = async () => {
        const r = await c.query(
          "SELECT count(*) || ':' || sum(trade_count) || ':' || count(*) FILTER (WHERE session_date = '2024-01-03') AS s FROM gold.fact_bars",
        );
        return r.rows[0].s as string;
      };
      const old = await state();
      const before = await xminsByDay(target);
      await writeBars(barsSql(['2024-01-03'], 600, 11), ['2024-01-03']);
      const seen = new Set<string>();
      let done = false;
      const reader = (async () => {
        while (!done) seen.add(await state());
      })();
      const served = await serve(target);
      done = true;
      await reader;
      expect(statusOf(served)).toEqual({ dim_symbol: 'unchanged', fact_bars: 'partitions' });
      expect(served[1]).toMatchObject({ rows: 1200, partitions: 1 });
      const now = await state();
      expect(now).not.toBe(old);
      for (const s of seen) expect([old, now]).toContain(s);
      const after = await xminsByDay(target);
      expect(after['2024-01-02']).toBe(before['2024-01-02']);
      expect(after['2024-01-04']).toBe(before['2024-01-04']);
      expect(await servedSums(target)).toEqual(await lakeSums());
    } finally {
      await c.end();
    }
  }, 60_000);
});

describe('incremental serving to PGlite', () => {
  incrementalSuite(() => openServingTarget({ pgliteDir: join(work, 'pglite') }));
});
