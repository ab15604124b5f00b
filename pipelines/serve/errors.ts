import { isTransient, MarketlakeError } from '../../layers/index.js';

/** Loading the serving database failed. Transient (retry may help) for lost connections and lock conflicts. */
export class ServingError extends MarketlakeError {
  constructor(message: string, options: { cause?: unknown; permanent?: boolean } = {}) {
    super('SERVING', message, {
      permanent: options.permanent ?? !isTransient(options.cause),
      cause: options.cause,
    });
  }
}

/** The message of an error, for wrapping; never includes a connection string. */
export function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
