import { CommitError } from '../errors.js';
import { catalogPrefix, isLayer, type TableRef } from '../names.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { Catalog, ColumnDef, Snapshot, SnapshotSummary, TableChange } from './catalog.js';

const VERSION_FILE = /^v(\d{8})\.json$/;
const MAX_COMMIT_ATTEMPTS = 50;

function versionKey(ref: TableRef, version: number): string {
  return `${catalogPrefix(ref)}/v${String(version).padStart(8, '0')}.json`;
}

/** Types that may change without rewriting files (widening only). */
function compatible(oldType: string, newType: string): boolean {
  if (oldType === newType) return true;
  const widen: Record<string, string[]> = {
    INTEGER: ['BIGINT', 'DOUBLE'],
    BIGINT: ['DOUBLE'],
    FLOAT: ['DOUBLE'],
  };
  return widen[oldType]?.includes(newType) ?? false;
}

export function checkSchemaEvolution(table: string, before: ColumnDef[], after: ColumnDef[]): void {
  const next = new Map(after.map((c) => [c.name, c.type]));
  const problems: string[] = [];
  for (const col of before) {
    const type = next.get(col.name);
    if (type !== undefined && !compatible(col.type, type))
      problems.push(`${col.name}: ${col.type} -> ${type}`);
  }
  if (problems.length > 0) {
    throw new CommitError(`incompatible schema change for ${table}: ${problems.join(', ')}`);
  }
}

/**
 * A catalog kept as JSON snapshot files beside the data (`_catalog/<layer>/<table>/vNNNNNNNN.json`).
 * Each commit creates the next version file if-absent; a writer that loses the race re-reads the
 * latest snapshot and re-applies its change (optimistic concurrency). Snapshots are never edited,
 * so older versions stay readable for time travel.
 */
export class ManifestCatalog implements Catalog {
  constructor(private readonly store: ObjectStore) {}

  async listTables(): Promise<TableRef[]> {
    const keys = await this.store.list('_catalog');
    const seen = new Map<string, TableRef>();
    for (const key of keys) {
      const [, layer, table, file] = key.split('/');
      if (!layer || !table || !file || !VERSION_FILE.test(file) || !isLayer(layer)) continue;
      seen.set(`${layer}.${table}`, { layer, name: table });
    }
    return [...seen.values()].sort((a, b) => `${a.layer}.${a.name}`.localeCompare(`${b.layer}.${b.name}`));
  }

  private async versions(ref: TableRef): Promise<number[]> {
    const keys = await this.store.list(catalogPrefix(ref));
    const out: number[] = [];
    for (const key of keys) {
      const m = VERSION_FILE.exec(key.slice(key.lastIndexOf('/') + 1));
      if (m?.[1]) out.push(Number(m[1]));
    }
    return out.sort((a, b) => a - b);
  }

  private async read(ref: TableRef, version: number): Promise<Snapshot> {
    const text = await this.store.readText(versionKey(ref, version));
    if (text === undefined) throw new CommitError(`snapshot ${version} of ${ref.layer}.${ref.name} vanished`);
    return JSON.parse(text) as Snapshot;
  }

  async snapshot(ref: TableRef, asOf?: Date): Promise<Snapshot | undefined> {
    const versions = await this.versions(ref);
    for (let i = versions.length - 1; i >= 0; i--) {
      const snap = await this.read(ref, versions[i]!);
      if (!asOf || Date.parse(snap.committedAt) <= asOf.getTime()) return snap;
    }
    return undefined;
  }

  async snapshotVersion(ref: TableRef, version: number): Promise<Snapshot | undefined> {
    const text = await this.store.readText(versionKey(ref, version));
    return text === undefined ? undefined : (JSON.parse(text) as Snapshot);
  }

  async history(ref: TableRef): Promise<SnapshotSummary[]> {
    const out: SnapshotSummary[] = [];
    for (const v of await this.versions(ref)) {
      const s = await this.read(ref, v);
      out.push({
        version: s.version,
        committedAt: s.committedAt,
        operation: s.operation,
        files: s.files.length,
        rows: s.files.reduce((n, f) => n + f.rows, 0),
      });
    }
    return out;
  }

  async findBatch(ref: TableRef, contentHash: string) {
    const snap = await this.snapshot(ref);
    return snap?.batches.find((b) => b.contentHash === contentHash);
  }

  async commit(ref: TableRef, change: TableChange): Promise<Snapshot> {
    for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
      const current = await this.snapshot(ref);
      const next = applyChange(ref, current, change);
      if (await this.store.writeTextIfAbsent(versionKey(ref, next.version), JSON.stringify(next)))
        return next;
      // Another writer took this version: re-read and re-apply.
      await new Promise((r) => setTimeout(r, Math.random() * 20 * (attempt + 1)));
    }
    throw new CommitError(`could not commit to ${ref.layer}.${ref.name}: too many concurrent writers`);
  }
}

/** The snapshot that results from applying `change` to `current`. Pure, so a retry re-applies it. */
export function applyChange(ref: TableRef, current: Snapshot | undefined, change: TableChange): Snapshot {
  const name = `${ref.layer}.${ref.name}`;
  if (current && change.operation !== 'replace') {
    checkSchemaEvolution(name, current.columns, change.columns);
    if (current.partitionColumn !== change.partitionColumn) {
      throw new CommitError(
        `${name}: partition column is ${current.partitionColumn}, not ${change.partitionColumn}`,
      );
    }
  }
  let files = current?.files ?? [];
  if (change.operation === 'replace') files = [];
  if (change.operation === 'overwrite_partitions') {
    const replaced = new Set(change.partitions ?? change.files.map((f) => f.partition));
    files = files.filter((f) => !replaced.has(f.partition));
  }
  const batches = change.operation === 'replace' ? [] : [...(current?.batches ?? [])];
  if (change.batch) batches.push(change.batch);
  // Columns only grow on append (old files read the new ones as null).
  const columns =
    change.operation === 'replace' || !current
      ? change.columns
      : [
          ...current.columns,
          ...change.columns.filter((c) => !current.columns.some((o) => o.name === c.name)),
        ];
  return {
    layer: ref.layer,
    table: ref.name,
    version: (current?.version ?? 0) + 1,
    committedAt: new Date().toISOString(),
    operation: change.operation,
    columns,
    partitionColumn: change.partitionColumn,
    files: [...files, ...change.files],
    batches,
    ...(change.properties ? { properties: change.properties } : {}),
  };
}
