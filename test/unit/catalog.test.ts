import { afterEach, describe, expect, it } from 'vitest';
import {
  CommitError,
  type DataFile,
  parseTableName,
  StorageError,
  tableRef,
  UsageError,
} from '../../layers/index.js';
import { dataFileKey } from '../../layers/names.js';
import { tempLake } from '../helpers/temp-lake.js';

const ref = tableRef('silver', 'trades');
const cols = [
  { name: 'symbol', type: 'VARCHAR' },
  { name: 'dt', type: 'DATE' },
];
const file = (key: string, partition: string, rows = 1): DataFile => ({ key, partition, rows, bytes: 10 });

describe('SqlCatalog commits', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  it('overwrite_partitions replaces only the named partitions, including emptied ones', async () => {
    const t = await tempLake();
    cleanup = t.cleanup;
    const base = { columns: cols, partitionColumn: 'dt' };
    await t.lake.catalog.commit(ref, {
      ...base,
      operation: 'append',
      files: [file('a', '2024-03-04'), file('b', '2024-03-05'), file('c', '2024-03-06')],
    });
    const snap = await t.lake.catalog.commit(ref, {
      ...base,
      operation: 'overwrite_partitions',
      files: [file('d', '2024-03-04')],
      partitions: ['2024-03-04', '2024-03-05'],
    });
    expect(snap.version).toBe(2);
    expect(snap.files.map((f) => f.key).sort()).toEqual(['c', 'd']);
    expect((await t.lake.catalog.snapshotVersion(ref, 1))?.files.map((f) => f.key)).toEqual(['a', 'b', 'c']);
  });

  it('rewrite_files replaces exactly its files and refuses files that are gone', async () => {
    const t = await tempLake();
    cleanup = t.cleanup;
    const base = { columns: cols, partitionColumn: 'dt' };
    await t.lake.catalog.commit(ref, {
      ...base,
      operation: 'append',
      files: [file('a', 'p'), file('b', 'p')],
    });
    await t.lake.catalog.commit(ref, { ...base, operation: 'append', files: [file('c', 'p')] });
    const merged = await t.lake.catalog.commit(ref, {
      ...base,
      operation: 'rewrite_files',
      files: [file('ab', 'p', 2)],
      removeKeys: ['a', 'b'],
    });
    expect(merged.files.map((f) => f.key).sort()).toEqual(['ab', 'c']);
    await expect(
      t.lake.catalog.commit(ref, {
        ...base,
        operation: 'rewrite_files',
        files: [file('x', 'p')],
        removeKeys: ['a'],
      }),
    ).rejects.toBeInstanceOf(CommitError);
  });

  it('refuses an incompatible type change and accepts a new column', async () => {
    const t = await tempLake();
    cleanup = t.cleanup;
    await t.lake.catalog.commit(ref, {
      operation: 'append',
      columns: cols,
      partitionColumn: 'dt',
      files: [],
    });
    await expect(
      t.lake.catalog.commit(ref, {
        operation: 'append',
        columns: [{ name: 'symbol', type: 'BIGINT' }, cols[1]!],
        partitionColumn: 'dt',
        files: [],
      }),
    ).rejects.toBeInstanceOf(CommitError);
    const grown = await t.lake.catalog.commit(ref, {
      operation: 'append',
      columns: [...cols, { name: 'venue', type: 'VARCHAR' }],
      partitionColumn: 'dt',
      files: [],
    });
    expect(grown.columns.map((c) => c.name)).toEqual(['symbol', 'dt', 'venue']);
  });
});

describe('SqlCatalog history', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  it('concurrent appends never lose a commit', async () => {
    const t = await tempLake();
    cleanup = t.cleanup;
    const writers = Array.from({ length: 12 }, (_, i) =>
      t.lake.catalog.commit(ref, {
        operation: 'append',
        columns: cols,
        partitionColumn: 'dt',
        files: [file(`f${i}`, '2024-03-04', i + 1)],
      }),
    );
    await Promise.all(writers);
    const snap = await t.lake.catalog.snapshot(ref);
    expect(snap?.version).toBe(12);
    expect(snap?.files.map((f) => f.key).sort()).toEqual(
      Array.from({ length: 12 }, (_, i) => `f${i}`).sort(),
    );
    expect((await t.lake.catalog.history(ref)).map((h) => h.version)).toEqual(
      [...Array(12).keys()].map((i) => i + 1),
    );
  });

  it('reads an older snapshot by time', async () => {
    const t = await tempLake();
    cleanup = t.cleanup;
    const base = { columns: cols, partitionColumn: 'dt' };
    const first = await t.lake.catalog.commit(ref, {
      ...base,
      operation: 'append',
      files: [file('old', '2024-03-04')],
    });
    await new Promise((r) => setTimeout(r, 15));
    await t.lake.catalog.commit(ref, { ...base, operation: 'replace', files: [file('new', '2024-03-04')] });
    const then = await t.lake.catalog.snapshot(ref, new Date(first.committedAt));
    expect(then?.files.map((f) => f.key)).toEqual(['old']);
    expect((await t.lake.catalog.snapshot(ref))?.files.map((f) => f.key)).toEqual(['new']);
    expect(await t.lake.catalog.snapshot(ref, new Date('2000-01-01'))).toBeUndefined();
  });
});

describe('names', () => {
  it('never lets a name or partition value escape the lake', async () => {
    expect(() => tableRef('bronze', '../etc')).toThrow(UsageError);
    expect(() => parseTableName('gold.fact_bars.x')).toThrow(UsageError);
    expect(() => parseTableName('system.tables')).toThrow(UsageError);
    expect(() => dataFileKey(ref, 'dt', '../../x', 'a.parquet')).toThrow(UsageError);
    expect(() => dataFileKey(ref, 'dt', '2024-03-04', '../a.parquet')).toThrow(UsageError);
    expect(dataFileKey(ref, 'dt', '2024-03-04', 'part_1.parquet')).toBe(
      'silver/trades/dt=2024-03-04/part_1.parquet',
    );
    const t = await tempLake();
    try {
      await expect(t.lake.store.readText('../outside')).rejects.toBeInstanceOf(StorageError);
    } finally {
      await t.cleanup();
    }
  });
});
