// Direct modules, not the layers barrel: it would load DuckDB, Kysely and the S3 SDK's callers for every command.
import { type Config, loadConfig } from '../layers/config.js';
import { type Lake, openLake } from '../layers/lake.js';
import { createLogger, type Logger } from '../layers/logger.js';

export interface GlobalOptions {
  lake?: string;
  logLevel?: string;
  json?: boolean;
}

export interface CommandContext {
  config: Config;
  logger: Logger;
  lake: Lake;
}

/** Parse configuration once and open the lake; every command starts here. */
export function createContext(options: GlobalOptions): CommandContext {
  const config = loadConfig(process.env, options);
  const logger = createLogger({ level: config.logLevel, ...(config.json ? { json: true } : {}) });
  return { config, logger, lake: openLake(config) };
}

/** Write a line to stdout (results), as opposed to logs on stderr. */
export function out(text = ''): void {
  process.stdout.write(`${text}\n`);
}
