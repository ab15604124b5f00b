import { ident, type TableRef, viewName } from '../layers/index.js';
import type { ModelCheck, Severity } from './model.js';

/** Check builders: each makes a one-statement query that returns the offending rows. */

/** No two rows share the key; rows with a NULL in `skipNullIn` are exempt (e.g. trades without ids). */
export function uniqueKey(
  ref: TableRef,
  columns: readonly string[],
  options: { severity?: Severity; skipNullIn?: string } = {},
): ModelCheck {
  const cols = columns.map(ident).join(', ');
  const where = options.skipNullIn ? ` WHERE ${ident(options.skipNullIn)} IS NOT NULL` : '';
  return {
    name: `unique_${columns.join('_')}`,
    severity: options.severity ?? 'error',
    description: `(${columns.join(', ')}) is unique`,
    sql: `SELECT ${cols}, count(*) AS copies FROM ${viewName(ref)}${where} GROUP BY ALL HAVING count(*) > 1`,
  };
}

export function notNull(ref: TableRef, columns: readonly string[], severity: Severity = 'error'): ModelCheck {
  const where = columns.map((c) => `${ident(c)} IS NULL`).join(' OR ');
  return {
    name: `not_null_${columns.join('_')}`,
    severity,
    description: `${columns.join(', ')} never null`,
    sql: `SELECT * FROM ${viewName(ref)} WHERE ${where}`,
  };
}

/** Rows where a boolean SQL expression over the row does not hold. */
export function rowRule(
  ref: TableRef,
  name: string,
  expression: string,
  description: string,
  severity: Severity = 'error',
): ModelCheck {
  return {
    name,
    severity,
    description,
    sql: `SELECT * FROM ${viewName(ref)} WHERE NOT coalesce((${expression}), false)`,
  };
}
