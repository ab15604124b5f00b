import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, LakeSession } from '../../layers/index.js';
import { installMetrics, registry } from '../../ops/index.js';
import { simulateMarket } from '../../pipelines/index.js';
import { type FeedRecord, LakeCommitter } from '../../streaming/index.js';
import { tempLake } from '../helpers/temp-lake.js';

const logger = createLogger({ level: 'silent', json: true });

function value(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (want.every((w) => line.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('stream metrics from the live committer', () => {
  let env: Awaited<ReturnType<typeof tempLake>>;
  let session: LakeSession;
  beforeAll(async () => {
    env = await tempLake('marketlake-ops-stream-');
    session = await LakeSession.open(env.lake);
    installMetrics();
  });
  afterAll(async () => {
    session?.close();
    await env?.cleanup();
  });

  it('counts messages, records and the event-time-to-commit lag of each micro-batch', async () => {
    const market = simulateMarket({
      days: 1,
      tradesPerSymbolDay: 4,
      quotesPerSymbolDay: 0,
      postsPerSymbolDay: 0,
    });
    const trades = market.trades.slice(0, 30);
    const records: FeedRecord[] = trades.map((t, i) => ({
      dataset: 'trades',
      record: { line: i + 1, value: t },
    }));
    records.push({ dataset: 'trades', record: { line: 31, value: { symbol: 'BAD' } } });
    const committer = new LakeCommitter({ session, logger, source: 'stream:ops_test', compactEvery: 0 });
    const result = await committer.commit(records);
    expect(result.accepted).toBe(30);
    expect(result.quarantined).toBe(1);

    const text = await registry.metrics();
    const source = { source: 'stream:ops_test' };
    expect(value(text, 'marketlake_stream_messages_total', source)).toBe(31);
    expect(value(text, 'marketlake_records_ingested_total', { dataset: 'trades', ...source })).toBe(30);
    expect(value(text, 'marketlake_records_quarantined_total', { dataset: 'trades', ...source })).toBe(1);
    // One lag observation per accepted trade, measured from its event time to the commit.
    expect(value(text, 'marketlake_stream_lag_seconds_count', source)).toBe(30);
    const oldest = Math.min(...trades.map((t) => Date.parse(String((t as { event_at: string }).event_at))));
    const lagLast = value(text, 'marketlake_stream_lag_last_seconds', source)!;
    expect(lagLast).toBeCloseTo((result.committedAt - oldest) / 1000, 0);
    expect(value(text, 'marketlake_stream_messages_per_second', source)).toBeGreaterThan(0);
    // The bronze commit was timed too.
    expect(value(text, 'marketlake_commits_total', { table: 'bronze.trades', status: 'committed' })).toBe(1);
  });
});
