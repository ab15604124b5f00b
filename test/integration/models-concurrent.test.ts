import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, isTransient, LakeSession, loadConfig, withCatalogLock } from '../../layers/index.js';
import { runModels } from '../../orchestrator/pipeline.js';
import type { ProjectConfig } from '../../orchestrator/project-config.js';
import { executeTask } from '../../orchestrator/task-executor.js';
import { tempLake } from '../helpers/temp-lake.js';
import { GOOD_TRADE } from '../helpers/trade-fixtures.js';
import { writeBronze } from './models.fixtures.js';

const logger = createLogger({ level: 'silent' });

describe('catalog leases', () => {
  let env: Awaited<ReturnType<typeof tempLake>>;
  beforeAll(async () => {
    env = await tempLake();
  });
  afterAll(async () => env.cleanup());

  it('serialise holders of one name and let a dead holder’s lease expire', async () => {
    const { catalog } = env.lake;
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    const hold = (i: number) =>
      withCatalogLock(catalog, 'probe', async () => {
        inside += 1;
        most = Math.max(most, inside);
        await new Promise((r) => setTimeout(r, 50));
        order.push(i);
        inside -= 1;
      });
    await Promise.all([hold(1), hold(2), hold(3)]);
    expect(most).toBe(1);
    expect(order.sort()).toEqual([1, 2, 3]);
    // A holder that died without unlocking: its lease stops others only until it expires.
    expect(await catalog.tryLock('dead', 'ghost', 300)).toBe(true);
    expect(await catalog.tryLock('dead', 'me', 60_000)).toBe(false);
    await new Promise((r) => setTimeout(r, 350));
    expect(await catalog.tryLock('dead', 'me', 60_000)).toBe(true);
  });
});

describe('two runs of the same models at once', () => {
  let env: Awaited<ReturnType<typeof tempLake>>;
  beforeAll(async () => {
    env = await tempLake();
    const session = await LakeSession.open(env.lake);
    try {
      const trades = Array.from({ length: 300 }, (_, i) => ({
        ...GOOD_TRADE,
        trade_id: String(i),
        event_at: new Date(Date.UTC(2024, 2, 4 + (i % 3), 14, 30 + (i % 60), i % 60)).toISOString(),
        price: 100 + (i % 17),
        conditions: [],
      }));
      await writeBronze(session, env.dir, 'trades', trades);
    } finally {
      session.close();
    }
  });
  afterAll(async () => env.cleanup());

  it('one builds, the other waits and finds every model up to date', async () => {
    const a = await LakeSession.open(env.lake);
    const b = await LakeSession.open(env.lake);
    try {
      const [ra, rb] = await Promise.all([runModels(a, logger), runModels(b, logger)]);
      for (const r of [...ra, ...rb]) expect(r.status, `${r.task}: ${r.error}`).toBe('succeeded');
      // Per model, exactly one of the two runs built it; the other planned after it and had nothing to do.
      for (const model of ra.map((r) => r.task)) {
        const actions = [ra, rb].map((rs) => rs.find((r) => r.task === model)?.action);
        expect(
          actions.filter((x) => x !== 'up_to_date'),
          model,
        ).toHaveLength(1);
      }
      // Each table has exactly one build commit: no partitions of one run beside the other's.
      const bars = await env.lake.catalog.history({ layer: 'gold', name: 'fact_bars' });
      expect(bars).toHaveLength(1);
    } finally {
      a.close();
      b.close();
    }
  });
});

describe('a model task that fails in its commit', () => {
  let env: Awaited<ReturnType<typeof tempLake>>;
  beforeAll(async () => {
    env = await tempLake();
    const session = await LakeSession.open(env.lake);
    try {
      await writeBronze(session, env.dir, 'trades', [{ ...GOOD_TRADE, conditions: [] }]);
    } finally {
      session.close();
    }
  });
  afterAll(async () => env.cleanup());

  it('keeps the cause, so a lost connection is retried and a bad model is not', async () => {
    const ctx = {
      config: loadConfig({ LAKE_URL: env.dir }),
      lake: env.lake,
      logger: logger,
      project: {
        sources: [],
        schedules: [],
        retries: { ingest: 1, model: 1, other: 1 },
      } as unknown as ProjectConfig,
    };
    const task = {
      id: 'model:silver.trades',
      kind: 'model' as const,
      target: 'silver.trades',
      dependsOn: [],
    };
    // silver.trades reads silver.symbol_refs and the sale-condition tables: build those first, untouched.
    for (const target of ['silver.symbol_refs', 'silver.sale_conditions', 'silver.sale_condition_codes']) {
      const upstream = { id: `model:${target}`, kind: 'model' as const, target, dependsOn: [] };
      await executeTask(ctx, upstream, { pipeline: 'models' }, 'run_cause');
    }
    const commitAll = env.lake.catalog.commitAll.bind(env.lake.catalog);
    const fail = (error: unknown) => {
      env.lake.catalog.commitAll = async () => {
        throw error;
      };
    };
    try {
      fail(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
      const transient = await executeTask(ctx, task, { pipeline: 'models' }, 'run_cause').catch((e) => e);
      expect(transient).toBeInstanceOf(Error);
      expect(isTransient(transient)).toBe(true);
      fail(new Error('Binder Error: column x not found'));
      const permanent = await executeTask(ctx, task, { pipeline: 'models' }, 'run_cause').catch((e) => e);
      expect(isTransient(permanent)).toBe(false);
    } finally {
      env.lake.catalog.commitAll = commitAll;
    }
    // With the catalog back, the retried task builds the table.
    const outcome = await executeTask(ctx, task, { pipeline: 'models' }, 'run_cause');
    expect(outcome.rows).toBe(1);
  });
});
