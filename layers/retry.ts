import { isTransient } from './errors.js';

/**
 * Retry with exponential backoff for transient failures (a PostgreSQL restart, an S3 server that
 * is briefly away, a reset connection): the one helper for serving, the catalog's commit and the
 * S3 store. Permanent errors (SQL, contract, configuration) are thrown at once.
 */
export interface RetryOptions {
  /**
   * Keep retrying for this long after the first failure (ms). Default: MARKETLAKE_RETRY_SECONDS
   * (30 s), enough to ride out a database or object-store restart.
   */
  budgetMs?: number;
  /** First delay; it doubles per attempt up to maxDelayMs (each with up to ±25% jitter). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Which errors are worth another attempt. Default: isTransient. */
  retryable?: (error: unknown) => boolean;
  /** Called before each wait (log it). */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

const DEFAULT_BUDGET_S = 30;

/** MARKETLAKE_RETRY_SECONDS (default 30): how long transient failures are retried before a command gives up. */
export function retryBudgetMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.MARKETLAKE_RETRY_SECONDS;
  const s = raw === undefined || raw.trim() === '' ? DEFAULT_BUDGET_S : Number(raw);
  return Number.isFinite(s) && s >= 0 ? s * 1000 : DEFAULT_BUDGET_S * 1000;
}

/** Delay before attempt `attempt + 1` (attempt counts from 1). */
export function backoffDelay(attempt: number, baseDelayMs = 250, maxDelayMs = 4_000): number {
  const plain = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(plain * (0.75 + Math.random() * 0.5));
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Run `fn` until it succeeds, a permanent error is thrown, or the budget is spent (then the last
 * error is thrown). `fn` gets the attempt number (1, 2, ...).
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const budget = options.budgetMs ?? retryBudgetMs();
  const retryable = options.retryable ?? isTransient;
  let firstFailure: number | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (!retryable(error)) throw error;
      firstFailure ??= Date.now();
      const delay = backoffDelay(attempt, options.baseDelayMs, options.maxDelayMs);
      if (Date.now() + delay - firstFailure > budget) throw error;
      options.onRetry?.(error, attempt, delay);
      await sleep(delay);
    }
  }
}
