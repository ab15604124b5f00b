import { z } from 'zod';
import { ConfigError } from './errors.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const PostgresUrl = z
  .string()
  .regex(/^postgres(?:ql)?:\/\//, 'must start with postgres:// or postgresql://')
  .refine((s) => URL.canParse(s), 'is not a valid URL');

const ConfigSchema = z.object({
  /** Where the lake lives: a folder (default `./lake`) or `s3://bucket/prefix`. */
  lakeUrl: z.string().min(1).default('./lake'),
  /** Serving PostgreSQL; unset = embedded PGlite under the lake. */
  databaseUrl: PostgresUrl.optional(),
  /**
   * Catalog database: `sqlite:<path>` or `postgres://...`. Default: SQLite inside a local lake;
   * the serving DATABASE_URL when the lake is on S3.
   */
  catalogUrl: z
    .string()
    .regex(/^(sqlite:|postgres(?:ql)?:\/\/)/, 'must be sqlite:<path> or postgres://...')
    .optional(),
  /** S3 endpoint for MinIO or another S3-compatible server (path-style addressing). */
  s3Endpoint: z
    .string()
    .refine((s) => URL.canParse(s), 'is not a valid URL')
    .optional(),
  awsRegion: z.string().min(1).default('us-east-1'),
  /** Local cache of S3 objects staged for DuckDB. */
  cacheDir: z.string().min(1).optional(),
  cacheMaxMb: z.coerce.number().int().min(16).default(8192),
  /** Redis for BullMQ. */
  redisUrl: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .default('redis://127.0.0.1:6379'),
  /**
   * BullMQ key prefix. Unset: `marketlake-<first 12 hex of the lake id>`, so lakes sharing a Redis
   * never share queues (resolved with the lake, in orchestrator/queue/connection.ts).
   */
  queuePrefix: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1 to 64 characters among A-Z, a-z, 0-9, '_' and '-'")
    .optional(),
  logLevel: z.enum(LOG_LEVELS).default('info'),
  /** Machine-readable output: JSON logs and JSON command results. */
  json: z.boolean().default(false),
  /** DuckDB worker threads; default = DuckDB's own (all cores). */
  duckdbThreads: z.coerce.number().int().min(1).max(256).optional(),
});

export type Config = Readonly<z.infer<typeof ConfigSchema>>;

/** Flags that override environment variables. */
export interface ConfigFlags {
  lake?: string;
  logLevel?: string;
  json?: boolean;
}

function blankToUndefined(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v;
}

/**
 * Parse configuration once, from environment variables and flags (flags win), into a frozen
 * object. Every bad value is reported at once, without echoing secrets.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, flags: ConfigFlags = {}): Config {
  const raw = {
    lakeUrl: flags.lake ?? blankToUndefined(env.LAKE_URL),
    databaseUrl: blankToUndefined(env.DATABASE_URL),
    catalogUrl: blankToUndefined(env.CATALOG_URL),
    s3Endpoint: blankToUndefined(env.S3_ENDPOINT),
    awsRegion: blankToUndefined(env.AWS_REGION),
    cacheDir: blankToUndefined(env.LAKE_CACHE_DIR),
    cacheMaxMb: blankToUndefined(env.LAKE_CACHE_MAX_MB),
    redisUrl: blankToUndefined(env.REDIS_URL),
    queuePrefix: blankToUndefined(env.QUEUE_PREFIX),
    logLevel: flags.logLevel ?? blankToUndefined(env.LOG_LEVEL),
    json: flags.json,
    duckdbThreads: blankToUndefined(env.DUCKDB_THREADS),
  };
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const envName: Record<string, string> = {
      lakeUrl: 'LAKE_URL / --lake',
      databaseUrl: 'DATABASE_URL',
      catalogUrl: 'CATALOG_URL',
      s3Endpoint: 'S3_ENDPOINT',
      awsRegion: 'AWS_REGION',
      cacheDir: 'LAKE_CACHE_DIR',
      cacheMaxMb: 'LAKE_CACHE_MAX_MB',
      redisUrl: 'REDIS_URL',
      queuePrefix: 'QUEUE_PREFIX',
      logLevel: 'LOG_LEVEL / --log-level',
      duckdbThreads: 'DUCKDB_THREADS',
    };
    const problems = parsed.error.issues.map((i) => {
      const key = String(i.path[0] ?? '');
      return `${envName[key] ?? key}: ${i.message}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return Object.freeze(parsed.data);
}

/** A URL with its password (and any query-string secret) masked, safe to print. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    for (const key of [...u.searchParams.keys()]) {
      if (/pass|secret|token|key/i.test(key)) u.searchParams.set(key, '***');
    }
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  }
}
