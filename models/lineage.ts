import { type LakeSession, lakeTablesIn, type TableRef } from '../layers/index.js';

/**
 * The lake tables a model's SQL reads, from DuckDB's own parse tree, so a model's dependencies can
 * never drift from its SQL. CTE names are not lake tables.
 */
export async function tablesReadBy(session: LakeSession, sql: string): Promise<TableRef[]> {
  const tables = await lakeTablesIn(session.connection, sql);
  if (!tables) throw new Error('cannot parse the model SQL (only a SELECT can define a model)');
  return tables;
}
