import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { DATASET_NAMES } from '../contracts/index.js';
import { ConfigError } from '../layers/index.js';
import { configureSentimentScoring, SentimentScoringConfig } from '../models/index.js';

/** What a scheduled or queued run does. */
export const PIPELINES = ['daily', 'models', 'maintenance'] as const;
export type PipelineName = (typeof PIPELINES)[number];

const Name = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'lower-case name');

const Source = z.object({
  name: Name,
  dataset: z.enum(DATASET_NAMES),
  /** Ingestion --format of the files. */
  format: z.string().min(1),
  /** Folder vendors drop files into; each new file is ingested once (by content hash). */
  landing: z.string().min(1),
  /** File name suffix to pick up, e.g. `.jsonl` or `.csv.gz`. */
  suffix: z.string().default(''),
  /** The mapping flags of `marketlake ingest`, for files in a layout nobody wrote an adapter for. */
  options: z
    .object({
      map: z.string(),
      header: z.boolean(),
      delimiter: z.string(),
      timeUnit: z.string(),
      timeZone: z.string(),
      priceScale: z.string(),
      symbol: z.string(),
    })
    .partial()
    .default({}),
});

const Schedule = z.object({
  name: Name,
  /** Cron pattern (5 fields, or 6 with seconds). */
  cron: z.string().min(9),
  tz: z.string().default('UTC'),
  pipeline: z.enum(PIPELINES),
  /** Run each missed tick once after downtime. */
  catchUp: z.boolean().default(true),
});

const ProjectConfigSchema = z.object({
  sources: z.array(Source).default([]),
  schedules: z.array(Schedule).default([
    { name: 'daily', cron: '30 16 * * 1-5', tz: 'America/New_York', pipeline: 'daily', catchUp: true },
    { name: 'refresh', cron: '*/5 * * * *', tz: 'UTC', pipeline: 'models', catchUp: false },
    { name: 'maintenance', cron: '0 3 * * *', tz: 'UTC', pipeline: 'maintenance', catchUp: true },
  ]),
  /** Retry limits per task kind (transient errors only; permanent ones never retry). */
  retries: z
    .object({
      ingest: z.number().int().min(1).default(5),
      model: z.number().int().min(1).default(3),
      other: z.number().int().min(1).default(3),
    })
    .default({ ingest: 5, model: 3, other: 3 }),
  /** Which sentiment scorer scores each source's posts (see models/sentiment/scorer-config.ts); unset: VADER. */
  sentiment: SentimentScoringConfig.optional(),
});

export type ProjectConfig = Readonly<z.infer<typeof ProjectConfigSchema>>;
export type SourceConfig = z.infer<typeof Source>;
export type ScheduleConfig = z.infer<typeof Schedule>;

export const DEFAULT_PROJECT_FILE = 'marketlake.yaml';

/**
 * Read the project configuration (sources, schedules, retries) from YAML, validated with zod.
 * A missing default file means the defaults; a named file that is missing or invalid fails at start.
 */
export function loadProjectConfig(path?: string): ProjectConfig {
  const file = resolve(path ?? process.env.MARKETLAKE_CONFIG ?? DEFAULT_PROJECT_FILE);
  let raw: unknown = {};
  if (existsSync(file)) {
    try {
      raw = parse(readFileSync(file, 'utf8')) ?? {};
    } catch (err) {
      throw new ConfigError(`${file}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
    }
  } else if (path || process.env.MARKETLAKE_CONFIG) {
    throw new ConfigError(`project configuration not found: ${file}`);
  }
  const parsed = ProjectConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`${file}: ${problems.join('; ')}`);
  }
  const names = parsed.data.schedules.map((s) => s.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new ConfigError(`${file}: schedule ${dup} is declared twice`);
  // The scoring step of silver.sentiment_scores reads the choice from here in every command
  // that loads the project (run, worker, schedule).
  configureSentimentScoring(parsed.data.sentiment);
  return Object.freeze(parsed.data);
}
