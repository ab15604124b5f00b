import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../layers/index.js';

let cached: string | undefined;

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The repository's `sql` folder (holding `serving/`, `gold/`, ...), found by walking up from `from`
 * (default: this module, which runs from `pipelines/serve/` in source and `dist/pipelines/serve/` built).
 */
export function findSqlDir(from: string | URL = import.meta.url): string {
  const useCache = from === import.meta.url;
  if (useCache && cached) return cached;
  const start = typeof from === 'string' && !from.startsWith('file:') ? from : fileURLToPath(from);
  let dir = start;
  for (;;) {
    const candidate = join(dir, 'sql');
    if (isDirectory(join(candidate, 'serving'))) {
      if (useCache) cached = candidate;
      return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new ConfigError(`no sql/serving folder above ${start}`);
    dir = parent;
  }
}
