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

/** A commit that cannot be applied (schema mismatch, bad partition value). */
export class CommitError extends MarketlakeError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('COMMIT', message, options);
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

const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  // PostgreSQL: admin shutdown, crash shutdown, cannot connect now, serialization failure, deadlock
  '57P01',
  '57P02',
  '57P03',
  '40001',
  '40P01',
]);

/**
 * Whether retrying may help: a MarketlakeError marked transient, a network or PostgreSQL restart
 * error, or an S3 throttle/5xx anywhere in the cause chain. Everything else (SQL errors, contract
 * violations, bad configuration) is permanent.
 */
export function isTransient(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 8; depth++) {
    if (e instanceof MarketlakeError && !e.permanent) return true;
    const o = e as {
      code?: string;
      $metadata?: { httpStatusCode?: number };
      message?: string;
      cause?: unknown;
    };
    if (o.code && TRANSIENT_CODES.has(o.code)) return true;
    const status = o.$metadata?.httpStatusCode;
    if (status === 429 || status === 503 || (status !== undefined && status >= 500)) return true;
    if (typeof o.message === 'string' && /Connection terminated|socket hang up/i.test(o.message)) return true;
    e = o.cause;
  }
  return false;
}
