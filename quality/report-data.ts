import { type LakeSession, literal, qualifiedName, type TableRef, viewName } from '../layers/index.js';
import type { CheckTarget } from './check-runner.js';

/** Rows of one partition of a table (from the catalog). */
export interface PartitionCount {
  partition: string;
  rows: number;
}

/** A checked table's size over time: rows per partition, last `limit` partitions. */
export interface TableTrend {
  table: string;
  rows: number;
  partitions: PartitionCount[];
}

export interface QuarantinePoint {
  partition: string;
  accepted: number;
  quarantined: number;
}

/** A bronze dataset's quarantine in the checked scope: counts, rate over time, top reasons. */
export interface QuarantineSummary {
  dataset: string;
  accepted: number;
  quarantined: number;
  /** quarantined / (accepted + quarantined), 0 when nothing was read. */
  rate: number;
  partitions: QuarantinePoint[];
  topReasons: { reason: string; rows: number }[];
}

function rowsByPartition(session: LakeSession, ref: TableRef): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of session.snapshotOf(ref)?.files ?? []) {
    const p = f.partition ?? '*';
    out.set(p, (out.get(p) ?? 0) + f.rows);
  }
  return out;
}

const inScope = (p: string, scope: { from?: string; to?: string }) =>
  p === '*' || ((!scope.from || p >= scope.from) && (!scope.to || p <= scope.to));

/** Row counts per partition of each target, from the catalog (the last `limit` partitions in scope). */
export function tableTrends(
  session: LakeSession,
  targets: readonly CheckTarget[],
  scope: { from?: string; to?: string },
  limit = 60,
): TableTrend[] {
  return targets
    .filter((t) => session.snapshotOf(t.ref))
    .map((t) => {
      const partitions = [...rowsByPartition(session, t.ref).entries()]
        .filter(([p]) => inScope(p, scope))
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([partition, rows]) => ({ partition, rows }));
      return {
        table: qualifiedName(t.ref),
        rows: partitions.reduce((n, p) => n + p.rows, 0),
        partitions: partitions.slice(-limit),
      };
    });
}

/**
 * Quarantine of every bronze dataset with a quarantine table: counts per partition from the catalog,
 * the top reasons from one grouped query per dataset (reasons cut to 300 characters).
 */
export async function quarantineSummaries(
  session: LakeSession,
  datasets: readonly string[],
  scope: { from?: string; to?: string },
  limit = 60,
): Promise<QuarantineSummary[]> {
  const out: QuarantineSummary[] = [];
  for (const dataset of datasets) {
    const bronze = rowsByPartition(session, { layer: 'bronze', name: dataset });
    const quarantineRef: TableRef = { layer: 'quarantine', name: dataset };
    const quarantine = rowsByPartition(session, quarantineRef);
    if (bronze.size === 0 && quarantine.size === 0) continue;
    const parts = [...new Set([...bronze.keys(), ...quarantine.keys()])]
      .filter((p) => inScope(p, scope))
      .sort();
    const partitions = parts.map((p) => ({
      partition: p,
      accepted: bronze.get(p) ?? 0,
      quarantined: quarantine.get(p) ?? 0,
    }));
    const accepted = partitions.reduce((n, p) => n + p.accepted, 0);
    const quarantined = partitions.reduce((n, p) => n + p.quarantined, 0);
    let topReasons: { reason: string; rows: number }[] = [];
    if (quarantined > 0) {
      const where = [
        scope.from ? `dt >= DATE ${literal(scope.from)}` : 'true',
        scope.to ? `dt <= DATE ${literal(scope.to)}` : 'true',
      ].join(' AND ');
      const rows = await session.all<{ reason: string; n: string }>(
        `SELECT left(coalesce(reason, '(none)'), 300) AS reason, count(*) AS n FROM ${viewName(quarantineRef)} WHERE ${where} GROUP BY 1 ORDER BY n DESC, reason LIMIT 5`,
      );
      topReasons = rows.map((r) => ({ reason: r.reason, rows: Number(r.n) }));
    }
    out.push({
      dataset,
      accepted,
      quarantined,
      rate: accepted + quarantined > 0 ? quarantined / (accepted + quarantined) : 0,
      partitions: partitions.slice(-limit),
      topReasons,
    });
  }
  return out;
}
