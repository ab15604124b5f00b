import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ident, LakeSession, openLake, sqlDir, UsageError } from '../../layers/index.js';
import {
  describeServingTarget,
  openServingTarget,
  replaceFromCsv,
  ServingError,
  type ServingTarget,
  serveGold,
} from '../../pipelines/serve/index.js';

const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TABLES = ['dim_symbol', 'dim_date', 'fact_bars'];

type Column = readonly [name: string, type: string];

const FACT_BARS: Column[] = [
  ['symbol', 'VARCHAR'],
  ['symbol_key', 'BIGINT'],
  ['date_key', 'INTEGER'],
  ['session_date', 'DATE'],
  ['interval', 'VARCHAR'],
  ['bar_start_at', 'TIMESTAMP WITH TIME ZONE'],
  ['open', 'DOUBLE'],
  ['high', 'DOUBLE'],
  ['low', 'DOUBLE'],
  ['close', 'DOUBLE'],
  ['volume', 'DOUBLE'],
  ['vwap', 'DOUBLE'],
  ['trade_count', 'BIGINT'],
];
const FACT_BARS_ROWS = [
  "'AAPL', 1, 20240102, '2024-01-02', '1m', '2024-01-02 14:30:00.123456+00', 185.5, 186.25, 185.1, 186, 12345.5, 185.7512345678901, 42",
  "'AAPL', 1, 20240102, '2024-01-02', '1m', '2024-01-02 14:31:00+00', 186, 186.5, 185.9, 186.4, 1000, 186.2, 7",
  "'BTC-USD', 2, 20240102, '2024-01-02', '1h', '2024-01-02 23:59:59.999999+00', CAST(0.1 AS DOUBLE) + CAST(0.2 AS DOUBLE), 42000, 41000, 41500, 1.5e-8, NULL, 9007199254740993",
];

const DIM_SYMBOL: Column[] = [
  ['symbol_key', 'BIGINT'],
  ['symbol', 'VARCHAR'],
  ['name', 'VARCHAR'],
  ['exchange', 'VARCHAR'],
  ['asset_class', 'VARCHAR'],
  ['sector', 'VARCHAR'],
  ['industry', 'VARCHAR'],
  ['market_timezone', 'VARCHAR'],
  ['valid_from', 'DATE'],
  ['valid_to', 'DATE'],
  ['is_current', 'BOOLEAN'],
];
const DIM_SYMBOL_ROWS = [
  "1, 'AAPL', 'Apple Inc.', 'NASDAQ', 'equity', 'Technology', 'Consumer Electronics', 'America/New_York', '2020-01-01', NULL, true",
  "2, 'BTC-USD', 'Bitcoin, \"digital gold\"\nline 2', 'COINBASE', 'crypto', NULL, '', 'UTC', '2020-01-01', NULL, true",
  "3, 'AAPL', 'Apple Computer', 'NASDAQ', 'equity', 'Technology', 'Computers', 'America/New_York', '1980-12-12', '2019-12-31', false",
];

const DIM_DATE: Column[] = [
  ['date_key', 'INTEGER'],
  ['date', 'DATE'],
  ['year', 'INTEGER'],
  ['quarter', 'INTEGER'],
  ['month', 'INTEGER'],
  ['day', 'INTEGER'],
  ['day_of_week', 'INTEGER'],
  ['day_name', 'VARCHAR'],
  ['iso_week', 'INTEGER'],
  ['is_weekend', 'BOOLEAN'],
  ['is_nyse_trading_day', 'BOOLEAN'],
  ['is_crypto_trading_day', 'BOOLEAN'],
];
const DIM_DATE_ROWS = [
  "20240102, '2024-01-02', 2024, 1, 1, 2, 2, 'Tuesday', 1, false, true, true",
  "20240106, '2024-01-06', 2024, 1, 1, 6, 6, 'Saturday', 1, true, false, true",
];

/** `CREATE VIEW gold.<table>` over literal rows, each column cast to its exact DuckDB type. */
function goldView(table: string, columns: Column[], rows: string[]): string {
  const names = columns.map((_, i) => `c${i}`);
  const casts = columns.map(([name, type], i) => `CAST(c${i} AS ${type}) AS ${ident(name)}`).join(', ');
  const values = rows.map((r) => `(${r})`).join(', ');
  return `CREATE OR REPLACE VIEW gold.${table} AS SELECT ${casts} FROM (VALUES ${values}) t(${names.join(', ')})`;
}

let work: string;
let session: LakeSession;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'marketlake-serving-test-'));
  session = await LakeSession.open(openLake({ lakeUrl: join(work, 'lake') }));
  await session.run(goldView('fact_bars', FACT_BARS, FACT_BARS_ROWS));
  await session.run(goldView('dim_symbol', DIM_SYMBOL, DIM_SYMBOL_ROWS));
  await session.run(goldView('dim_date', DIM_DATE, DIM_DATE_ROWS));
});

afterAll(async () => {
  session?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Serve the gold views and check every value read back, on either kind of target. */
function servingSuite(open: () => Promise<ServingTarget>) {
  let target: ServingTarget;

  beforeAll(async () => {
    target = await open();
  }, 120_000);

  afterAll(async () => {
    await target?.close();
  });

  const count = async (table: string) =>
    (await target.query<{ n: string }>(`SELECT count(*) AS n FROM gold.${table}`))[0]?.n;

  it('loads every gold table with exact row counts', async () => {
    const served = await serveGold(session, target, TABLES);
    expect(served.map(({ table, rows }) => ({ table, rows }))).toEqual([
      { table: 'dim_symbol', rows: 3 },
      { table: 'dim_date', rows: 2 },
      { table: 'fact_bars', rows: 3 },
    ]);
    for (const s of served) expect(s.ms).toBeGreaterThanOrEqual(0);
  });

  it('keeps exact values: microseconds, doubles, BIGINT beyond 2^53, NULLs and empty strings', async () => {
    const bars = await target.query(
      'SELECT symbol, symbol_key, date_key, session_date, "interval", bar_start_at, open, volume, vwap, trade_count FROM gold.fact_bars ORDER BY symbol, bar_start_at',
    );
    expect(bars).toEqual([
      {
        symbol: 'AAPL',
        symbol_key: '1',
        date_key: 20240102,
        session_date: '2024-01-02',
        interval: '1m',
        bar_start_at: '2024-01-02 14:30:00.123456+00',
        open: 185.5,
        volume: 12345.5,
        vwap: 185.7512345678901,
        trade_count: '42',
      },
      {
        symbol: 'AAPL',
        symbol_key: '1',
        date_key: 20240102,
        session_date: '2024-01-02',
        interval: '1m',
        bar_start_at: '2024-01-02 14:31:00+00',
        open: 186,
        volume: 1000,
        vwap: 186.2,
        trade_count: '7',
      },
      {
        symbol: 'BTC-USD',
        symbol_key: '2',
        date_key: 20240102,
        session_date: '2024-01-02',
        interval: '1h',
        bar_start_at: '2024-01-02 23:59:59.999999+00',
        open: 0.1 + 0.2,
        volume: 1.5e-8,
        vwap: null,
        trade_count: '9007199254740993',
      },
    ]);
    const exact = await target.query<{ n: string }>(
      "SELECT count(*) AS n FROM gold.fact_bars WHERE bar_start_at = '2024-01-02 14:30:00.123456+00'::timestamptz",
    );
    expect(exact[0]?.n).toBe('1');

    const symbols = await target.query('SELECT * FROM gold.dim_symbol ORDER BY symbol_key');
    // Columns the DDL added later (reference data, issue #14) arrive as NULL.
    expect(symbols[0]).toMatchObject({
      symbol_key: '1',
      symbol: 'AAPL',
      name: 'Apple Inc.',
      exchange: 'NASDAQ',
      asset_class: 'equity',
      sector: 'Technology',
      industry: 'Consumer Electronics',
      market_timezone: 'America/New_York',
      valid_from: '2020-01-01',
      valid_to: null,
      is_current: true,
    });
    expect(symbols[1]).toMatchObject({ name: 'Bitcoin, "digital gold"\nline 2', sector: null, industry: '' });
    expect(symbols[2]).toMatchObject({ valid_to: '2019-12-31', is_current: false });

    const dates = await target.query('SELECT * FROM gold.dim_date ORDER BY date_key');
    // The fixture fills the columns it knows; columns the DDL added later arrive as NULL.
    expect(dates[1]).toMatchObject({
      date_key: 20240106,
      date: '2024-01-06',
      year: 2024,
      quarter: 1,
      month: 1,
      day: 6,
      day_of_week: 6,
      day_name: 'Saturday',
      iso_week: 1,
      is_weekend: true,
      is_nyse_trading_day: false,
      is_crypto_trading_day: true,
    });
  });

  it('replaces rather than appends when served again', async () => {
    const served = await serveGold(session, target, TABLES);
    expect(served.map((s) => s.rows)).toEqual([3, 2, 3]);
    expect(await count('fact_bars')).toBe('3');
    expect(await count('dim_symbol')).toBe('3');
    expect(await count('dim_date')).toBe('2');
  });

  it('keeps the old rows when a load fails (bad value, or row count not as expected)', async () => {
    const bad = join(work, `bad-${Math.random().toString(36).slice(2)}.csv`);
    await writeFile(bad, 'date_key,date\n20240103,2024-01-03\n20240104,not-a-date\n');
    await expect(replaceFromCsv(target, 'gold', 'dim_date', ['date_key', 'date'], bad)).rejects.toThrow(
      ServingError,
    );
    expect(await count('dim_date')).toBe('2');

    await writeFile(bad, 'date_key,date\n20240103,2024-01-03\n');
    await expect(replaceFromCsv(target, 'gold', 'dim_date', ['date_key', 'date'], bad, 5)).rejects.toThrow(
      /loaded 1 rows, expected 5/,
    );
    expect(await count('dim_date')).toBe('2');
    // The target is still usable after a failed transaction.
    expect(await replaceFromCsv(target, 'gold', 'dim_date', ['date_key', 'date'], bad, 1)).toBe(1);
    expect(await count('dim_date')).toBe('1');
    await serveGold(session, target, ['dim_date']);
    expect(await count('dim_date')).toBe('2');
  });
}

describe('serving to PostgreSQL', () => {
  const database = `marketlake_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${ident(database)}`);
  });

  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${ident(database)} WITH (FORCE)`);
    await admin.end();
  });

  servingSuite(() => {
    const url = new URL(ADMIN_URL);
    url.pathname = `/${database}`;
    return openServingTarget({ databaseUrl: url.toString(), pgliteDir: join(work, 'unused') });
  });

  it('rows read back with a plain pg client, with the primary keys in place', async () => {
    const url = new URL(ADMIN_URL);
    url.pathname = `/${database}`;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      const { rows } = await client.query(
        "SELECT to_char(bar_start_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS at FROM gold.fact_bars ORDER BY 1",
      );
      expect(rows.map((r) => r.at)).toEqual([
        '2024-01-02 14:30:00.123456',
        '2024-01-02 14:31:00.000000',
        '2024-01-02 23:59:59.999999',
      ]);
      // Primary keys of the served tables (conparentid = 0), and fact_bars' copy on its month partition.
      const keys = await client.query(
        "SELECT conrelid::regclass::text AS t, conparentid <> 0 AS inherited FROM pg_constraint WHERE contype = 'p' AND connamespace = 'gold'::regnamespace ORDER BY 1",
      );
      expect(keys.rows).toEqual([
        { t: 'gold.dim_date', inherited: false },
        { t: 'gold.dim_symbol', inherited: false },
        { t: 'gold.fact_bars', inherited: false },
        { t: 'gold.fact_bars_p202401', inherited: true },
      ]);
    } finally {
      await client.end();
    }
  });

  it('never shows the password: description, and a failed connection', async () => {
    const databaseUrl = 'postgres://u:secret@127.0.0.1:1/x';
    const description = describeServingTarget({ databaseUrl, pgliteDir: 'unused' });
    expect(description).not.toContain('secret');
    expect(description).toContain('127.0.0.1');
    const error = await openServingTarget({ databaseUrl, pgliteDir: 'unused' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServingError);
    expect((error as ServingError).message).toContain('u:***@127.0.0.1:1');
    expect((error as ServingError).message).not.toContain('secret');
    expect((error as ServingError).permanent).toBe(false);
  });
});

describe('serving to PGlite', () => {
  servingSuite(() => openServingTarget({ pgliteDir: join(work, 'pglite') }));

  it('describes itself by folder, and locks it against a second opener', async () => {
    const pgliteDir = join(work, 'pglite');
    expect(describeServingTarget({ pgliteDir })).toBe(`PGlite at ${pgliteDir}`);
    await expect(openServingTarget({ pgliteDir })).rejects.toThrow(/in use by another process/);
  });
});

describe('serveGold arguments', () => {
  const target = {} as ServingTarget;

  it('finds the repository sql folder', () => {
    expect(existsSync(join(sqlDir(), 'serving', 'fact_bars.sql'))).toBe(true);
  });

  it('rejects a bad table name and names a missing DDL file', async () => {
    await expect(serveGold(session, target, ['Fact-Bars'])).rejects.toThrow(UsageError);
    await expect(serveGold(session, target, ['fact_quotes'])).rejects.toThrow(/serving[/\\]fact_quotes\.sql/);
  });
});
