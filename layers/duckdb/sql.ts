import { quotedIdentifier, quotedString } from '@duckdb/node-api';
import type { TableRef } from '../names.js';

/** Quote an identifier for DuckDB (and PostgreSQL: same rules). */
export const ident = quotedIdentifier;
/** Quote a string literal: only for values DuckDB cannot take as parameters (view definitions, COPY targets). */
export const literal = quotedString;

export function viewName(ref: TableRef): string {
  return `${ident(ref.layer)}.${ident(ref.name)}`;
}
