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
