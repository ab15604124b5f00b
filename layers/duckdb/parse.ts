import type { DuckDBConnection } from '@duckdb/node-api';
import { isLayer, type TableRef } from '../names.js';
import { literal } from './sql.js';

/**
 * The lake tables a SELECT reads, from DuckDB's own parse tree (json_serialize_sql).
 * CTE names are not lake tables. Returns undefined when DuckDB cannot serialise the statement
 * (it only serialises SELECTs).
 */
export async function lakeTablesIn(
  connection: DuckDBConnection,
  sql: string,
): Promise<TableRef[] | undefined> {
  // json_serialize_sql takes a constant only, so the SQL text is quoted as a literal.
  const reader = await connection.runAndReadAll(`SELECT json_serialize_sql(${literal(sql)}) AS tree`);
  const text = reader.getRowObjectsJson()[0]?.tree;
  const tree = JSON.parse(typeof text === 'string' ? text : '{}') as { error?: boolean };
  if (tree.error) return undefined;
  const found = new Map<string, TableRef>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const child of node) walk(child);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const obj = node as Record<string, unknown>;
    if (
      obj.type === 'BASE_TABLE' &&
      typeof obj.schema_name === 'string' &&
      typeof obj.table_name === 'string'
    ) {
      if (isLayer(obj.schema_name)) {
        found.set(`${obj.schema_name}.${obj.table_name}`, { layer: obj.schema_name, name: obj.table_name });
      }
    }
    for (const value of Object.values(obj)) walk(value);
  };
  walk(tree);
  return [...found.values()];
}
