import { createHash } from 'node:crypto';
import { mkdir, readdir, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A bounded local cache of immutable objects, keyed by object key and ETag. Least recently used
 * files are evicted past `maxBytes`, except those this process handed out (DuckDB may be reading them).
 */
export class FileCache {
  private readonly pinned = new Set<string>();

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
  ) {}

  /** Path where the object `(key, etag)` lives in the cache. */
  pathFor(key: string, etag: string): string {
    const name = createHash('sha256').update(key).update('\0').update(etag).digest('hex').slice(0, 40);
    const ext = key.endsWith('.parquet') ? '.parquet' : '';
    return join(this.dir, `${name}${ext}`);
  }

  /** The cached path if present (and marks it used), else undefined. */
  async hit(path: string): Promise<string | undefined> {
    try {
      await stat(path);
      const now = new Date();
      await utimes(path, now, now);
      this.pinned.add(path);
      return path;
    } catch {
      return undefined;
    }
  }

  async ensureDir(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  /** Record a newly added file and evict the least recently used files beyond the bound. */
  async added(path: string): Promise<void> {
    this.pinned.add(path);
    const files = [];
    let total = 0;
    for (const name of await readdir(this.dir)) {
      if (name.includes('.tmp-')) continue;
      const full = join(this.dir, name);
      try {
        const s = await stat(full);
        files.push({ full, size: s.size, used: s.mtimeMs });
        total += s.size;
      } catch {
        // Evicted by another process meanwhile.
      }
    }
    if (total <= this.maxBytes) return;
    files.sort((a, b) => a.used - b.used);
    for (const f of files) {
      if (total <= this.maxBytes) break;
      if (this.pinned.has(f.full)) continue;
      await rm(f.full, { force: true });
      total -= f.size;
    }
  }
}
