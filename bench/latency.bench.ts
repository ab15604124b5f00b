/**
 * `npm run bench -- latency`: interactive command latency (issue #23) on a small demo lake (every
 * table of the pipeline, about 30), each command a whole `marketlake` process, median of
 * BENCH_LATENCY_REPEAT runs (default 5), beside the floor measured in the same run: a Node process
 * that loads @duckdb/node-api and runs `select 1`. Targets: query, tables, runs, models within 1.5×
 * of the floor; `run` with nothing changed within 3×.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResult } from './report.js';

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/marketlake.js');
const FLOOR_NAME = 'node + @duckdb/node-api + select 1';

function seconds(args: string[]): number {
  const started = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench: ${args.join(' ')} failed: ${r.stderr}`);
  return (performance.now() - started) / 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

export async function benchLatency(repeat: number): Promise<BenchResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'marketlake-latency-'));
  const lake = join(dir, 'lake');
  try {
    // The whole pipeline once, small: every bronze, silver and gold table exists with a snapshot.
    const demo = ['demo', '--days', '1', '--trades-per-day', '500', '--quotes-per-day', '500', '--no-serve'];
    seconds([BIN, '--lake', lake, ...demo]);
    const floorScript = `const {DuckDBInstance}=await import('@duckdb/node-api');const i=await DuckDBInstance.create(':memory:');const c=await i.connect();await c.run('select 1');`;
    const commands: [string, string[], number][] = [
      ['query "select 1"', ['query', 'select 1'], 1.5],
      ['query over one table', ['query', 'select count(*) from bronze.trades'], 1.5],
      ['tables', ['tables'], 1.5],
      ['runs', ['runs'], 1.5],
      ['models', ['models'], 1.5],
      ['run with nothing changed', ['run'], 3],
    ];
    const floors: number[] = [];
    const times = new Map<string, number[]>(commands.map(([label]) => [label, []]));
    // Interleaved rounds, so a burst of load on the shared machine hits the floor and the commands alike.
    for (let i = 0; i < repeat; i++) {
      floors.push(seconds(['--input-type=module', '-e', floorScript]));
      for (const [label, args] of commands) times.get(label)!.push(seconds([BIN, '--lake', lake, ...args]));
    }
    const floor = median(floors);
    return commands.map(([label, , target]) => ({
      name: `marketlake ${label} (target: within ${target}× of the floor)`,
      unit: 's',
      value: median(times.get(label)!),
      limit: floor,
      limitName: FLOOR_NAME,
      lowerIsBetter: true,
      note: `${(median(times.get(label)!) / floor).toFixed(2)}× the floor`,
    }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
