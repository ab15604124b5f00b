import { UsageError } from '../layers/index.js';
import type { Dag } from './dag.js';

function walk(dag: Dag, start: string, direction: 'upstream' | 'downstream', into: Set<string>): void {
  const stack = [start];
  while (stack.length > 0) {
    const name = stack.pop()!;
    for (const next of dag.nodes.get(name)?.[direction] ?? []) {
      if (!into.has(next)) {
        into.add(next);
        stack.push(next);
      }
    }
  }
}

/**
 * The models a list of selectors picks, dbt style: `gold.fact_bars` the model itself,
 * `+gold.fact_bars` it and everything upstream, `gold.fact_bars+` it and everything downstream,
 * `+gold.fact_bars+` both. Selectors may also come comma-separated. Unknown names are usage errors.
 */
export function selectModels(dag: Dag, selectors: readonly string[]): Set<string> {
  const picked = new Set<string>();
  const parts = selectors
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  for (const selector of parts) {
    const upstream = selector.startsWith('+');
    const downstream = selector.endsWith('+');
    const name = selector.replace(/^\+/, '').replace(/\+$/, '');
    if (!dag.nodes.has(name)) {
      const known = [...dag.nodes.keys()].sort().join(', ');
      throw new UsageError(`no model named ${name} (selector ${selector}); models: ${known}`);
    }
    picked.add(name);
    if (upstream) walk(dag, name, 'upstream', picked);
    if (downstream) walk(dag, name, 'downstream', picked);
  }
  return picked;
}

/** Every model `name` depends on, directly or not. */
export function upstreamOf(dag: Dag, name: string): string[] {
  const out = new Set<string>();
  walk(dag, name, 'upstream', out);
  return dag.order.filter((n) => out.has(n));
}

/** Every model that depends on `name`, directly or not. */
export function downstreamOf(dag: Dag, name: string): string[] {
  const out = new Set<string>();
  walk(dag, name, 'downstream', out);
  return dag.order.filter((n) => out.has(n));
}
