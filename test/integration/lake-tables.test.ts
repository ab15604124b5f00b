import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CommitError,
  compactTable,
  LAYERS,
  type Lake,
  LakeSession,
  layerFolder,
  loadConfig,
  openLake,
  S3ObjectStore,
  tableRef,
  vacuum,
  writeTable,
} from '../../layers/index.js';
import { createTestDatabase } from '../helpers/pg-database.js';
import { startS3Server } from '../helpers/s3-server.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Backend {
  name: string;
  setup(): Promise<{ env: Record<string, string>; cleanup(): Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'a local folder with the embedded SQLite catalog',
    async setup() {
      const dir = await mkdtemp(join(tmpdir(), 'marketlake-tables-'));
      return { env: { LAKE_URL: dir }, cleanup: () => rm(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'S3 (s3rver on loopback) with a PostgreSQL catalog',
    async setup() {
      const s3 = await startS3Server();
      const db = await createTestDatabase('marketlake_catalog');
      const cache = await mkdtemp(join(tmpdir(), 'marketlake-cache-'));
      // The SDK in this process reads credentials from the environment, like any deployment.
      Object.assign(process.env, s3.env);
      return {
        env: { ...s3.env, LAKE_URL: `s3://${s3.bucket}/lake`, CATALOG_URL: db.url, LAKE_CACHE_DIR: cache },
        cleanup: async () => {
          await s3.stop();
          await db.drop();
          await rm(cache, { recursive: true, force: true });
        },
      };
    },
  },
];

/** Run the writer helper as a separate process; resolves with its exit code and signal. */
function writer(env: Record<string, string>, args: string[], crashAt?: string) {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/helpers/lake-writer.ts', ...args],
    {
      cwd: root,
      env: {
        ...process.env,
        ...env,
        LOG_LEVEL: 'warn',
        ...(crashAt ? { MARKETLAKE_CRASH_AT: crashAt } : {}),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
}

async function rowsOf(lake: Lake, sql: string, asOf?: Date | number) {
  const session = await LakeSession.open(lake, asOf === undefined ? {} : { asOf });
  try {
    return await session.all<Record<string, unknown>>(sql);
  } finally {
    session.close();
  }
}

async function dataObjects(lake: Lake): Promise<string[]> {
  const keys: string[] = [];
  for (const layer of LAYERS) keys.push(...(await lake.store.list(layerFolder(layer))).map((o) => o.key));
  return keys.sort();
}

describe.each(backends)('lakehouse tables on $name', (backend) => {
  let env: Record<string, string>;
  let cleanup: () => Promise<void>;
  let lake: Lake;

  beforeAll(async () => {
    ({ env, cleanup } = await backend.setup());
    lake = openLake(loadConfig(env));
  }, 60_000);

  afterAll(async () => {
    await lake?.close();
    await cleanup?.();
  });

  it('stores objects byte for byte, including multipart uploads', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'marketlake-obj-'));
    try {
      const small = randomBytes(10_240);
      await writeFile(join(dir, 'small.bin'), small);
      const put = await lake.store.putFile('bronze/objtest/small.bin', join(dir, 'small.bin'));
      expect(put.bytes).toBe(10_240);
      const listed = await lake.store.list('bronze/objtest');
      expect(listed.map((o) => [o.key, o.size])).toEqual([['bronze/objtest/small.bin', 10_240]]);
      expect(await readFile(await lake.store.localPathForRead('bronze/objtest/small.bin', put.etag))).toEqual(
        small,
      );

      if (lake.store instanceof S3ObjectStore) {
        const big = randomBytes(12 * 1024 * 1024 + 123);
        await writeFile(join(dir, 'big.bin'), big);
        const multipart = new S3ObjectStore({
          url: env.LAKE_URL!,
          endpoint: env.S3_ENDPOINT!,
          multipartThreshold: 5 * 1024 * 1024,
          cacheDir: join(dir, 'cache'),
        });
        const res = await multipart.putFile('bronze/objtest/big.bin', join(dir, 'big.bin'));
        expect(res.bytes).toBe(big.length);
        const back = await readFile(await multipart.localPathForRead('bronze/objtest/big.bin'));
        expect(createHash('sha256').update(back).digest('hex')).toBe(
          createHash('sha256').update(big).digest('hex'),
        );
        await multipart.delete('bronze/objtest/big.bin');
        multipart.close();
      }
      await lake.store.delete('bronze/objtest/small.bin');
      expect(await lake.store.list('bronze/objtest')).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('time travel returns the old rows after an overwrite, by snapshot id and by time', async () => {
    const ref = tableRef('silver', 'travel');
    const session = await LakeSession.open(lake);
    try {
      await writeTable(
        session,
        ref,
        "SELECT 'old' AS label, range AS i, DATE '2024-03-04' AS dt FROM range(3)",
        {
          operation: 'overwrite_partitions',
          partitionColumn: 'dt',
        },
      );
      await new Promise((r) => setTimeout(r, 20));
      await writeTable(
        session,
        ref,
        "SELECT 'new' AS label, range AS i, DATE '2024-03-04' AS dt FROM range(5)",
        {
          operation: 'overwrite_partitions',
          partitionColumn: 'dt',
        },
      );
    } finally {
      session.close();
    }
    const history = await lake.catalog.history(ref);
    expect(history.map((h) => [h.version, h.rows])).toEqual([
      [1, 3],
      [2, 5],
    ]);
    const now = await rowsOf(lake, 'SELECT label, count(*)::INT AS n FROM silver.travel GROUP BY 1');
    expect(now).toEqual([{ label: 'new', n: 5 }]);
    const byId = await rowsOf(
      lake,
      'SELECT label, count(*)::INT AS n FROM silver.travel GROUP BY 1',
      history[0]!.snapshotId,
    );
    expect(byId).toEqual([{ label: 'old', n: 3 }]);
    const byTime = await rowsOf(
      lake,
      'SELECT label, count(*)::INT AS n FROM silver.travel GROUP BY 1',
      new Date(history[0]!.committedAt),
    );
    expect(byTime).toEqual([{ label: 'old', n: 3 }]);
  });

  it.each(['after-staging', 'after-first-upload', 'before-commit', 'catalog-in-transaction'])(
    'a writer killed at %s leaves exactly the last committed snapshot, and vacuum removes its orphans',
    async (point) => {
      const table = `silver.crash_${point.replace(/-/g, '_')}`;
      const base = await writer(env, [table, '2024-03-04', 'base', '100', '1', 'overwrite']);
      expect(base.code, base.stderr).toBe(0);
      const crashed = await writer(env, [table, '2024-03-04', 'new', '200', '1', 'overwrite'], point);
      expect(crashed.signal).toBe('SIGKILL');
      const rows = await rowsOf(lake, `SELECT label, count(*)::INT AS n FROM ${table} GROUP BY 1`);
      expect(rows).toEqual([{ label: 'base', n: 100 }]);

      await vacuum(lake, { orphanGraceMs: 0 });
      const referenced = await lake.catalog.referencedKeys();
      expect((await dataObjects(lake)).filter((k) => !referenced.has(k))).toEqual([]);
      // The table still takes commits after the crash (no lock left behind).
      const after = await writer(env, [table, '2024-03-04', 'after', '7', '1', 'overwrite']);
      expect(after.code, after.stderr).toBe(0);
      expect(await rowsOf(lake, `SELECT label, count(*)::INT AS n FROM ${table} GROUP BY 1`)).toEqual([
        { label: 'after', n: 7 },
      ]);
    },
    60_000,
  );

  it('two processes overwriting one partition 20 times each end with one complete input; readers never see a mix', async () => {
    const table = 'silver.contended';
    const a = writer(env, [table, '2024-03-05', 'A', '1000', '20', 'overwrite']);
    const b = writer(env, [table, '2024-03-05', 'B', '1500', '20', 'overwrite']);
    let done = false;
    const seen: string[] = [];
    const reader = (async () => {
      while (!done) {
        const rows = await rowsOf(
          lake,
          `SELECT label, count(*)::INT AS n FROM ${table} GROUP BY 1 ORDER BY 1`,
        ).catch(() => []);
        if (rows.length) seen.push(JSON.stringify(rows));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const results = await Promise.all([a, b]);
    done = true;
    await reader;
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const final = await rowsOf(lake, `SELECT label, count(*)::INT AS n FROM ${table} GROUP BY 1`);
    expect([JSON.stringify([{ label: 'A', n: 1000 }]), JSON.stringify([{ label: 'B', n: 1500 }])]).toContain(
      JSON.stringify(final),
    );
    for (const s of seen) {
      expect([
        JSON.stringify([{ label: 'A', n: 1000 }]),
        JSON.stringify([{ label: 'B', n: 1500 }]),
      ]).toContain(s);
    }
    expect((await lake.catalog.history(tableRef('silver', 'contended'))).length).toBe(40);
  }, 240_000);

  it('two processes appending to different partitions lose no commit', async () => {
    const table = 'bronze.appends';
    const results = await Promise.all([
      writer(env, [table, '2024-03-06', 'C', '10', '20', 'append']),
      writer(env, [table, '2024-03-07', 'D', '10', '20', 'append']),
    ]);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const rows = await rowsOf(
      lake,
      `SELECT label, count(*)::INT AS n, count(DISTINCT iteration)::INT AS it FROM ${table} GROUP BY 1 ORDER BY 1`,
    );
    expect(rows).toEqual([
      { label: 'C', n: 200, it: 20 },
      { label: 'D', n: 200, it: 20 },
    ]);
  }, 240_000);

  it('adding a nullable column reads old files as null; an incompatible type change is refused', async () => {
    const ref = tableRef('bronze', 'evolving');
    const session = await LakeSession.open(lake);
    try {
      const opts = { operation: 'append' as const, partitionColumn: 'dt' };
      await writeTable(
        session,
        ref,
        "SELECT 'AAPL' AS symbol, 1.5::DOUBLE AS price, DATE '2024-03-04' AS dt",
        opts,
      );
      await writeTable(
        session,
        ref,
        "SELECT 'MSFT' AS symbol, 2.5::DOUBLE AS price, 'XNAS' AS venue, DATE '2024-03-04' AS dt",
        opts,
      );
      const rows = await session.all('SELECT symbol, price, venue FROM bronze.evolving ORDER BY symbol');
      expect(rows).toEqual([
        { symbol: 'AAPL', price: 1.5, venue: null },
        { symbol: 'MSFT', price: 2.5, venue: 'XNAS' },
      ]);
      await expect(
        writeTable(session, ref, "SELECT 42 AS symbol, 3.5::DOUBLE AS price, DATE '2024-03-04' AS dt", opts),
      ).rejects.toBeInstanceOf(CommitError);
      expect(await session.all('SELECT count(*)::INT AS n FROM bronze.evolving')).toEqual([{ n: 2 }]);
    } finally {
      session.close();
    }
  });

  it('compaction merges small files without changing query results', async () => {
    const ref = tableRef('bronze', 'small_files');
    const session = await LakeSession.open(lake);
    try {
      for (let i = 0; i < 6; i++) {
        await writeTable(
          session,
          ref,
          `SELECT ${i} AS batch, range AS i, DATE '2024-03-0${4 + (i % 2)}' AS dt FROM range(${10 + i})`,
          { operation: 'append', partitionColumn: 'dt' },
        );
      }
      const query =
        'SELECT dt::VARCHAR AS dt, batch, count(*)::INT AS n, sum(i)::INT AS s FROM bronze.small_files GROUP BY ALL ORDER BY ALL';
      const before = await session.all(query);
      const result = await compactTable(session, ref);
      expect(result).toMatchObject({ partitions: 2, filesBefore: 6, filesAfter: 2 });
      expect((await lake.catalog.snapshot(ref))!.files).toHaveLength(2);
      const fresh = await rowsOf(lake, query);
      expect(fresh).toEqual(before);
    } finally {
      session.close();
    }
  });
});
