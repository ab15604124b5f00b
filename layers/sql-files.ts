import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from './errors.js';

let cachedDir: string | undefined;
const cache = new Map<string, string>();

/** The repository's `sql/` folder, found from this module (works from source and from dist/). */
export function sqlDir(): string {
  if (cachedDir) return cachedDir;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'sql', 'serving')) && existsSync(join(dir, 'package.json'))) {
      cachedDir = join(dir, 'sql');
      return cachedDir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new UsageError('cannot find the sql/ folder of marketlake');
    dir = parent;
  }
}

/** Text of `sql/<relativePath>`, read once and cached. */
export function readSqlFile(relativePath: string): string {
  const hit = cache.get(relativePath);
  if (hit !== undefined) return hit;
  const base = sqlDir();
  const full = resolve(base, relativePath);
  if (!full.startsWith(base) || !existsSync(full))
    throw new UsageError(`SQL file not found: sql/${relativePath}`);
  const text = readFileSync(full, 'utf8');
  cache.set(relativePath, text);
  return text;
}

/** The SQL without comments and the trailing semicolon, ready to wrap in COPY (...) or DESCRIBE (...). */
export function statementOf(sql: string): string {
  return sql
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n')
    .trim()
    .replace(/;\s*$/, '');
}

/** The statements of `sql/macros/*.sql` (DuckDB macros every session defines), read once. */
export function sqlMacros(): string[] {
  const dir = join(sqlDir(), 'macros');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => statementOf(readSqlFile(`macros/${f}`)));
}
