import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileCache } from '../../layers/storage/file-cache.js';

describe('FileCache', () => {
  let dir: string | undefined;
  afterEach(async () => dir && rm(dir, { recursive: true, force: true }));

  it('keys by object and ETag, and evicts the least recently used files past its bound', async () => {
    dir = await mkdtemp(join(tmpdir(), 'marketlake-cache-test-'));
    const writerCache = new FileCache(dir, 2_500);
    expect(writerCache.pathFor('a.parquet', 'e1')).not.toBe(writerCache.pathFor('a.parquet', 'e2'));
    const paths = ['a', 'b', 'c'].map((k) => writerCache.pathFor(`${k}.parquet`, 'etag'));
    for (const [i, p] of paths.entries()) {
      await writeFile(p, Buffer.alloc(1_000));
      const t = new Date(Date.now() - (10 - i) * 60_000);
      await utimes(p, t, t);
    }
    // A second process's cache (nothing pinned) adds a file: the oldest go until it fits.
    const other = new FileCache(dir, 2_500);
    const d = other.pathFor('d.parquet', 'etag');
    await writeFile(d, Buffer.alloc(1_000));
    await other.added(d);
    const left = (await readdir(dir)).sort();
    expect(left).toHaveLength(2);
    expect(left).not.toContain(paths[0]!.split('/').pop());
    expect(left).not.toContain(paths[1]!.split('/').pop());
    expect(await other.hit(d)).toBe(d);
    expect(await other.hit(paths[0]!)).toBeUndefined();
  });
});
