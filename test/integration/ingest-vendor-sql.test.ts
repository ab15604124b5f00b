import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { DatasetName } from '../../contracts/index.js';
import { ingestVendorFile } from '../../pipelines/index.js';
import { sharedSession } from '../helpers/temp-lake.js';

/**
 * Issue #23: Alpaca JSON Lines of plain stream messages go through the SQL engine (DuckDB's own
 * reader, Alpaca's keys mapped in SQL) and land exactly the rows the per-record adapter lands;
 * any line the adapter would read otherwise sends the whole file to the adapter. The per-record
 * result is had from the same lines gzipped (.gz files always take the adapter).
 */

const WIRE = join(import.meta.dirname, '../../../shared/data/vendor-wire-fixtures');

/** Real REST records of the alpaca-trade-api-go fixtures as stream messages of type `T`. */
function asStream(T: string, key: string, tests: readonly string[]): string[] {
  const bodies = readFileSync(join(WIRE, 'alpaca/alpaca-trade-api-go_tests_rest_responses.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { test: string; response: Record<string, unknown> });
  const out: string[] = [];
  for (const test of tests) {
    const body = bodies.find((b) => b.test === test)?.response;
    const bySymbol = body?.[key] as Record<string, unknown>;
    for (const [S, rows] of Object.entries(bySymbol ?? {}))
      for (const row of Array.isArray(rows) ? rows : [rows])
        out.push(JSON.stringify({ T, S: S.replace('/', '-'), ...(row as object) }));
  }
  return out;
}

const TRADES = asStream('t', 'trades', ['TestGetTrades', 'TestGetMultiTrades', 'TestLatestTrades']);
const QUOTES = asStream('q', 'quotes', ['TestGetQuotes', 'TestLatestQuotes']);
const BARS = asStream('b', 'bars', ['TestGetBars']);

describe('alpaca JSON Lines through the SQL engine (issue #23)', () => {
  const shared = sharedSession();
  let n = 0;

  /** Ingest `lines` as .jsonl and as .jsonl.gz; both results and both sets of rows. */
  async function both(dataset: DatasetName, lines: readonly string[], symbol?: string) {
    n += 1;
    const text = `${lines.join('\n')}\n`;
    const plain = join(shared.env.dir, `case${n}.jsonl`);
    const gz = join(shared.env.dir, `case${n}.jsonl.gz`);
    await writeFile(plain, text);
    await writeFile(gz, gzipSync(text));
    const options = { format: 'alpaca' as const, dataset, force: true, ...(symbol ? { symbol } : {}) };
    const sql = await ingestVendorFile(shared.session, plain, options);
    const js = await ingestVendorFile(shared.session, gz, options);
    const rowsOf = (batchId: string) =>
      shared.session.all(
        `SELECT * EXCLUDE (batch_id, ingested_at) FROM bronze.${dataset} WHERE batch_id = $b ORDER BY ALL`,
        { b: batchId },
      );
    const quarantined = (file: string) =>
      shared.session.all(
        `SELECT source_line::INTEGER AS line, raw, reason FROM quarantine.${dataset} WHERE source_file = $f ORDER BY line`,
        { f: file },
      );
    return {
      sql,
      js,
      sqlRows: await rowsOf(sql.batchId),
      jsRows: await rowsOf(js.batchId),
      sqlQuarantine: await quarantined(plain),
      jsQuarantine: await quarantined(gz),
    };
  }

  const counts = (r: { read: number; accepted: number; quarantined: number; skipped: number }) => ({
    read: r.read,
    accepted: r.accepted,
    quarantined: r.quarantined,
    skipped: r.skipped,
  });

  it('plain trades, quotes and bars (real values): the SQL engine, the same rows as the adapter', async () => {
    expect(TRADES.length).toBeGreaterThan(5);
    for (const [dataset, lines] of [
      ['trades', TRADES],
      ['quotes', QUOTES],
      ['bars', BARS],
    ] as const) {
      const r = await both(dataset, lines);
      expect(r.sql).toMatchObject({
        engine: 'sql',
        reader: 'strict',
        accepted: lines.length,
        quarantined: 0,
      });
      expect(r.js).toMatchObject({ engine: 'js', accepted: lines.length });
      expect(r.sqlRows).toEqual(r.jsRows);
      expect(r.sqlRows).toHaveLength(lines.length);
    }
    // --symbol replaces the file's S, pair spelling normalised as the adapter does.
    const r = await both('trades', TRADES, 'btc/usd');
    expect(r.sql.engine).toBe('sql');
    expect(r.sqlRows).toEqual(r.jsRows);
    expect(new Set(r.sqlRows.map((row) => (row as { symbol: string }).symbol))).toEqual(new Set(['BTC-USD']));
  });

  it('a line the adapter reads otherwise sends the whole file to the adapter, with its reasons', async () => {
    const first = JSON.parse(TRADES[0] as string) as Record<string, unknown>;
    const variants: Record<string, string> = {
      'an unknown key (kept in extra)': JSON.stringify({ ...first, foo: 1 }),
      'a key named like a contract field': JSON.stringify({ ...first, price: 5 }),
      'conditions as one string': JSON.stringify({ ...first, c: '@' }),
      'conditions as numbers': JSON.stringify({ ...first, c: [12, 37] }),
      'an id beyond 2^53': JSON.stringify(first).replace(/"i":\d+/, '"i":123456789012345678901'),
      'a price as text': JSON.stringify({ ...first, p: '126.5' }),
      'a lower-case symbol': JSON.stringify({ ...first, S: 'aapl' }),
      'a control message': '{"T":"success","msg":"connected"}',
      'a quote among trades': QUOTES[0] as string,
      'a frame of messages': `[${TRADES[1]}]`,
      'a refused record': JSON.stringify({ ...first, p: -1 }),
      'malformed JSON': '{"T":"t",',
      'a repeated key': (TRADES[1] as string).replace('{"T":"t",', '{"T":"t","T":"t",'),
    };
    for (const [what, line] of Object.entries(variants)) {
      const r = await both('trades', [...TRADES, line]);
      expect({ what, engine: r.sql.engine }).toEqual({ what, engine: 'js' });
      expect(counts(r.sql)).toEqual(counts(r.js));
      expect(r.sql.skippedReasons).toEqual(r.js.skippedReasons);
      expect(r.sqlRows).toEqual(r.jsRows);
      expect(r.sqlQuarantine).toEqual(r.jsQuarantine);
    }
  });
});
