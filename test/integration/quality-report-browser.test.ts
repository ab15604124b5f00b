import { existsSync } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { QUARANTINE_COLUMNS, tableRef, writeTable } from '../../layers/index.js';
import { notNull, rowCountAnomaly, rowRule } from '../../models/index.js';
import { type CheckTarget, renderHtml, reportQuality, runChecks } from '../../quality/index.js';
import { sharedSession } from '../helpers/temp-lake.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots and the HTML under test stay for a person to look at (gitignored). */
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'quality');
const HOSTILE = `<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">`;

const posts = tableRef('silver', 'qc_posts');

/**
 * The HTML data-quality report in a real browser (Debian's chromium through playwright-core): it
 * opens from a file with no network, shows the summary, the charts and the failing rows, and a
 * `<script>` in a post body is text, never run.
 */
describe.skipIf(!existsSync(CHROMIUM))('the HTML data-quality report in a real browser', () => {
  const shared = sharedSession();

  it('shows the summary and charts; a <script> in a post body is text', async () => {
    const { session } = shared;
    // Twelve daily partitions of posts; one post's body is markup and breaks a length rule.
    await writeTable(
      session,
      posts,
      `SELECT 'p' || d || '-' || i AS post_id, CAST(DATE '2024-03-01' + CAST(d AS INTEGER) AS DATE) AS dt,
         CASE WHEN d = 11 AND i = 0 THEN $hostile ELSE 'TSLA to the moon' END AS body
       FROM range(12) a(d), range(20 + (d % 4) * 5) b(i)`.replace(
        '$hostile',
        `'${HOSTILE.replace(/'/g, "''")}'`,
      ),
      { operation: 'replace', partitionColumn: 'dt' },
    );
    // Quarantined posts over the same days, with a reason that is markup too.
    const cols = QUARANTINE_COLUMNS.map((c) =>
      c.name === 'dt'
        ? `CAST(DATE '2024-03-01' + CAST(d AS INTEGER) AS DATE) AS dt`
        : c.name === 'reason'
          ? `CASE WHEN i = 0 THEN 'body: <b>bold</b> not allowed' ELSE 'post_id: must not be empty' END AS reason`
          : `CAST(NULL AS ${c.type}) AS "${c.name}"`,
    );
    await writeTable(
      session,
      tableRef('quarantine', 'sentiment_posts'),
      `SELECT ${cols.join(', ')} FROM range(12) a(d), range(1 + d % 3) b(i)`,
      { operation: 'replace', partitionColumn: 'dt' },
    );
    await writeTable(
      session,
      tableRef('bronze', 'sentiment_posts'),
      `SELECT post_id, 'reddit' AS source, CAST(dt AS TIMESTAMPTZ) AS created_at, body, dt FROM silver.qc_posts`,
      { operation: 'replace', partitionColumn: 'dt' },
    );
    const targets: CheckTarget[] = [
      {
        ref: posts,
        partitionColumn: 'dt',
        checks: [
          notNull(posts, ['post_id']),
          rowRule(posts, 'short_body', 'length(body) < 40', 'a post body has fewer than 40 characters'),
          rowCountAnomaly(posts, { calendar: 'daily', trailing: 5 }, { severity: 'warn' }),
        ],
      },
    ];
    const results = await runChecks(session, targets);
    const { report } = await reportQuality(session, results, {
      runId: 'run_browser',
      targets,
      blocked: [
        {
          table: 'gold.fact_daily_sentiment',
          reason: 'upstream error check silver.qc_posts short_body failed',
        },
      ],
    });
    await mkdir(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, 'report.html');
    await writeFile(file, renderHtml(report));

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const requests: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith('file:')) requests.push(r.url());
      });
      await page.goto(pathToFileURL(file).href);
      await expect.poll(() => page.title()).toBe('marketlake data quality');
      const summary = await page.locator('#summary').innerText();
      expect(summary).toMatch(/2\/3 checks passed, 1 failed, 0 warnings/);
      expect(summary).toContain('gold.fact_daily_sentiment');
      // Charts: rows per partition (12 bars) and the quarantine rate per partition (12 bars).
      expect(await page.locator('section#silver\\.qc_posts .bars .bar').count()).toBe(12);
      expect(await page.locator('section.quarantine .bars .bar').count()).toBe(12);
      expect(await page.locator('section.quarantine').innerText()).toContain('body: <b>bold</b> not allowed');
      // The hostile body is shown as text in the failing-row sample, and nothing of it ran.
      expect(await page.locator('table.sample').innerText()).toContain(HOSTILE);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await page.locator('script, img').count()).toBe(0);
      expect(requests).toEqual([]);
      const shot = join(ARTIFACTS, 'report.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect((await stat(shot)).size).toBeGreaterThan(10_000);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
