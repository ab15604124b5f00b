import { MarketlakeError } from '../../layers/index.js';

/** Loading the serving database failed. Transient (retry may help) for lost connections and lock conflicts. */
export class ServingError extends MarketlakeError {
  constructor(message: string, options: { cause?: unknown; permanent?: boolean } = {}) {
    super('SERVING', message, {
      permanent: options.permanent ?? !isTransient(options.cause),
      cause: options.cause,
    });
  }
}

const TRANSIENT_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);
/** SQLSTATE classes and codes worth a retry: connection, serialization/deadlock, resources, shutdown. */
const TRANSIENT_SQLSTATE = /^(08|40001|40P01|53|55P03|57P0[123])/;

/** Whether an error from `pg` / PGlite / Node looks like a hiccup rather than a bug or bad data. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (TRANSIENT_NODE_CODES.has(code) || TRANSIENT_SQLSTATE.test(code)))
    return true;
  return /Connection terminated|connection timeout/i.test(error.message);
}

/** The message of an error, for wrapping; never includes a connection string. */
export function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
