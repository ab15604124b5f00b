import { realpathSync } from 'node:fs';
import { basename, dirname, resolve, sep } from 'node:path';
import { type DuckDBConnection, type DuckDBPreparedStatement, StatementType } from '@duckdb/node-api';
import { UsageError } from '../errors.js';
import { literal } from './sql.js';

/**
 * What SQL typed by a person (`query`, `sql`, a future API) may do: read. Reading local files with
 * read_csv/read_json/read_parquet stays possible; writing files, attaching databases, installing or
 * loading extensions and changing settings are refused before DuckDB runs (or even binds) anything.
 *
 * The check is made on DuckDB's own parse tree, not on the text: `json_serialize_sql` serialises a
 * script only when every statement in it is a query (SELECT, FROM-first, WITH, VALUES, TABLE, SHOW,
 * DESCRIBE, SUMMARIZE, PIVOT inside FROM). EXPLAIN [ANALYZE] is accepted when what it explains is
 * such a query. Anything else (COPY, EXPORT, ATTACH, INSTALL, LOAD, SET, PRAGMA, CREATE, CALL, ...)
 * is refused. Checking only after `prepare` would be too late: binding `EXPORT DATABASE` already
 * creates the target folder.
 */
export const READ_ONLY_STATEMENTS = 'SELECT, WITH, FROM, VALUES, SHOW, DESCRIBE, SUMMARIZE and EXPLAIN';

/**
 * Functions a query may not call. The logging/profiling ones write files from inside a SELECT even
 * when `lock_configuration` is on (`FROM enable_logging(storage = 'file', storage_path = '/x')`
 * creates the folder); checkpoint and the parser switches change the process; query,
 * query_table and json_execute_serialized_sql run SQL from a string, out of this check's sight.
 */
export const DENIED_FUNCTIONS: ReadonlySet<string> = new Set([
  'enable_logging',
  'disable_logging',
  'truncate_duckdb_logs',
  'write_log',
  'enable_profiling',
  'disable_profiling',
  'checkpoint',
  'force_checkpoint',
  'enable_peg_parser',
  'disable_peg_parser',
  'query',
  'query_table',
  'json_execute_serialized_sql',
]);

const OUT_HINT =
  'write a result to a file with: marketlake query "<select>" --format csv|json|parquet --out FILE';

/** What a checked script is: queries only, or one EXPLAIN of a query. */
export interface ReadOnlyScript {
  kind: 'query' | 'explain';
  /** Statements in the script. */
  statements: number;
}

/** Throw a UsageError unless every statement of `sql` only reads. Parses; never binds or runs anything. */
export async function checkReadOnlySql(connection: DuckDBConnection, sql: string): Promise<ReadOnlyScript> {
  const tree = await serialize(connection, sql);
  if (tree.ok) {
    deniedFunctions(tree.json);
    return { kind: 'query', statements: await countStatements(connection, sql) };
  }
  if (!tree.notSelect) {
    // A syntax error: DuckDB's own message (extractStatements only parses).
    await connection.extractStatements(sql);
    throw new UsageError(`cannot check this SQL: ${tree.message}`);
  }
  const explained = explainedQuery(sql);
  if (explained !== undefined) {
    const inner = await serialize(connection, explained);
    if (inner.ok && (await countStatements(connection, sql)) === 1) {
      deniedFunctions(inner.json);
      return { kind: 'explain', statements: 1 };
    }
  }
  throw new UsageError(
    `${statementLabel(sql)} is refused: ad hoc SQL may only read (${READ_ONLY_STATEMENTS}); ${OUT_HINT}`,
  );
}

/**
 * Re-check a prepared statement of a checked script (belt and braces: its type must be the one the
 * parse tree promised).
 */
export function assertPreparedType(prepared: DuckDBPreparedStatement, script: ReadOnlyScript): void {
  const expected = script.kind === 'explain' ? StatementType.EXPLAIN : StatementType.SELECT;
  if (prepared.statementType !== expected) {
    throw new UsageError(
      `${StatementType[prepared.statementType] ?? 'this statement'} is refused: ad hoc SQL may only read (${READ_ONLY_STATEMENTS}); ${OUT_HINT}`,
    );
  }
}

/**
 * Refuse a result file (`--out`) inside the lake's own folders: results go next to the lake, never into it.
 * Symbolic links are resolved, so a link into the lake counts as the lake.
 */
export function assertOutsideLake(path: string, lakeDirs: readonly string[]): void {
  const target = realish(resolve(path));
  for (const dir of lakeDirs) {
    const root = realish(resolve(dir));
    if (target === root || target.startsWith(root + sep)) {
      throw new UsageError(`--out ${path} is inside the lake (${dir}): write results outside the lake`);
    }
  }
}

/** `path` with its existing ancestors' symbolic links resolved. */
function realish(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : resolve(realish(parent), basename(path));
  }
}

type Serialized = { ok: true; json: unknown } | { ok: false; notSelect: boolean; message: string };

async function serialize(connection: DuckDBConnection, sql: string): Promise<Serialized> {
  // json_serialize_sql takes a constant only, so the SQL text is quoted as a literal.
  const reader = await connection.runAndReadAll(`SELECT json_serialize_sql(${literal(sql)}) AS tree`);
  const text = reader.getRowObjectsJson()[0]?.tree;
  const tree = JSON.parse(typeof text === 'string' ? text : '{"error":true}') as {
    error?: boolean;
    error_message?: string;
  };
  if (!tree.error) return { ok: true, json: tree };
  const message = tree.error_message ?? 'DuckDB cannot parse it';
  return { ok: false, notSelect: /only SELECT statements/i.test(message), message };
}

async function countStatements(connection: DuckDBConnection, sql: string): Promise<number> {
  return (await connection.extractStatements(sql)).count;
}

/** Throw if the parse tree calls a function of DENIED_FUNCTIONS (as a table function or a scalar). */
function deniedFunctions(tree: unknown): void {
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const child of node) walk(child);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const obj = node as Record<string, unknown>;
    const name = obj.function_name;
    if (typeof name === 'string' && DENIED_FUNCTIONS.has(name.toLowerCase())) {
      throw new UsageError(
        `${name.toLowerCase()}() is refused: ad hoc SQL may not change DuckDB's logging, profiling, storage or parser, nor run SQL from a string`,
      );
    }
    for (const value of Object.values(obj)) walk(value);
  };
  walk(tree);
}

const LEADING_NOISE = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/;

/** The statement after `EXPLAIN [ANALYZE] [(options)]`, or undefined when `sql` is no EXPLAIN. */
function explainedQuery(sql: string): string | undefined {
  const text = sql.replace(LEADING_NOISE, '');
  const m = /^explain(?:\s+analy[sz]e)?(?:\s*\([^()'";]*\))?\s+/i.exec(text);
  return m ? text.slice(m[0].length) : undefined;
}

const QUERY_WORDS = new Set([
  'select',
  'with',
  'from',
  'values',
  'table',
  'show',
  'describe',
  'summarize',
  'explain',
]);

/** A name for the first statement that is not a query (for the message only; the check is the parse tree). */
function statementLabel(sql: string): string {
  const pieces = sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .split(';');
  for (const piece of pieces) {
    let words = piece.trim().split(/\s+/);
    // `EXPLAIN [ANALYZE] COPY ...` is refused for what it explains.
    if (/^explain$/i.test(words[0] ?? '')) words = words.slice(/^analy[sz]e$/i.test(words[1] ?? '') ? 2 : 1);
    const first = words[0]?.toLowerCase().replace(/[^a-z_]/g, '');
    if (!first || QUERY_WORDS.has(first)) continue;
    if (
      first === 'export' ||
      first === 'force' ||
      (first === 'create' && words[1]?.toLowerCase() === 'secret')
    )
      return `${first} ${words[1] ?? ''}`.trim().toUpperCase();
    return first.toUpperCase();
  }
  return 'This statement';
}
