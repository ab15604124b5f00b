import type { TableRef } from '../names.js';
import type { AsOf, Catalog, TableChange, TableCommit } from './catalog.js';
import type { CheckHistory } from './check-history.js';
import type { RunLog } from './run-log.js';
import type { SqlCatalog } from './sql-catalog.js';
import type { StreamGapLog } from './stream-gaps.js';

/**
 * Opens (and migrates) the SQL catalog on first use, so opening a lake stays synchronous and cheap.
 * The SQL catalog (Kysely, better-sqlite3: about 0.15 s of module loading) is imported then too, so a
 * command that never reads the catalog (`query "select 1"`, `--help`) does not pay for it.
 */
export class LazyCatalog implements Catalog {
  private opened: Promise<SqlCatalog> | undefined;

  constructor(
    private readonly url: string,
    readonly description: string,
  ) {}

  private get(): Promise<SqlCatalog> {
    this.opened ??= import('./sql-catalog.js').then(({ SqlCatalog }) => SqlCatalog.open(this.url));
    return this.opened;
  }

  async listTables() {
    return (await this.get()).listTables();
  }
  async snapshot(ref: TableRef, asOf?: AsOf) {
    return (await this.get()).snapshot(ref, asOf);
  }
  async snapshotVersion(ref: TableRef, version: number) {
    return (await this.get()).snapshotVersion(ref, version);
  }
  async history(ref: TableRef) {
    return (await this.get()).history(ref);
  }
  async commit(ref: TableRef, change: TableChange) {
    return (await this.get()).commit(ref, change);
  }
  async commitAll(changes: readonly TableCommit[]) {
    return (await this.get()).commitAll(changes);
  }
  async findBatch(ref: TableRef, contentHash: string) {
    return (await this.get()).findBatch(ref, contentHash);
  }
  async tryLock(name: string, owner: string, ttlMs: number) {
    return (await this.get()).tryLock(name, owner, ttlMs);
  }
  async unlock(name: string, owner: string) {
    return (await this.get()).unlock(name, owner);
  }
  async referencedKeys() {
    return (await this.get()).referencedKeys();
  }
  async expireSnapshots(before: Date) {
    return (await this.get()).expireSnapshots(before);
  }
  async lakeId() {
    return (await this.get()).lakeId();
  }
  /** Run history in the catalog database. */
  readonly runs: RunLog = {
    startRun: async (run) => (await this.get()).runLog().startRun(run),
    finishRun: async (id, status, error) => (await this.get()).runLog().finishRun(id, status, error),
    recordTask: async (task) => (await this.get()).runLog().recordTask(task),
    listRuns: async (limit) => (await this.get()).runLog().listRuns(limit),
    getRun: async (id) => (await this.get()).runLog().getRun(id),
    scheduledTicks: async (schedule, since) => (await this.get()).runLog().scheduledTicks(schedule, since),
  };

  /** Gaps of live feeds in the catalog database. */
  readonly streamGaps: StreamGapLog = {
    record: async (gap) => (await this.get()).streamGapLog().record(gap),
    list: async (options) => (await this.get()).streamGapLog().list(options),
    markFilled: async (id, at) => (await this.get()).streamGapLog().markFilled(id, at),
  };

  /** Data-quality results in the catalog database. */
  readonly checks: CheckHistory = {
    record: async (rows) => (await this.get()).checkHistory().record(rows),
    recent: async (options) => (await this.get()).checkHistory().recent(options),
    ofRun: async (runId) => (await this.get()).checkHistory().ofRun(runId),
  };

  async close(): Promise<void> {
    if (!this.opened) return;
    const catalog = await this.opened.catch(() => undefined);
    this.opened = undefined;
    await catalog?.close();
  }
}
