import { isTransient, MarketlakeError } from '../errors.js';
import { qualifiedName } from '../names.js';
import { backoffDelay, type RetryOptions, retryBudgetMs, sleep } from '../retry.js';
import type { Catalog, Snapshot, TableCommit } from './catalog.js';

/**
 * The catalog database went away during a commit and did not come back within the retry budget,
 * so whether the commit landed is unknown. The files it names must stay where they are (if it
 * landed, a snapshot references them; if not, vacuum removes them). Retrying the whole task is safe.
 */
export class CommitOutcomeUnknownError extends MarketlakeError {
  constructor(tables: string, options: { cause?: unknown } = {}) {
    super(
      'COMMIT_UNKNOWN',
      `lost the catalog while committing ${tables}, and it did not come back: the commit may or may not have landed (a rerun settles it)`,
      { ...options, permanent: false },
    );
  }
}

/**
 * Whether a commit that failed in transit landed after all, judged by evidence only the commit
 * could have left: its first data file's key (keys are unique per write) in some snapshot, or its
 * batch id. Undefined when a change carries neither (an empty replace or overwrite: applying it
 * again gives the same table).
 */
async function landedSnapshots(
  catalog: Catalog,
  changes: readonly TableCommit[],
): Promise<Snapshot[] | undefined> {
  let evidence = false;
  let landed = false;
  let referenced: Set<string> | undefined;
  for (const { ref, change } of changes) {
    const first = change.files[0]?.key;
    if (first !== undefined) {
      evidence = true;
      referenced ??= await catalog.referencedKeys();
      if (referenced.has(first)) landed = true;
    } else if (change.batch) {
      evidence = true;
      const found = await catalog.findBatch(ref, change.batch.contentHash);
      if (found?.batchId === change.batch.batchId) landed = true;
    }
    if (landed) break;
  }
  if (!evidence || !landed) return undefined;
  const out: Snapshot[] = [];
  for (const { ref, change } of changes) {
    const current = await catalog.snapshot(ref);
    if (!current) throw new MarketlakeError('COMMIT', `${qualifiedName(ref)}: committed, yet no snapshot`);
    const first = change.files[0]?.key;
    if (first === undefined || current.files.some((f) => f.key === first)) {
      out.push(current);
      continue;
    }
    // A later commit of another writer replaced those files: find the snapshot this commit made.
    let found: Snapshot | undefined;
    for (let v = current.version - 1; v > 0 && !found; v--) {
      const s = await catalog.snapshotVersion(ref, v);
      if (s?.files.some((f) => f.key === first)) found = s;
    }
    out.push(found ?? current);
  }
  return out;
}

/**
 * `catalog.commitAll(changes)`, riding out a catalog database that restarts mid-commit: a transient
 * failure (lost connection, shutdown, serialization) is retried with backoff. Before each retry
 * the catalog is asked whether the lost commit landed (the server may have committed and only the
 * reply been lost), so a commit is never applied twice. The transaction itself makes a partial
 * snapshot impossible. A permanent error is thrown as it is once the commit is known not to have
 * landed; when the budget runs out first, CommitOutcomeUnknownError (the caller must then keep the
 * commit's files: vacuum removes them if no snapshot references them).
 */
export async function commitAllWithRetry(
  catalog: Catalog,
  changes: readonly TableCommit[],
  options: RetryOptions = {},
): Promise<Snapshot[]> {
  const budget = options.budgetMs ?? retryBudgetMs();
  const retryable = options.retryable ?? isTransient;
  const tables = changes.map((c) => qualifiedName(c.ref)).join(', ');
  let firstFailure: number | undefined;
  let unknown = false;
  for (let attempt = 1; ; attempt++) {
    try {
      if (unknown) {
        const landed = await landedSnapshots(catalog, changes);
        if (landed) return landed;
        unknown = false;
      }
      return await catalog.commitAll(changes);
    } catch (error) {
      if (!retryable(error)) {
        if (unknown) throw new CommitOutcomeUnknownError(tables, { cause: error });
        throw error;
      }
      // A failure of the commit itself leaves its outcome open; a failed look-up keeps it open.
      unknown = true;
      firstFailure ??= Date.now();
      const delay = backoffDelay(attempt, options.baseDelayMs, options.maxDelayMs);
      if (Date.now() + delay - firstFailure > budget)
        throw new CommitOutcomeUnknownError(tables, { cause: error });
      options.onRetry?.(error, attempt, delay);
      await sleep(delay);
    }
  }
}
