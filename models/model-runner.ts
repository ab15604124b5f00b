import { type LakeSession, ModelError, readSqlFile, statementOf, writeTable } from '../layers/index.js';
import { type ModelDefinition, modelName, modelSqlPath } from './model.js';

export interface ModelRunResult {
  model: string;
  rows: number;
  files: number;
  snapshotVersion: number;
  ms: number;
}

/** The model's SQL as one statement. */
export function modelSql(model: ModelDefinition): string {
  return statementOf(readSqlFile(modelSqlPath(model)));
}

/**
 * Build one model: run its SQL over the session's views and commit the result as the table's
 * new snapshot (a full refresh replaces the whole table atomically).
 */
export async function runModel(session: LakeSession, model: ModelDefinition): Promise<ModelRunResult> {
  const started = performance.now();
  try {
    const result = await writeTable(session, model.ref, modelSql(model), {
      operation: 'replace',
      partitionColumn: model.partitionColumn,
    });
    return {
      model: modelName(model),
      rows: result.rows,
      files: result.files.length,
      snapshotVersion: result.snapshot.version,
      ms: Math.round(performance.now() - started),
    };
  } catch (err) {
    if (err instanceof ModelError) throw err;
    throw new ModelError(modelName(model), err instanceof Error ? err.message : String(err), { cause: err });
  }
}
