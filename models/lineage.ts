import { isLayer, type LakeSession, literal, type TableRef } from '../layers/index.js';

/**
 * The lake tables a SQL statement reads, from DuckDB's own parse tree (json_serialize_sql),
 * so a model's dependencies can never drift from its SQL. CTE names are not lake tables.
 */
export async function tablesReadBy(session: LakeSession, sql: string): Promise<TableRef[]> {
  // json_serialize_sql takes a constant only, so the SQL text is quoted as a literal.
  const rows = await session.all<{ tree: string }>(`SELECT json_serialize_sql(${literal(sql)}) AS tree`);
  const tree = JSON.parse(rows[0]?.tree ?? '{}') as { error?: boolean; error_message?: string };
  if (tree.error) throw new Error(`cannot parse SQL: ${tree.error_message}`);
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
