import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { CommitError } from '../errors.js';
import type { Catalog } from './catalog.js';

export interface LockOptions {
  /** Lease length; renewed every third of it while `work` runs (default 60 s). */
  ttlMs?: number;
  /** Give up waiting after this long (default 6 h: a long backfill may hold a model). */
  waitMs?: number;
  /** Called once when the lease is held by someone else and this process starts waiting. */
  onWait?: () => void;
}

/**
 * Run `work` while holding the catalog lease `name`: other processes (any host sharing the
 * catalog) wait for it. A holder that dies stops renewing, and its lease expires after `ttlMs`.
 */
export async function withCatalogLock<T>(
  catalog: Catalog,
  name: string,
  work: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const ttlMs = options.ttlMs ?? 60_000;
  const owner = `${hostname()}:${process.pid}:${randomUUID()}`;
  const deadline = Date.now() + (options.waitMs ?? 6 * 3_600_000);
  let waited = false;
  while (!(await catalog.tryLock(name, owner, ttlMs))) {
    if (!waited) options.onWait?.();
    waited = true;
    if (Date.now() > deadline) throw new CommitError(`gave up waiting for ${name}: another process holds it`);
    await new Promise((r) => setTimeout(r, 200 + Math.random() * 300));
  }
  const renew = setInterval(() => {
    // A catalog hiccup: the next renewal tries again before the lease runs out. The lease only
    // keeps others waiting; each commit is atomic whatever happens to it.
    catalog.tryLock(name, owner, ttlMs).catch(() => {});
  }, ttlMs / 3);
  renew.unref();
  try {
    return await work();
  } finally {
    clearInterval(renew);
    await catalog.unlock(name, owner).catch(() => {});
  }
}
