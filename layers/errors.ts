/**
 * One root error class; subclasses say whether a retry can help.
 * `permanent` errors (bad config, broken contract, SQL error) must not be retried.
 */
export class MarketlakeError extends Error {
  readonly code: string;
  readonly permanent: boolean;
  constructor(code: string, message: string, options: { cause?: unknown; permanent?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.permanent = options.permanent ?? true;
  }
}

/** Bad configuration value(s): lists every problem at once. */
export class ConfigError extends MarketlakeError {
  constructor(message: string) {
    super('CONFIG', message);
  }
}

/** Bad command-line usage (unknown dataset, missing argument, ...). */
export class UsageError extends MarketlakeError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** A command of the contract that this build does not provide yet. */
export class NotImplementedError extends MarketlakeError {
  constructor(what: string, issue: string) {
    super('NOT_IMPLEMENTED', `${what} is not built yet (${issue})`);
  }
}

/** Storage hiccup (I/O, network); transient unless stated. */
export class StorageError extends MarketlakeError {
  constructor(message: string, options: { cause?: unknown; permanent?: boolean } = {}) {
    super('STORAGE', message, { permanent: false, ...options });
  }
}

/** An input file that cannot be read as a whole (missing, not a file, corrupt compression): nothing of it is written. */
export class InputError extends MarketlakeError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('INPUT', message, options);
  }
}

/** A commit that cannot be applied (schema mismatch, bad partition value). */
export class CommitError extends MarketlakeError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('COMMIT', message, options);
  }
}

/**
 * A batch whose content a table already holds, found inside the commit's transaction: another
 * writer committed the same input first. Not a failure of the input: callers report a duplicate.
 */
export class DuplicateBatchError extends MarketlakeError {
  constructor(
    readonly table: string,
    readonly contentHash: string,
  ) {
    super('DUPLICATE_BATCH', `${table}: batch ${contentHash.slice(0, 12)}… is already committed`);
  }
}

/** A model's SQL failed. */
export class ModelError extends MarketlakeError {
  readonly model: string;
  constructor(model: string, message: string, options: { cause?: unknown } = {}) {
    super('MODEL', `${model}: ${message}`, options);
    this.model = model;
  }
}

const TRANSIENT_NODE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);
/** SQLSTATE classes and codes worth a retry: connection, serialization/deadlock, resources, lock wait, shutdown. */
const TRANSIENT_SQLSTATE = /^(08|40001|40P01|53|55P03|57P0[123])/;

/**
 * Whether retrying may help: a MarketlakeError marked transient, a network error, a PostgreSQL
 * connection/serialization/shutdown error, or an S3 throttle/5xx anywhere in the cause chain.
 * Everything else (SQL errors, contract violations, bad configuration) is permanent.
 * The one classifier for task retries and for serving errors.
 */
export function isTransient(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 8; depth++) {
    if (e instanceof MarketlakeError && !e.permanent) return true;
    const o = e as {
      code?: unknown;
      $metadata?: { httpStatusCode?: number };
      message?: string;
      cause?: unknown;
    };
    if (typeof o.code === 'string' && (TRANSIENT_NODE_CODES.has(o.code) || TRANSIENT_SQLSTATE.test(o.code))) {
      return true;
    }
    const status = o.$metadata?.httpStatusCode;
    if (status === 429 || (status !== undefined && status >= 500)) return true;
    if (
      typeof o.message === 'string' &&
      /Connection terminated|connection timeout|socket hang up/i.test(o.message)
    ) {
      return true;
    }
    e = o.cause;
  }
  return false;
}
