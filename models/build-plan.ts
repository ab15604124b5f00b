import { createHash } from 'node:crypto';
import { type LakeSession, qualifiedName, type Snapshot, type TableRef } from '../layers/index.js';
import type { ModelDefinition } from './model.js';
import { addDays, datesBetween, isPartitionDate } from './partition-dates.js';

/**
 * What a model's snapshot remembers about the run that wrote it (Snapshot.properties): the hash
 * of its SQL, the snapshot version of every input it read, and partitions known to be stale but
 * left out by `--from/--to`.
 */
export interface ModelRunProperties {
  builder: 'marketlake-model/1';
  definitionHash: string;
  inputs: Record<string, number>;
  pending: string[];
}

/** What one run does to one model. */
export type BuildPlan =
  | { mode: 'full'; reason: string }
  | { mode: 'partitions'; partitions: string[]; reason: string }
  | { mode: 'up_to_date'; reason: string };

export interface PlanOptions {
  /** Rebuild regardless of changes (within from/to when given). */
  fullRefresh?: boolean;
  /** Limit the partitions (re)built to [from, to]. */
  from?: string;
  to?: string;
}

export interface PlannedBuild {
  plan: BuildPlan;
  /** Properties to store with the final commit of this build. */
  properties: ModelRunProperties;
}

/** Hash of everything that decides a model's output besides its inputs. */
export function definitionHash(model: ModelDefinition, sql: string): string {
  const h = createHash('sha256');
  h.update(sql);
  h.update(JSON.stringify(model.incremental));
  h.update(model.partitionColumn ?? '');
  h.update(model.step?.describe() ?? '');
  return h.digest('hex').slice(0, 32);
}

function asProperties(p: Record<string, unknown> | undefined): ModelRunProperties | undefined {
  if (p?.builder !== 'marketlake-model/1') return undefined;
  return p as unknown as ModelRunProperties;
}

function filesByPartition(snap: Snapshot | undefined): Map<string, string> {
  const parts = new Map<string, string[]>();
  for (const f of snap?.files ?? []) {
    const key = f.partition ?? '';
    parts.set(key, [...(parts.get(key) ?? []), f.key]);
  }
  return new Map([...parts].map(([p, keys]) => [p, keys.sort().join('\n')]));
}

/** Partitions whose file lists differ between two snapshots of one table. */
export function changedPartitions(before: Snapshot | undefined, after: Snapshot | undefined): string[] {
  const a = filesByPartition(before);
  const b = filesByPartition(after);
  const out = new Set<string>();
  for (const [p, keys] of a) if (b.get(p) !== keys) out.add(p);
  for (const [p, keys] of b) if (a.get(p) !== keys) out.add(p);
  return [...out].sort();
}

type InputDiff = { full: string } | { partitions: string[] };

async function diffInput(
  session: LakeSession,
  ref: TableRef,
  recorded: number | undefined,
): Promise<InputDiff> {
  const name = qualifiedName(ref);
  const now = session.snapshotOf(ref);
  const nowVersion = now?.version ?? 0;
  if (recorded === nowVersion) return { partitions: [] };
  if (recorded === undefined) return { full: `new input ${name}` };
  const before = recorded === 0 ? undefined : await session.lake.catalog.snapshotVersion(ref, recorded);
  if (recorded !== 0 && !before) return { full: `snapshot ${recorded} of ${name} is gone` };
  const partitionColumn = now?.partitionColumn ?? before?.partitionColumn ?? null;
  const changed = changedPartitions(before, now);
  if (changed.length === 0) return { partitions: [] };
  if (partitionColumn === null || (before && before.partitionColumn !== now?.partitionColumn))
    return { full: `unpartitioned input ${name} changed` };
  const bad = changed.find((p) => !isPartitionDate(p));
  if (bad !== undefined) return { full: `input ${name} has non-date partition ${bad}` };
  return { partitions: changed };
}

/**
 * Decide what a run rebuilds, from the catalog: the model's last snapshot records the input
 * versions it read; the inputs' file lists per partition are compared between that version and
 * the one this session reads now. A changed input partition `d` invalidates the output partitions
 * `[d - lookaheadDays, d + lookbackDays]`; an unpartitioned input that changed, a changed SQL or a
 * missing record rebuilds everything.
 */
export async function planBuild(
  session: LakeSession,
  model: ModelDefinition,
  sql: string,
  reads: readonly TableRef[],
  options: PlanOptions = {},
): Promise<PlannedBuild> {
  const hash = definitionHash(model, sql);
  const inputs = Object.fromEntries(
    reads.map((r) => [qualifiedName(r), session.snapshotOf(r)?.version ?? 0] as const),
  );
  const properties: ModelRunProperties = {
    builder: 'marketlake-model/1',
    definitionHash: hash,
    inputs,
    pending: [],
  };
  const current = await session.lake.catalog.snapshot(model.ref);
  const previous = asProperties(current?.properties);
  const strategy = model.incremental;
  const ranged = options.from !== undefined || options.to !== undefined;
  const inRange = (p: string) => (!options.from || p >= options.from) && (!options.to || p <= options.to);

  let full: string | undefined;
  if (options.fullRefresh) full = 'full refresh requested';
  else if (!current || !previous) full = 'no previous build';
  else if (previous.definitionHash !== hash) full = 'model definition changed';

  const stale = new Set<string>(previous?.pending ?? []);
  if (!full && previous) {
    for (const ref of reads) {
      const diff = await diffInput(session, ref, previous.inputs[qualifiedName(ref)]);
      if ('full' in diff) {
        full = diff.full;
        break;
      }
      if (strategy.kind === 'full_refresh' && diff.partitions.length > 0) {
        full = `input ${qualifiedName(ref)} changed`;
        break;
      }
      if (strategy.kind === 'partitions')
        for (const d of diff.partitions)
          for (const p of datesBetween(
            addDays(d, -strategy.lookaheadDays),
            addDays(d, strategy.lookbackDays),
          ))
            stale.add(p);
    }
  }

  if (strategy.kind === 'full_refresh' || model.partitionColumn === null) {
    if (full) return { plan: { mode: 'full', reason: full }, properties };
    return { plan: { mode: 'up_to_date', reason: 'inputs unchanged' }, properties };
  }
  if (full && !ranged) return { plan: { mode: 'full', reason: full }, properties };
  if (full) {
    // A full rebuild limited to --from/--to: every partition in the range, existing or not.
    if (!options.from || !options.to) {
      const known = [...filesByPartition(current).keys()].filter(isPartitionDate).sort();
      const from = options.from ?? known[0];
      const to = options.to ?? known[known.length - 1];
      if (!from || !to) return { plan: { mode: 'up_to_date', reason: 'nothing in range' }, properties };
      for (const p of datesBetween(from, to)) stale.add(p);
    } else for (const p of datesBetween(options.from, options.to)) stale.add(p);
    if (!previous || previous.definitionHash !== hash) {
      // Partitions outside the range stay stale until a run covers them.
      for (const p of filesByPartition(current).keys()) if (isPartitionDate(p)) stale.add(p);
    }
  }
  const todo = [...stale].filter(inRange).sort();
  properties.pending = [...stale].filter((p) => !inRange(p)).sort();
  if (todo.length === 0)
    return { plan: { mode: 'up_to_date', reason: full ?? 'no input partition changed' }, properties };
  return {
    plan: { mode: 'partitions', partitions: todo, reason: full ?? `${todo.length} partition(s) changed` },
    properties,
  };
}
