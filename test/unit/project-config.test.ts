import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../layers/index.js';
import { loadProjectConfig } from '../../orchestrator/project-config.js';
import { ticksBetween } from '../../orchestrator/queue/schedules.js';
import { nextTasks, type PlannedTask } from '../../orchestrator/run-plan.js';

describe('project configuration', () => {
  it('the shipped example is valid', () => {
    const example = fileURLToPath(new URL('../../marketlake.example.yaml', import.meta.url));
    const config = loadProjectConfig(example);
    expect(config.schedules.map((s) => [s.name, s.tz, s.pipeline])).toEqual([
      ['daily', 'America/New_York', 'daily'],
      ['refresh', 'UTC', 'models'],
      ['maintenance', 'UTC', 'maintenance'],
    ]);
    expect(config.sources[0]).toMatchObject({ dataset: 'trades', format: 'jsonl' });
  });

  it('lists every problem of a bad file at once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'marketlake-config-'));
    try {
      const file = join(dir, 'bad.yaml');
      await writeFile(
        file,
        'sources:\n  - name: Bad Name\n    dataset: orders\nschedules:\n  - name: x\n    cron: "* * * * *"\n    pipeline: nightly\n',
      );
      let error: unknown;
      try {
        loadProjectConfig(file);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      for (const part of [
        'sources.0.name',
        'sources.0.dataset',
        'sources.0.format',
        'schedules.0.pipeline',
      ]) {
        expect(message).toContain(part);
      }
      expect(() => loadProjectConfig(join(dir, 'missing.yaml'))).toThrow(ConfigError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('schedules and plans', () => {
  it('enumerates cron ticks in the schedule time zone, across a DST change', () => {
    // 16:30 New York on weekdays: 21:30Z before 2024-03-10 (EST), 20:30Z after (EDT).
    const ticks = ticksBetween(
      '30 16 * * 1-5',
      'America/New_York',
      new Date('2024-03-07T00:00:00Z'),
      new Date('2024-03-12T23:00:00Z'),
    );
    expect(ticks).toEqual([
      '2024-03-07T21:30:00.000Z',
      '2024-03-08T21:30:00.000Z',
      '2024-03-11T20:30:00.000Z',
      '2024-03-12T20:30:00.000Z',
    ]);
  });

  it('skips the dependents of a failed task and readies the rest', () => {
    const plan: PlannedTask[] = [
      { id: 'a', kind: 'model', dependsOn: [] },
      { id: 'b', kind: 'model', dependsOn: ['a'] },
      { id: 'c', kind: 'model', dependsOn: [] },
      { id: 'd', kind: 'model', dependsOn: ['b', 'c'] },
    ];
    expect(nextTasks(plan, new Map()).ready.map((t) => t.id)).toEqual(['a', 'c']);
    const after = nextTasks(
      plan,
      new Map([
        ['a', 'failed'],
        ['c', 'succeeded'],
      ] as const),
    );
    expect(after.skipped.map((t) => t.id)).toEqual(['b']);
    expect(after.ready).toEqual([]);
    const later = nextTasks(
      plan,
      new Map([
        ['a', 'failed'],
        ['b', 'skipped'],
        ['c', 'succeeded'],
      ] as const),
    );
    expect(later.skipped.map((t) => t.id)).toEqual(['d']);
  });
});
