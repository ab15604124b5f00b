import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, LakeSession, loadConfig } from '../../layers/index.js';
import { MODELS } from '../../models/index.js';
import { runPlanInProcess } from '../../orchestrator/in-process-runner.js';
import { buildDag } from '../../orchestrator/index.js';
import { loadProjectConfig } from '../../orchestrator/project-config.js';
import { planRun } from '../../orchestrator/run-plan.js';
import { simulateMarket } from '../../pipelines/index.js';
import { tempLake } from '../helpers/temp-lake.js';

const logger = createLogger({ level: 'silent', json: true });

describe('the daily pipeline with landing-folder sources', () => {
  let env: Awaited<ReturnType<typeof tempLake>>;
  beforeAll(async () => {
    env = await tempLake('marketlake-daily-');
  });
  afterAll(async () => env?.cleanup());

  it('ingests each new file once, builds, checks and serves', async () => {
    const market = simulateMarket({
      days: 1,
      tradesPerSymbolDay: 100,
      quotesPerSymbolDay: 20,
      postsPerSymbolDay: 2,
      badRecordRate: 0.02,
    });
    const landing = join(env.dir, 'landing');
    await mkdir(join(landing, 'trades'), { recursive: true });
    await mkdir(join(landing, 'refs'), { recursive: true });
    const jsonl = (rows: unknown[]) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
    await writeFile(join(landing, 'trades', 'day1.jsonl'), jsonl(market.trades));
    await writeFile(join(landing, 'trades', 'ignored.txt'), 'not a source file\n');
    await writeFile(join(landing, 'refs', 'refs.jsonl'), jsonl(market.symbolRefs));
    const configFile = join(env.dir, 'marketlake.yaml');
    await writeFile(
      configFile,
      [
        'sources:',
        '  - { name: trades, dataset: trades, format: jsonl, landing: "' +
          join(landing, 'trades') +
          '", suffix: .jsonl }',
        '  - { name: refs, dataset: symbol_refs, format: jsonl, landing: "' +
          join(landing, 'refs') +
          '", suffix: .jsonl }',
        'schedules: []',
        '',
      ].join('\n'),
    );
    const project = loadProjectConfig(configFile);
    const config = loadConfig({ LAKE_URL: env.dir });
    const session = await LakeSession.open(env.lake);
    const plan = planRun(await buildDag(session, MODELS), project, 'daily');
    session.close();
    expect(plan.map((t) => t.id)).toEqual(
      expect.arrayContaining(['ingest:trades', 'ingest:refs', 'quality', 'serve']),
    );
    expect(plan.find((t) => t.id === 'model:silver.trades')?.dependsOn).toEqual(
      expect.arrayContaining(['ingest:trades', 'ingest:refs']),
    );

    const run = async (runId: string) => {
      await env.lake.runs.startRun({
        runId,
        trigger: 'schedule',
        command: 'daily',
        status: 'running',
        startedAt: new Date().toISOString(),
      });
      return runPlanInProcess(
        { config, lake: env.lake, logger, project },
        plan,
        { pipeline: 'daily' },
        runId,
        2,
      );
    };
    const first = await run('run_daily_1');
    expect(first.filter((t) => t.status !== 'succeeded')).toEqual([]);
    expect(first.find((t) => t.task === 'ingest:trades')?.detail).toMatchObject({ files: 1, newFiles: 1 });
    const served = first.find((t) => t.task === 'serve');
    expect(served?.rows).toBeGreaterThan(0);

    const second = await run('run_daily_2');
    expect(second.find((t) => t.task === 'ingest:trades')?.detail).toMatchObject({ files: 1, newFiles: 0 });
    const check = await LakeSession.open(env.lake);
    const [row] = await check.all<{ n: string; q: string }>(
      'SELECT (SELECT count(*) FROM bronze.trades) AS n, (SELECT count(*) FROM quarantine.trades) AS q',
    );
    check.close();
    expect(Number(row!.n) + Number(row!.q)).toBe(market.trades.length);
    expect(Number(row!.q)).toBe(market.badRecords.trades);
  }, 180_000);
});
