import type { CheckResult } from '../quality/index.js';
import type { Dag } from './dag.js';
import { downstreamOf } from './selectors.js';

/**
 * Gold tables that must not be served: every table whose error-severity check failed (or could not
 * run), and every table downstream of one, with the reason. Keys are gold table names (`fact_bars`),
 * as serving takes them; a table blocked for several reasons keeps the first.
 */
export function blockedByChecks(dag: Dag, results: readonly CheckResult[]): Record<string, string> {
  const blocked: Record<string, string> = {};
  for (const r of results) {
    if (r.severity !== 'error' || r.status === 'pass') continue;
    const what = r.status === 'error' ? `could not run` : `failed (${r.failingRows} offending rows)`;
    const own = `error check ${r.model} ${r.check} ${what}`;
    const tables = [
      ...(dag.nodes.has(r.model) ? [r.model] : []),
      ...(dag.nodes.has(r.model) ? downstreamOf(dag, r.model) : bronzeDownstream(dag, r.model)),
    ];
    for (const table of tables) {
      if (!table.startsWith('gold.')) continue;
      const name = table.slice('gold.'.length);
      blocked[name] ??= table === r.model ? own : `upstream ${own}`;
    }
  }
  return blocked;
}

/** Models that read a bronze table, and everything downstream of them. */
function bronzeDownstream(dag: Dag, bronze: string): string[] {
  const out = new Set<string>();
  for (const [name, node] of dag.nodes) {
    if (!node.reads.includes(bronze)) continue;
    out.add(name);
    for (const d of downstreamOf(dag, name)) out.add(d);
  }
  return dag.order.filter((n) => out.has(n));
}
