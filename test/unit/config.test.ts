import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConfigError, createLogger, loadConfig, redactUrl } from '../../layers/index.js';

describe('loadConfig', () => {
  it('applies defaults and lets flags win over the environment', () => {
    const config = loadConfig({ LAKE_URL: '/data/lake', LOG_LEVEL: 'warn' }, { logLevel: 'debug' });
    expect(config.lakeUrl).toBe('/data/lake');
    expect(config.logLevel).toBe('debug');
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.databaseUrl).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('lists every bad value at once, without echoing the secret', () => {
    let error: unknown;
    try {
      loadConfig({ DATABASE_URL: 'mysql://u:hunter2@h/db', REDIS_URL: 'http://x', LOG_LEVEL: 'loud' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('DATABASE_URL');
    expect(message).toContain('REDIS_URL');
    expect(message).toContain('LOG_LEVEL');
    expect(message).not.toContain('hunter2');
  });
});

describe('secrets', () => {
  it('redactUrl masks passwords and secret query parameters', () => {
    expect(redactUrl('postgres://app:s3cret@db:5432/lake?sslmode=require&password=x')).toBe(
      'postgres://app:***@db:5432/lake?sslmode=require&password=***',
    );
    expect(redactUrl('postgres://db/lake')).toBe('postgres://db/lake');
  });

  it('the logger redacts secret fields wherever they appear', async () => {
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (c) => chunks.push(String(c)));
    const logger = createLogger({ json: true, destination: stream });
    logger.info(
      { databaseUrl: 'postgres://u:topsecret@h/db', s3: { secretAccessKey: 'AKIAXYZ' } },
      'configured',
    );
    logger.child({ runId: 'run_1' }).info({ password: 'pw123' }, 'child line');
    await new Promise((r) => setImmediate(r));
    const text = chunks.join('');
    expect(text).not.toContain('topsecret');
    expect(text).not.toContain('AKIAXYZ');
    expect(text).not.toContain('pw123');
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[1].runId).toBe('run_1');
    expect(lines[0].databaseUrl).toBe('***');
  });
});
