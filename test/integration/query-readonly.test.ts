/**
 * Issue #12, defect 3: ad hoc SQL (`query`, `sql`) may read the lake and local files but never write;
 * results leave only through `--out`. Sessions of workers ('service') reach only the lake's folders,
 * a scratch folder and the task's inputs. Every test here fails if the protection is taken away.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLogger,
  LakeSession,
  loadConfig,
  openLake,
  tableRef,
  UsageError,
  writeTable,
} from '../../layers/index.js';
import type { ProjectConfig } from '../../orchestrator/project-config.js';
import { executeTask } from '../../orchestrator/task-executor.js';
import { simulateMarket } from '../../pipelines/index.js';
import { marketlake } from '../helpers/cli.js';
import { createTestDatabase } from '../helpers/pg-database.js';
import { startS3Server } from '../helpers/s3-server.js';
import { tempLake } from '../helpers/temp-lake.js';

type Env = Awaited<ReturnType<typeof tempLake>>;

/** A folder outside the lake, for files that must (not) appear. */
async function outsideDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'marketlake-outside-'));
}

async function readParquet(path: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(`SELECT * FROM read_parquet('${path}')`);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe('marketlake query and sql only read (real CLI)', () => {
  let env: Env;
  let outside: string;
  let lake: string[];

  beforeAll(async () => {
    env = await tempLake('marketlake-readonly-');
    outside = await outsideDir();
    lake = ['--lake', env.dir];
    const session = await LakeSession.open(env.lake);
    try {
      for (const layer of ['silver', 'gold'] as const) {
        await writeTable(
          session,
          tableRef(layer, 'readonly_probe'),
          `SELECT range AS i, DATE '2024-03-04' AS dt FROM range(${layer === 'silver' ? 3 : 2})`,
          { operation: 'overwrite_partitions', partitionColumn: 'dt' },
        );
      }
    } finally {
      session.close();
    }
    await writeFile(join(outside, 'local.csv'), 'symbol,price\nAAPL,187.5\nMSFT,402.1\n');
  });

  afterAll(async () => {
    await env?.cleanup();
    if (outside) await rm(outside, { recursive: true, force: true });
  });

  it('refuses COPY ... TO with exit 2, names the statement, points to --out, and writes no file', () => {
    const target = join(outside, 'x.csv');
    const r = marketlake(['query', `copy (select 42) to '${target}'`, ...lake]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/COPY is refused/);
    expect(r.stderr).toContain('--out');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(target)).toBe(false);
  });

  it('refuses ATTACH + CREATE TABLE: no database file appears', () => {
    const db = join(outside, 'evil.db');
    const r = marketlake(['query', `attach '${db}' as e; create table e.t as select 1`, ...lake]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/ATTACH is refused/);
    expect(existsSync(db)).toBe(false);
  });

  it('refuses changing settings (external access, allowed directories)', () => {
    for (const sql of [
      'SET enable_external_access = true',
      `SET allowed_directories = ['${outside}']`,
      "SET profiling_output = '/tmp/p.json'",
    ]) {
      const r = marketlake(['query', sql, ...lake]);
      expect(r.code, sql).toBe(2);
      expect(r.stderr, sql).toMatch(/SET is refused/);
    }
  });

  it('refuses writes DuckDB makes before running or from inside a SELECT', () => {
    // Preparing EXPORT DATABASE alone creates its folder: the check must come before prepare.
    const exported = join(outside, 'export');
    const exp = marketlake(['query', `select 1; export database '${exported}'`, ...lake]);
    expect(exp.code, exp.stderr).toBe(2);
    expect(existsSync(exported)).toBe(false);
    // enable_logging() writes log files from inside a SELECT, even with the configuration locked.
    const logs = join(outside, 'logs');
    const log = marketlake([
      'query',
      `select * from enable_logging(storage = 'file', storage_path = '${logs}')`,
      ...lake,
    ]);
    expect(log.code, log.stderr).toBe(2);
    expect(log.stderr).toMatch(/enable_logging\(\) is refused/);
    expect(existsSync(logs)).toBe(false);
  });

  it('reads a local CSV outside the lake with read_csv', () => {
    const r = marketlake([
      'query',
      `select symbol, price from read_csv('${join(outside, 'local.csv')}') order by symbol`,
      '--format',
      'json',
      ...lake,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { symbol: 'AAPL', price: 187.5 },
      { symbol: 'MSFT', price: 402.1 },
    ]);
  });

  it('still reads the bronze, silver and gold views', () => {
    const r = marketlake([
      'query',
      'select (select count(*) from bronze.trades) as bronze, (select count(*) from silver.readonly_probe) as silver, (select sum(i) from gold.readonly_probe) as gold',
      '--format',
      'json',
      ...lake,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const [row] = JSON.parse(r.stdout);
    expect([Number(row.bronze), Number(row.silver), Number(row.gold)]).toEqual([0, 3, 1]);
  });

  it('--out writes csv, json and parquet results where the user says', async () => {
    const sql = 'select i, i * 10 as ten from silver.readonly_probe order by i';
    const csv = join(outside, 'r.csv');
    const c = marketlake(['query', sql, '--format', 'csv', '--out', csv, ...lake]);
    expect(c.code, c.stderr).toBe(0);
    expect(await readFile(csv, 'utf8')).toBe('i,ten\n0,0\n1,10\n2,20\n');

    const json = join(outside, 'r.json');
    const j = marketlake(['query', sql, '--format', 'json', '--out', json, ...lake]);
    expect(j.code, j.stderr).toBe(0);
    expect(JSON.parse(await readFile(json, 'utf8'))).toHaveLength(3);

    const parquet = join(outside, 'r.parquet');
    const p = marketlake(['query', `${sql};`, '--format', 'parquet', '--out', parquet, ...lake]);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toContain('wrote 3 rows');
    expect((await readParquet(parquet)).map((r) => Number(r.ten))).toEqual([0, 10, 20]);
  });

  it('--out refuses a file inside the lake and more than one statement', () => {
    const inLake = join(env.dir, 'silver', 'readonly_probe', 'evil.parquet');
    const r = marketlake(['query', 'select 1', '--format', 'parquet', '--out', inLake, ...lake]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/inside the lake/);
    expect(existsSync(inLake)).toBe(false);
    const target = join(outside, 'two.parquet');
    const two = marketlake([
      'query',
      `select 1; copy (select 2) to '${join(outside, 'smuggled.csv')}'`,
      '--format',
      'parquet',
      '--out',
      target,
      ...lake,
    ]);
    expect(two.code, two.stderr).toBe(2);
    expect(existsSync(target)).toBe(false);
    expect(existsSync(join(outside, 'smuggled.csv'))).toBe(false);
  });

  it('the sql shell refuses a COPY line and keeps going', () => {
    const target = join(outside, 'shell.csv');
    const shell = marketlake(
      ['sql', ...lake],
      {},
      `select 41 + 1 as answer;\ncopy (select 42) to '${target}';\nselect count(*) as probe_rows from silver.readonly_probe;\n.quit\n`,
    );
    expect(shell.code, shell.stderr).toBe(0);
    expect(shell.stdout).toMatch(/│ 42/);
    expect(shell.stdout).toMatch(/error: COPY is refused/);
    expect(shell.stdout).toMatch(/probe_rows[\s\S]*│ 3/);
    expect(existsSync(target)).toBe(false);
  });
});

describe('analyst sessions: the statement check (in process)', () => {
  let env: Env;
  let session: LakeSession;
  beforeAll(async () => {
    env = await tempLake('marketlake-analyst-');
    session = await LakeSession.open(env.lake, { access: 'analyst' });
  });
  afterAll(async () => {
    session?.close();
    await env?.cleanup();
  });

  it('allows queries: SELECT, WITH, FROM, VALUES, SHOW, DESCRIBE, SUMMARIZE, EXPLAIN, several at once', async () => {
    for (const sql of [
      'select 1 as x',
      'with a as (select 1 as x) select * from a',
      'from range(3)',
      'values (1), (2)',
      'show all tables',
      'describe select 1 as x',
      'summarize select 1 as x',
      'explain select 1',
      'explain analyze select 1',
      'select 1; select 2 as y',
      '-- a comment\nselect 1',
    ]) {
      const reader = await session.runUserSql(sql);
      expect(reader.columnNames().length, sql).toBeGreaterThan(0);
    }
  });

  it('refuses every statement that is not a query, before DuckDB binds it', async () => {
    for (const sql of [
      "copy (select 1) to '/tmp/never.csv'",
      "export database '/tmp/never-export'",
      "attach '/tmp/never.db' as e",
      'detach e',
      'install httpfs',
      'load json',
      'set threads = 1',
      'reset threads',
      'set variable v = 1',
      'use memory',
      'pragma enable_profiling',
      'checkpoint',
      'vacuum',
      'create table t as select 1',
      'create temp table t as select 1',
      "create persistent secret s (type http, bearer_token 'x')",
      'insert into bronze.trades select * from bronze.trades',
      'call pragma_version()',
      'prepare p as select 1',
      'begin',
      "explain analyze copy (select 1) to '/tmp/never.csv'",
      "select * from query('select 1')",
      "select * from query_table('gold.fact_bars')",
      'select * from checkpoint()',
      "select * from enable_profiling(save_location = '/tmp/never.json')",
      "select write_log('x')",
    ]) {
      await expect(session.runUserSql(sql), sql).rejects.toBeInstanceOf(UsageError);
    }
    expect(existsSync('/tmp/never-export')).toBe(false);
  });

  it('locks the configuration once the session is set up', async () => {
    await expect(session.connection.run('SET threads = 1')).rejects.toThrow(/locked/);
    await expect(session.connection.run("SET temp_directory = '/tmp'")).rejects.toThrow(/locked/);
  });
});

describe("service sessions (workers): DuckDB reaches only the lake's folders", () => {
  let env: Env;
  let outside: string;
  beforeAll(async () => {
    env = await tempLake('marketlake-service-');
    outside = await outsideDir();
    await writeFile(join(outside, 'input.csv'), 'a,b\n1,2\n');
  });
  afterAll(async () => {
    await env?.cleanup();
    if (outside) await rm(outside, { recursive: true, force: true });
  });

  it('reads and writes inside the lake; /etc/passwd and a COPY outside are refused', async () => {
    const session = await LakeSession.open(env.lake, { access: 'service' });
    const scratch = session.scratchDir!;
    try {
      await writeTable(
        session,
        tableRef('silver', 'service_probe'),
        "SELECT range AS i, DATE '2024-03-04' AS dt FROM range(4)",
        { operation: 'overwrite_partitions', partitionColumn: 'dt' },
      );
      const [row] = await session.all<{ n: string }>(
        'SELECT count(*)::VARCHAR AS n FROM silver.service_probe',
      );
      expect(row?.n).toBe('4');
      // Our own COPY into the scratch folder works (serving to PostgreSQL stages CSV there).
      await session.run(`COPY (SELECT 1 AS a) TO '${join(scratch, 'ok.csv')}'`);
      expect(existsSync(join(scratch, 'ok.csv'))).toBe(true);

      await expect(session.all("SELECT * FROM read_csv('/etc/passwd')")).rejects.toThrow(/Permission/);
      await expect(session.all(`SELECT * FROM read_csv('${join(outside, 'input.csv')}')`)).rejects.toThrow(
        /Permission/,
      );
      const escaped = join(outside, 'x.csv');
      await expect(session.run(`COPY (SELECT 1) TO '${escaped}'`)).rejects.toThrow(/Permission/);
      expect(existsSync(escaped)).toBe(false);
      // `<lake>/../` is not the lake.
      await expect(
        session.all(`SELECT * FROM read_csv('${env.dir}/../${outside.split('/').pop()}/input.csv')`),
      ).rejects.toThrow(/Permission/);

      // No way back: external access and the allowed folders cannot change; settings are locked
      // except the one the ingestion code toggles.
      await expect(session.run('SET enable_external_access = true')).rejects.toThrow();
      await expect(session.run("SET allowed_directories = ['/']")).rejects.toThrow();
      await expect(session.run('SET threads = 1')).rejects.toThrow(/locked/);
      await session.run("SET disabled_optimizers = 'build_side_probe_side'");
      await session.run('RESET disabled_optimizers');
      // Spill files go to the scratch folder.
      const [temp] = await session.all<{ t: string }>("SELECT current_setting('temp_directory') AS t");
      expect(temp?.t.startsWith(scratch)).toBe(true);
      // SQL from people is checked as in analyst sessions.
      await expect(
        session.runUserSql(`COPY (SELECT 1) TO '${join(scratch, 'user.csv')}'`),
      ).rejects.toBeInstanceOf(UsageError);
    } finally {
      session.close();
    }
    expect(existsSync(scratch)).toBe(false);
  });

  it('reads the extra input paths it is given, and only those', async () => {
    const session = await LakeSession.open(env.lake, { access: 'service', allowedPaths: [outside] });
    try {
      const rows = await session.all(`SELECT * FROM read_csv('${join(outside, 'input.csv')}')`);
      expect(rows).toEqual([{ a: '1', b: '2' }]);
      await expect(session.all("SELECT * FROM read_csv('/etc/passwd')")).rejects.toThrow(/Permission/);
    } finally {
      session.close();
    }
  });

  it('on an S3 lake it writes through the staging folder and reads through the cache', async () => {
    const s3 = await startS3Server();
    const db = await createTestDatabase('marketlake_service_s3');
    const cache = await mkdtemp(join(tmpdir(), 'marketlake-service-cache-'));
    // The SDK takes its credentials from the environment.
    const saved = Object.fromEntries(Object.keys(s3.env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, s3.env);
    const s3Lake = openLake(
      loadConfig({
        ...s3.env,
        LAKE_URL: `s3://${s3.bucket}/svc`,
        DATABASE_URL: db.url,
        LAKE_CACHE_DIR: cache,
      }),
    );
    try {
      const writer = await LakeSession.open(s3Lake, { access: 'service' });
      try {
        await writeTable(
          writer,
          tableRef('silver', 'service_probe'),
          "SELECT range AS i, DATE '2024-03-04' AS dt FROM range(5)",
          { operation: 'overwrite_partitions', partitionColumn: 'dt' },
        );
      } finally {
        writer.close();
      }
      const reader = await LakeSession.open(s3Lake, { access: 'service' });
      try {
        const [row] = await reader.all<{ n: string }>(
          'SELECT sum(i)::VARCHAR AS n FROM silver.service_probe',
        );
        expect(row?.n).toBe('10');
        await expect(reader.all("SELECT * FROM read_csv('/etc/passwd')")).rejects.toThrow(/Permission/);
      } finally {
        reader.close();
      }
    } finally {
      await s3Lake.close();
      await s3.stop();
      await db.drop();
      await rm(cache, { recursive: true, force: true });
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('a worker ingest task reads its landing folder and commits bronze and quarantine', async () => {
    const landing = await outsideDir();
    try {
      const market = simulateMarket({
        seed: 5,
        days: 1,
        tradesPerSymbolDay: 50,
        quotesPerSymbolDay: 1,
        postsPerSymbolDay: 1,
        badRecordRate: 0.05,
      });
      await writeFile(
        join(landing, 'trades.jsonl'),
        `${market.trades.map((t) => JSON.stringify(t)).join('\n')}\n`,
      );
      const project = {
        sources: [
          { name: 'ticks', dataset: 'trades', format: 'jsonl', landing, suffix: '.jsonl', options: {} },
        ],
        schedules: [],
        retries: { ingest: 1, model: 1, other: 1 },
      } as ProjectConfig;
      const ctx = {
        config: loadConfig({ LAKE_URL: env.dir }),
        lake: env.lake,
        logger: createLogger({ level: 'silent' }),
        project,
        sessionAccess: 'service' as const,
      };
      const outcome = await executeTask(
        ctx,
        { id: 'ingest:ticks', kind: 'ingest', target: 'ticks', dependsOn: [] },
        { pipeline: 'daily' },
        'run_readonly_test',
      );
      expect(outcome.rows).toBeGreaterThan(0);
      const check = await LakeSession.open(env.lake);
      try {
        const [row] = await check.all<{ bronze: string; quarantined: string }>(
          'SELECT (SELECT count(*) FROM bronze.trades)::VARCHAR AS bronze, (SELECT count(*) FROM quarantine.trades)::VARCHAR AS quarantined',
        );
        expect(Number(row?.bronze)).toBe(outcome.rows);
        expect(Number(row?.quarantined)).toBeGreaterThan(0);
      } finally {
        check.close();
      }
    } finally {
      await rm(landing, { recursive: true, force: true });
    }
  });
});
