import { CommitError } from '../errors.js';
import type { ColumnDef } from './catalog.js';

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

/** Refuse a commit whose columns change an existing column's type incompatibly. New columns are fine. */
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
