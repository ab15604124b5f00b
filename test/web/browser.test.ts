import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, loadConfig } from '../../layers/index.js';
import { runModels } from '../../orchestrator/index.js';
import { ingestFile } from '../../pipelines/index.js';
import { type LiveAlert, liveChannel } from '../../streaming/live-events.js';
import { openUi, type UiApp } from '../../web/index.js';
import { openUiFixture, SESSION, type UiFixture } from './ui-fixture.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots kept as test artefacts (gitignored). */
export const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'web');
const HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';

const liveAlert = (symbol: string, minute: string): LiveAlert => ({
  symbol,
  bar_start_at: `${SESSION}T${minute}:00Z`,
  rule: 'price_move_1m',
  threshold: 0.05,
  observed_value: 0.0731,
  open: 181,
  high: 195,
  low: 180.5,
  close: 194.2,
  volume: 5100,
});

describe.skipIf(!existsSync(CHROMIUM))('the dashboard in a real browser (Debian chromium)', () => {
  let fx: UiFixture;
  let ui: UiApp;
  let url: string;
  let browser: Browser;
  let page: Page;
  let publisher: Redis;
  const prefix = `marketlake-webui-${process.pid}`;

  beforeAll(async () => {
    fx = await openUiFixture('webui');
    // A post whose body is markup: the page must show it as text.
    const file = join(fx.env.dir, '..', `hostile-post-${process.pid}.jsonl`);
    await writeFile(
      file,
      `${JSON.stringify({
        post_id: 'hostile-1',
        source: 'simulator',
        created_at: `${SESSION}T23:59:00Z`,
        author: 'mallory',
        title: `$AAPL ${HOSTILE}`,
        body: `$AAPL to the moon ${HOSTILE}`,
        score: 1,
        comment_count: 0,
        community: 'investing',
        cashtags: ['AAPL'],
      })}\n`,
    );
    const ingest = await ingestFile(fx.session, 'sentiment_posts', file, { format: 'jsonl' });
    expect(ingest.accepted).toBe(1);
    await runModels(fx.session, createLogger({ level: 'silent' }), { selectors: ['silver.sentiment_posts'] });
    const config = loadConfig({ LAKE_URL: fx.env.dir });
    ui = await openUi(config, fx.env.lake, createLogger({ level: 'silent' }), {
      redisUrl: 'redis://127.0.0.1:6379',
      queuePrefix: prefix,
    });
    url = await ui.app.listen({ port: 0, host: '127.0.0.1' });
    publisher = new Redis('redis://127.0.0.1:6379');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await mkdir(ARTIFACTS, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    publisher?.disconnect();
    await ui?.close();
    await fx?.close();
  });

  it('overview lists every symbol; clicking one draws one candle per priced 1m bar of the session', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForSelector('[data-testid=overview] tbody tr');
    expect(await page.locator('[data-testid=overview] tbody tr').count()).toBe(10);
    await page.screenshot({ path: join(ARTIFACTS, 'overview.png') });

    await page.click('a[data-testid=symbol-link]:text-is("AAPL")');
    await page.waitForSelector('[data-testid=chart][data-candles]');
    const [gold] = await fx.session.all<{ n: string; alerts: string }>(
      `SELECT (SELECT count(*) FROM gold.fact_bars WHERE symbol = 'AAPL' AND interval = '1m'
                 AND session_date = DATE '${SESSION}' AND open IS NOT NULL) AS n,
              (SELECT count(*) FROM gold.fact_alerts WHERE symbol = 'AAPL' AND session_date = DATE '${SESSION}') AS alerts`,
    );
    expect(Number(gold!.n)).toBeGreaterThan(200);
    expect(Number(await page.getAttribute('[data-testid=chart]', 'data-candles'))).toBe(Number(gold!.n));
    expect(Number(await page.getAttribute('[data-testid=chart]', 'data-markers'))).toBe(Number(gold!.alerts));
    expect(await page.locator('[data-testid=chart] canvas').count()).toBeGreaterThan(0);

    // Switching to 1h redraws with the session's hourly bars.
    const [hourly] = await fx.session.all<{ n: string }>(
      `SELECT count(*) AS n FROM gold.fact_bars WHERE symbol = 'AAPL' AND interval = '1h' AND session_date = DATE '${SESSION}' AND open IS NOT NULL`,
    );
    await page.selectOption('[data-testid=interval]', '1h');
    await page.waitForSelector(`[data-testid=chart][data-candles="${Number(hourly!.n)}"]`);
    await page.selectOption('[data-testid=interval]', '1m');
    await page.waitForSelector(`[data-testid=chart][data-candles="${Number(gold!.n)}"]`);
    await page.waitForSelector('[data-testid=post]');
    await page.screenshot({ path: join(ARTIFACTS, 'symbol-page.png') });
    expect(errors).toEqual([]);
  });

  it('shows markup from data as text: a post body and a live alert with <script> run nothing', async () => {
    const post = page.locator('[data-testid=post]', { hasText: 'mallory' });
    await expect.poll(() => post.count()).toBe(1);
    expect(await post.locator('.post-body').textContent()).toBe(`$AAPL to the moon ${HOSTILE}`);
    expect(await post.locator('script, img').count()).toBe(0);
    await publisher.publish(liveChannel(prefix, 'alerts'), JSON.stringify(liveAlert(HOSTILE, '15:00')));
    const item = page.locator('[data-testid=alert]', { hasText: '<script>' });
    await item.waitFor();
    expect(await item.locator('script, img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  it('an alert published on the live channel (as the stream does) appears in the feed without a reload', async () => {
    await page.evaluate(() => {
      (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
    });
    expect(await page.textContent('#feed-state')).toBe('live');
    await publisher.publish(liveChannel(prefix, 'alerts'), JSON.stringify(liveAlert('AAPL', '15:42')));
    const first = page.locator('#alert-feed li').first();
    await expect.poll(() => first.getAttribute('data-symbol')).toBe('AAPL');
    expect(await first.textContent()).toContain('2024-03-04 15:42:00 UTC');
    expect(await first.getAttribute('class')).toContain('new');
    expect(
      await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument),
    ).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'live-alert.png') });
  });

  it('the pipeline page shows the runs with their tasks, the quality summary and the tables', async () => {
    await page.goto(`${url}/#/pipeline`);
    await page.waitForSelector('[data-testid=tasks] tbody tr');
    expect(await page.locator('[data-testid=runs] tbody tr').count()).toBeGreaterThan(0);
    expect(await page.textContent('[data-testid=dq]')).toMatch(/\d+\/\d+ checks passed/);
    const bars = page.locator('[data-testid=tables] tr', { hasText: 'gold.fact_bars' });
    const [n] = await fx.session.all<{ n: string }>('SELECT count(*) AS n FROM gold.fact_bars');
    expect(await bars.locator('td').nth(1).textContent()).toBe(Number(n!.n).toLocaleString('en-US'));
    await bars.locator('a').click();
    await page.waitForSelector('[data-testid=snapshots] tbody tr');
    expect(await page.textContent('[data-testid=snapshots] h3')).toBe('Snapshots of gold.fact_bars');
    await page.screenshot({ path: join(ARTIFACTS, 'pipeline.png'), fullPage: true });
  });
});
