import { spawn } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DuplicateBatchError,
  type Lake,
  LakeSession,
  openLake,
  type StagedRows,
  stageRows,
  tableRef,
} from '../../layers/index.js';
import { commitStagedTables } from '../../layers/table-writer.js';
import { writeBronzeBatch } from '../../pipelines/bronze/bronze-writer.js';
import { createTestDatabase } from '../helpers/pg-database.js';
import { tempLake } from '../helpers/temp-lake.js';
import { GOOD_TRADE } from '../helpers/trade-fixtures.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** JSON Lines trades: `n` valid ones and two that the contract refuses. */
function tradesFile(n: number): string {
  const lines = Array.from({ length: n }, (_, i) =>
    JSON.stringify({ ...GOOD_TRADE, trade_id: String(i), price: 100 + (i % 50) / 10 }),
  );
  lines.push(JSON.stringify({ ...GOOD_TRADE, trade_id: 'bad-1', price: -1 }));
  lines.push(JSON.stringify({ ...GOOD_TRADE, trade_id: 'bad-2', symbol: 'not a symbol!' }));
  return `${lines.join('\n')}\n`;
}

interface IngestJson {
  code: number | null;
  results: Array<{ accepted: number; quarantined: number; duplicateBatch: boolean }>;
  stderr: string;
}

/** `marketlake ingest --json`, started without waiting (processes race each other). */
function ingestProcess(env: Record<string, string>, file: string): Promise<IngestJson> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'cli/main.ts', 'ingest', 'trades', file, '--format', 'jsonl', '--json'],
      { cwd: root, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += String(d);
    });
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(stdout);
      } catch {
        parsed = undefined;
      }
      const list = Array.isArray(parsed)
        ? parsed
        : ((parsed as { files?: unknown[] } | undefined)?.files ??
          (parsed as { results?: unknown[] } | undefined)?.results ??
          (parsed ? [parsed] : []));
      resolve({ code, results: list as IngestJson['results'], stderr: `${stderr}\n${stdout}` });
    });
  });
}

async function counts(lake: Lake): Promise<{ bronze: number; distinct: number; quarantine: number }> {
  const session = await LakeSession.open(lake);
  try {
    const [b] = await session.all<{ n: string; d: string }>(
      'SELECT count(*)::BIGINT AS n, count(DISTINCT trade_id)::BIGINT AS d FROM bronze.trades',
    );
    const [q] = await session.all<{ n: string }>('SELECT count(*)::BIGINT AS n FROM quarantine.trades');
    return { bronze: Number(b?.n), distinct: Number(b?.d), quarantine: Number(q?.n) };
  } finally {
    session.close();
  }
}

async function parquetFilesUnder(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return entries.filter((e) => String(e).endsWith('.parquet')).length;
}

describe.each(['sqlite', 'postgres'] as const)('one batch per content, %s catalog', (kind) => {
  let env: Awaited<ReturnType<typeof tempLake>>;
  let db: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  let lake: Lake;
  let catalogEnv: Record<string, string>;

  beforeAll(async () => {
    env = await tempLake();
    if (kind === 'postgres') {
      db = await createTestDatabase('ml_concurrent');
      catalogEnv = { CATALOG_URL: db.url };
      await env.lake.close();
      lake = openLake({ lakeUrl: env.dir, catalogUrl: db.url });
    } else {
      catalogEnv = {};
      lake = env.lake;
    }
  });
  afterAll(async () => {
    if (lake !== env.lake) await lake.close();
    await env.cleanup();
    await db?.drop();
  });

  it('the commit refuses a batch the table already holds, inside its transaction', async () => {
    const session = await LakeSession.open(lake);
    const staged: StagedRows[] = [];
    try {
      const stage = async () => {
        const rows = await stageRows(session, "SELECT 'x' AS v, DATE '2024-03-04' AS dt", 'dt');
        staged.push(rows);
        return rows;
      };
      const ref = tableRef('bronze', 'concurrency_probe');
      const batch = { batchId: 'b1', contentHash: 'hash-1', source: 'probe' };
      const first = await stage();
      await commitStagedTables(session, [
        { ref, staged: first, options: { operation: 'append', batch, uniqueBatch: true } },
      ]);
      const before = await lake.catalog.snapshot(ref);
      // A second writer of the same content that got past any early check.
      const second = await stage();
      await expect(
        commitStagedTables(session, [
          { ref, staged: second, options: { operation: 'append', batch, uniqueBatch: true } },
        ]),
      ).rejects.toBeInstanceOf(DuplicateBatchError);
      const after = await lake.catalog.snapshot(ref);
      expect(after?.version).toBe(before?.version);
      expect(after?.files).toEqual(before?.files);
      // Its files were removed, not left for vacuum: only the first writer's file is in the table folder.
      expect(await parquetFilesUnder(join(env.dir, 'bronze', 'concurrency_probe'))).toBe(1);
      // A forced re-ingest (no uniqueness) still commits.
      const forced = await stage();
      const [w] = await commitStagedTables(session, [
        { ref, staged: forced, options: { operation: 'append', batch: { ...batch, batchId: 'b2' } } },
      ]);
      expect(w?.snapshot.files).toHaveLength(2);
    } finally {
      session.close();
    }
  });

  it('a multi-table commit is all or nothing', async () => {
    const session = await LakeSession.open(lake);
    try {
      const a = tableRef('bronze', 'pair_a');
      const b = tableRef('bronze', 'pair_b');
      const batch = { batchId: 'p1', contentHash: 'pair-hash', source: 'probe' };
      const stage = () => stageRows(session, "SELECT 1 AS v, DATE '2024-03-04' AS dt", 'dt');
      await commitStagedTables(session, [
        { ref: b, staged: await stage(), options: { operation: 'append', batch, uniqueBatch: true } },
      ]);
      // a is new, b refuses the batch: a must not get a snapshot either.
      await expect(
        commitStagedTables(session, [
          { ref: a, staged: await stage(), options: { operation: 'append', batch } },
          { ref: b, staged: await stage(), options: { operation: 'append', batch, uniqueBatch: true } },
        ]),
      ).rejects.toBeInstanceOf(DuplicateBatchError);
      expect(await lake.catalog.snapshot(a)).toBeUndefined();
    } finally {
      session.close();
    }
  });

  it('records that got past the early duplicate check are still stored once', async () => {
    const session = await LakeSession.open(lake);
    // As if two writers read the catalog before either committed.
    const findBatch = lake.catalog.findBatch.bind(lake.catalog);
    lake.catalog.findBatch = async () => undefined;
    try {
      const records = () =>
        [GOOD_TRADE, { ...GOOD_TRADE, trade_id: '43' }, { ...GOOD_TRADE, price: -5 }].map((value, i) => ({
          value,
          line: i + 1,
        }));
      const first = await writeBronzeBatch(session, 'trades', records(), {
        source: 'feed',
      });
      const second = await writeBronzeBatch(session, 'trades', records(), { source: 'feed' });
      expect(first).toMatchObject({ accepted: 2, quarantined: 1, duplicateBatch: false });
      expect(second).toMatchObject({ accepted: 0, quarantined: 0, duplicateBatch: true });
    } finally {
      lake.catalog.findBatch = findBatch;
      session.close();
    }
    const c = await counts(lake);
    expect(c.bronze).toBe(2);
    expect(c.quarantine).toBe(1);
  });

  it('the same file ingested by four processes at once is stored once', async () => {
    const file = join(env.dir, '..', `concurrent-${kind}-${process.pid}.jsonl`);
    await writeFile(file, tradesFile(10_000));
    const lakeEnv = { LAKE_URL: env.dir, ...catalogEnv };
    const before = await counts(lake);
    const runs = await Promise.all(Array.from({ length: 4 }, () => ingestProcess(lakeEnv, file)));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const results = runs.flatMap((r) => r.results);
    expect(results).toHaveLength(4);
    const winners = results.filter((r) => !r.duplicateBatch);
    expect(winners).toHaveLength(1);
    expect(winners[0]).toMatchObject({ accepted: 10_000, quarantined: 2 });
    expect(results.filter((r) => r.duplicateBatch).every((r) => r.accepted === 0)).toBe(true);
    const after = await counts(lake);
    expect(after.bronze - before.bronze).toBe(10_000);
    expect(after.quarantine - before.quarantine).toBe(2);
  });
});
