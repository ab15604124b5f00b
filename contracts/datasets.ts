import { z } from 'zod';
import { BAR_RECORD_RULES, Bar } from './bar.contract.js';
import { CorporateAction } from './corporate-action.contract.js';
import type { ColumnMeta } from './fields.js';
import { IndexChange } from './index-change.contract.js';
import { QUOTE_RECORD_RULES, Quote } from './quote.contract.js';
import type { FieldRule, RecordRule } from './rules.js';
import { SentimentPost } from './sentiment-post.contract.js';
import { SymbolRef, SymbolRefV1 } from './symbol-ref.contract.js';
import { Trade } from './trade.contract.js';

/** The bronze datasets, as a closed set: names become table names, paths and CLI arguments. */
export const DATASET_NAMES = [
  'trades',
  'quotes',
  'bars',
  'sentiment_posts',
  'symbol_refs',
  'corporate_actions',
  'index_changes',
] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export interface ContractColumn {
  name: string;
  sqlType: string;
  description: string;
  /** The rule both validators derive from; absent for `extra`, which the writer fills. */
  rule?: FieldRule;
}

/** Name of the column that keeps a record's unknown fields (JSON object text, or null). */
export const EXTRA_COLUMN = 'extra';
/** Longest `extra` kept; a record whose unknown fields serialise longer is refused. */
export const EXTRA_MAX_CHARS = 65_536;

const EXTRA: ContractColumn = {
  name: EXTRA_COLUMN,
  sqlType: 'VARCHAR',
  description: 'Fields of the source record the contract does not know, as a JSON object (null when none)',
};

export interface Dataset {
  name: DatasetName;
  /** Published contract version, e.g. `trade.v1`. Changing a published version is a breaking change. */
  contractVersion: string;
  // biome-ignore lint/suspicious/noExplicitAny: each dataset holds its own zod schema type
  schema: z.ZodType<any>;
  /** Field whose UTC date decides the bronze partition `dt`. */
  partitionField: string;
  /** Contract columns in order, then `extra`. */
  columns: readonly ContractColumn[];
  /** Cross-field rules, checked when every field passed. */
  recordRules: readonly RecordRule[];
}

/** Read the columns (name, DuckDB type, description, rule) from a contract's field metadata. */
export function columnsOf(schema: z.ZodType): ContractColumn[] {
  // Refinements wrap the object; the shape is on the inner object schema.
  const def = (schema as unknown as { def: { shape?: Record<string, z.ZodType> } }).def;
  const shape = def.shape ?? (schema as unknown as { shape: Record<string, z.ZodType> }).shape;
  if (!shape) throw new Error('contract has no object shape');
  return Object.entries(shape).map(([name, field]) => {
    const meta = field.meta() as ColumnMeta | undefined;
    if (!meta?.sqlType) throw new Error(`contract column ${name} lacks sqlType metadata`);
    return { name, sqlType: meta.sqlType, description: meta.description, rule: meta.rule };
  });
}

function dataset(
  name: DatasetName,
  contractVersion: string,
  schema: z.ZodType,
  partitionField: string,
  recordRules: readonly RecordRule[] = [],
): Dataset {
  const columns = [...columnsOf(schema), EXTRA];
  // Bronze partitions by this field; the bulk path reads a NULL value as "refused" (ingest-file.ts).
  const partition = columns.find((c) => c.name === partitionField)?.rule;
  if (!partition || partition.kind === 'list' || partition.nullable)
    throw new Error(`${name}: partition field ${partitionField} must be required`);
  return Object.freeze({
    name,
    contractVersion,
    schema,
    partitionField,
    columns: Object.freeze(columns),
    recordRules,
  });
}

export const DATASETS: Readonly<Record<DatasetName, Dataset>> = Object.freeze({
  trades: dataset('trades', 'trade.v1', Trade, 'event_at'),
  quotes: dataset('quotes', 'quote.v1', Quote, 'event_at', QUOTE_RECORD_RULES),
  bars: dataset('bars', 'bar.v1', Bar, 'bar_start_at', BAR_RECORD_RULES),
  sentiment_posts: dataset('sentiment_posts', 'sentiment_post.v1', SentimentPost, 'created_at'),
  symbol_refs: dataset('symbol_refs', 'symbol_ref.v2', SymbolRef, 'valid_from'),
  corporate_actions: dataset('corporate_actions', 'corporate_action.v1', CorporateAction, 'factor_date'),
  index_changes: dataset('index_changes', 'index_change.v1', IndexChange, 'effective_date'),
});

/** Contract versions a dataset has moved on from, by version. */
const SUPERSEDED_CONTRACTS: Readonly<Record<string, z.ZodType>> = { 'symbol_ref.v1': SymbolRefV1 };

export function isDatasetName(name: string): name is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(name);
}

/** One-line reason from a zod error: every path and message, `;`-separated. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(record)'}: ${i.message}`).join('; ');
}

/** JSON Schema of every contract, keyed by version. */
export function contractJsonSchemas(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const d of Object.values(DATASETS)) out[d.contractVersion] = z.toJSONSchema(d.schema, { io: 'input' });
  // Superseded versions stay published (and checked against their published schema).
  for (const [version, schema] of Object.entries(SUPERSEDED_CONTRACTS))
    out[version] = z.toJSONSchema(schema, { io: 'input' });
  return out;
}
