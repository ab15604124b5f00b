import { declaredSourceTables, type LakeSession, qualifiedName, UsageError } from '../layers/index.js';
import { type ModelDefinition, modelName, modelSql, tablesReadBy } from '../models/index.js';

export interface DagNode {
  model: ModelDefinition;
  /** The model's SQL (one statement). */
  sql: string;
  /** Every lake table its SQL reads. */
  reads: string[];
  /** The models among those. */
  upstream: string[];
  downstream: string[];
}

export interface Dag {
  nodes: ReadonlyMap<string, DagNode>;
  /** Model names in an order where each comes after everything it reads. */
  order: readonly string[];
}

/** Build the model DAG from each model's SQL. Fails on a cycle or on a table nothing provides. */
export async function buildDag(session: LakeSession, models: readonly ModelDefinition[]): Promise<Dag> {
  const byName = new Map(models.map((m) => [modelName(m), m]));
  const sources = new Set(declaredSourceTables().map((t) => qualifiedName(t.ref)));
  const nodes = new Map<string, DagNode>();
  for (const model of models) {
    const sql = modelSql(model);
    const reads = (await tablesReadBy(session, sql)).map(qualifiedName).sort();
    for (const table of reads) {
      if (!byName.has(table) && !sources.has(table)) {
        throw new UsageError(`${modelName(model)} reads ${table}, which no model or source provides`);
      }
    }
    nodes.set(modelName(model), {
      model,
      sql,
      reads,
      upstream: reads.filter((t) => byName.has(t)),
      downstream: [],
    });
  }
  for (const [name, node] of nodes) for (const up of node.upstream) nodes.get(up)?.downstream.push(name);

  // Kahn's algorithm; ties broken by name so the order is stable.
  const indegree = new Map([...nodes].map(([name, n]) => [name, n.upstream.length]));
  const ready = [...indegree].filter(([, d]) => d === 0).map(([n]) => n);
  const order: string[] = [];
  while (ready.length > 0) {
    ready.sort();
    const name = ready.shift()!;
    order.push(name);
    for (const down of nodes.get(name)!.downstream) {
      const d = indegree.get(down)! - 1;
      indegree.set(down, d);
      if (d === 0) ready.push(down);
    }
  }
  if (order.length !== nodes.size) {
    const stuck = [...indegree].filter(([, d]) => d > 0).map(([n]) => n);
    throw new UsageError(`model dependency cycle among: ${stuck.join(', ')}`);
  }
  return { nodes, order };
}
