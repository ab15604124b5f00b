import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempLake } from '../helpers/temp-lake.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('marketlake ui (the real command)', () => {
  let env: Awaited<ReturnType<typeof tempLake>>;
  beforeAll(async () => {
    env = await tempLake('marketlake-uicmd-');
  });
  afterAll(async () => {
    await env?.cleanup();
  });

  it('prints its URL, serves the page and the API, and exits 0 on SIGTERM with a live stream open', async () => {
    const { REDIS_URL: _unset, DATABASE_URL: _none, ...rest } = process.env;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'cli/main.ts', '--lake', env.dir, 'ui', '--port', '0', '--no-metrics'],
      {
        cwd: root,
        env: { ...rest, LOG_LEVEL: 'warn' },
      },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      for (let i = 0; i < 600 && !stdout.includes('live    '); i++)
        await new Promise((r) => setTimeout(r, 100));
      const url = /marketlake ui on (\S+)/.exec(stdout)?.[1];
      expect(url).toMatch(/^http:\/\/localhost:\d+$/);
      expect(stdout).toContain('polling gold.fact_alerts');
      const page = await fetch(`${url}/`);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await page.text()).toContain('<script type="module" src="/app.js"></script>');
      const chart = await fetch(
        `${url}/vendor/lightweight-charts/lightweight-charts.standalone.production.mjs`,
      );
      expect(chart.status).toBe(200);
      expect((await (await fetch(`${url}/api/v1/symbols`)).json()).data).toEqual([]);
      // An open live stream (a browser tab) must not keep the server from stopping.
      const live = await fetch(`${url}/api/v1/live/alerts`);
      expect(live.headers.get('content-type')).toContain('text/event-stream');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
