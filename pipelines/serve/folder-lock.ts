import { mkdir, readFile, realpath, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import lockfile from 'proper-lockfile';

/** A lock not refreshed for this long is stale (its holder hung or died on another host). */
const STALE_MS = 60_000;
/** A takeover guard older than this was left by a process that died while taking over. */
const GUARD_STALE_MS = 10_000;

interface Owner {
  pid: number;
  host: string;
}

function busy(path: string): Error {
  return Object.assign(new Error(`lock on ${path} is held by another process`), { code: 'ELOCKED' });
}

/** Is the recorded holder a process of this host that no longer exists? (Unknown = no.) */
async function holderIsDead(ownerFile: string): Promise<boolean> {
  let owner: Owner;
  try {
    owner = JSON.parse(await readFile(ownerFile, 'utf8')) as Owner;
  } catch {
    return false;
  }
  if (owner.host !== hostname() || !Number.isInteger(owner.pid) || owner.pid <= 0) return false;
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as { code?: unknown }).code === 'ESRCH';
  }
}

/**
 * Lock a folder for this process (proper-lockfile: `<dir>.lock`, refreshed while held) and record
 * the holder's pid and host beside it (`<dir>.lock.owner`). A lock whose holder was killed
 * (SIGKILL, OOM) is taken over at once when that process is known to be gone on this host, instead
 * of failing as "in use" until the lock goes stale a minute later. Throws an error with code
 * ELOCKED when a live process holds it. Returns the release function.
 */
export async function lockFolder(dir: string): Promise<() => Promise<void>> {
  const path = await realpath(dir);
  const ownerFile = `${path}.lock.owner`;
  const lock = () => lockfile.lock(path, { retries: 0, stale: STALE_MS, onCompromised: () => undefined });
  let release: () => Promise<void>;
  try {
    release = await lock();
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ELOCKED' || !(await holderIsDead(ownerFile))) throw error;
    release = await takeOver(path, ownerFile, lock);
  }
  try {
    await writeFile(ownerFile, JSON.stringify({ pid: process.pid, host: hostname() } satisfies Owner));
  } catch (error) {
    await release().catch(() => undefined);
    throw error;
  }
  return async () => {
    await rm(ownerFile, { force: true });
    await release();
  };
}

/** Remove a dead holder's lock and take it, one process at a time (a guard folder). */
async function takeOver(
  path: string,
  ownerFile: string,
  lock: () => Promise<() => Promise<void>>,
): Promise<() => Promise<void>> {
  const guard = `${path}.lock.takeover`;
  try {
    await mkdir(guard);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
    const age = await stat(guard).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > GUARD_STALE_MS) await rmdir(guard).catch(() => undefined);
    throw busy(path);
  }
  try {
    // Under the guard: still the dead holder's lock (no one else took it over meanwhile)?
    if (!(await holderIsDead(ownerFile))) throw busy(path);
    await rm(`${path}.lock`, { recursive: true, force: true });
    await rm(ownerFile, { force: true });
    return await lock();
  } finally {
    await rmdir(guard).catch(() => undefined);
  }
}
