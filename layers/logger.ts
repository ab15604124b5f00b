import { createRequire } from 'node:module';
import { type Logger, pino } from 'pino';
import type PinoPretty from 'pino-pretty';
import type { LogLevel } from './config.js';

export type { Logger } from 'pino';

/** Field paths pino masks wherever they appear in a log line. */
export const REDACT_PATHS = [
  'databaseUrl',
  '*.databaseUrl',
  'redisUrl',
  '*.redisUrl',
  'password',
  '*.password',
  'secretAccessKey',
  '*.secretAccessKey',
  'connectionString',
  '*.connectionString',
];

export interface LoggerOptions {
  level?: LogLevel;
  /** JSON lines (machines) instead of human-readable lines; default: JSON unless stderr is a terminal. */
  json?: boolean;
  /** Where lines go; default stderr, so stdout stays for command results. */
  destination?: NodeJS.WritableStream;
}

/** The root logger. Children bind run id, model and partition. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? process.stderr;
  const json = options.json ?? !(process.stderr.isTTY ?? false);
  const base = {
    level: options.level ?? 'info',
    base: undefined,
    redact: { paths: REDACT_PATHS, censor: '***' },
  };
  if (json) return pino(base, destination as pino.DestinationStream);
  // Loaded only for a terminal: scripts and pipes (JSON lines) skip its start-up cost.
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
  const stream = pretty({
    colorize: process.stderr.isTTY ?? false,
    sync: true,
    destination,
    ignore: 'pid,hostname',
    translateTime: 'HH:MM:ss.l',
  });
  return pino(base, stream);
}
