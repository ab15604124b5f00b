import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { formatMapping, type IngestEngine, ingestMappedFile, readFirstLine } from '../../pipelines/index.js';
import { parseJsonExact } from '../../pipelines/sources/vendors/exact-json.js';
import { sharedSession } from '../helpers/temp-lake.js';

const DATA = join(import.meta.dirname, '../../../shared/data');
const POLYGON_V3 = join(DATA, 'vendor-wire-fixtures/polygon/v3__trades__AAPL_limit-2.json');
const AGG_JSON = join(DATA, 'crypto-trades-binance/XRP_OLD-trades.json.gz');
const TRADE_COLS = `symbol, strftime(event_at, '%Y-%m-%dT%H:%M:%S.%fZ') AS event_at, price, size, exchange, trade_id, conditions, tape, source`;

/** Polygon/Massive flat-file trades layout (us_stocks_sip/trades_v1), header included. */
const POLYGON_COLUMNS = [
  'ticker',
  'conditions',
  'correction',
  'exchange',
  'id',
  'participant_timestamp',
  'price',
  'sequence_number',
  'sip_timestamp',
  'size',
  'tape',
  'trf_id',
  'trf_timestamp',
] as const;

type PolygonTrade = Record<(typeof POLYGON_COLUMNS)[number], unknown>;

/**
 * The flat files carry the same trades as the v3 REST fixture, one CSV row each (conditions as
 * a comma list in quotes, epochs in nanoseconds). Built from the real recorded REST body,
 * plus one row whose sip_timestamp (…461999999 ns) rounds to the next microsecond through a
 * double: only exact integer arithmetic gives .461999.
 */
function polygonFlatFile(): string {
  const body = parseJsonExact(readFileSync(POLYGON_V3, 'utf8')) as { results: PolygonTrade[] };
  const rows: PolygonTrade[] = body.results.map((t) => ({ ...t, ticker: 'AAPL' }));
  const first = rows[0] as PolygonTrade;
  rows.push({ ...first, id: '183277', sip_timestamp: '1651181822461999999', price: 156.44 });
  const cell = (v: unknown) => (Array.isArray(v) ? `"${v.join(',')}"` : String(v));
  return `${[POLYGON_COLUMNS.join(','), ...rows.map((r) => POLYGON_COLUMNS.map((c) => cell(r[c])).join(','))].join('\n')}\n`;
}

/**
 * data.binance.vision spot `trades` layout, headerless: id, price, qty, quote_qty, time,
 * is_buyer_maker, is_best_match. Rows from the first real XRP/ETH trades of the recorded REST
 * response (epoch ms, 2019), then one row in the 2025+ layout (epoch microseconds).
 */
function binanceTradesFile(): string {
  type Agg = { info: { a: number; p: string; q: string; T: number; m: boolean; M: boolean } };
  const trades = (JSON.parse(gunzipSync(readFileSync(AGG_JSON)).toString('utf8')) as Agg[]).slice(0, 3);
  const rows = trades.map(({ info: t }) =>
    [
      t.a,
      t.p,
      t.q,
      (Number(t.p) * Number(t.q)).toFixed(8),
      t.T,
      t.m ? 'True' : 'False',
      t.M ? 'True' : 'False',
    ].join(','),
  );
  rows.push('987654321,0.00150000,10.00000000,0.01500000,1736942400123456,False,True');
  return `${rows.join('\n')}\n`;
}

describe('flat-file trade layouts (Polygon CSV, Binance trades CSV)', () => {
  const shared = sharedSession();

  for (const engine of ['sql', 'js'] as const satisfies readonly IngestEngine[]) {
    it(`polygon-trades flat-file CSV, ${engine} engine: nanosecond sip_timestamp beyond 2^53 converted exactly`, async () => {
      const file = join(shared.env.dir, `polygon-${engine}.csv`);
      await writeFile(file, polygonFlatFile());
      const mapping = formatMapping('polygon-trades', {
        dataset: 'trades',
        file,
        firstLine: await readFirstLine(file),
      });
      const r = await ingestMappedFile(shared.session, file, { mapping, engine, force: true });
      // Quoted condition lists: DuckDB's CSV reader (sql) and csv-parse (js) must read the same cells.
      expect(r).toMatchObject({ engine, read: 3, accepted: 3, quarantined: 0 });
      const rows = await shared.session.all(
        `SELECT ${TRADE_COLS}, extra->>'participant_timestamp' AS participant FROM bronze.trades WHERE batch_id = $b ORDER BY price`,
        { b: r.batchId },
      );
      const trade = {
        symbol: 'AAPL',
        size: 10,
        conditions: ['12', '37'],
        tape: '3',
        source: 'polygon',
        participant: '1651181822461636600',
      };
      expect(rows).toEqual([
        {
          ...trade,
          event_at: '2022-04-28T21:37:02.461979Z',
          price: 156.43,
          exchange: '11',
          trade_id: '183276',
        },
        {
          ...trade,
          event_at: '2022-04-28T21:37:02.461999Z',
          price: 156.44,
          exchange: '11',
          trade_id: '183277',
        },
        {
          ...trade,
          event_at: '2022-04-28T21:37:02.461979Z',
          price: 157.43,
          exchange: '12',
          trade_id: '183276',
        },
      ]);
    });
  }

  it('polygon-trades flat-file CSV without quoted cells takes the SQL engine, same result', async () => {
    const file = join(shared.env.dir, 'polygon-plain.csv');
    // Single-condition rows need no quotes, so the file is line-safe for the SQL engine.
    await writeFile(file, polygonFlatFile().replaceAll('"12,37"', '12'));
    const mapping = formatMapping('polygon-trades', {
      dataset: 'trades',
      file,
      firstLine: await readFirstLine(file),
    });
    const r = await ingestMappedFile(shared.session, file, { mapping });
    expect(r).toMatchObject({ engine: 'sql', read: 3, accepted: 3, quarantined: 0 });
    const rows = await shared.session.all<{ event_at: string; trade_id: string; conditions: string[] }>(
      `SELECT strftime(event_at, '%Y-%m-%dT%H:%M:%S.%fZ') AS event_at, trade_id, conditions FROM bronze.trades WHERE batch_id = $b ORDER BY price`,
      { b: r.batchId },
    );
    expect(rows.map((x) => x.event_at)).toEqual([
      '2022-04-28T21:37:02.461979Z',
      '2022-04-28T21:37:02.461999Z',
      '2022-04-28T21:37:02.461979Z',
    ]);
    expect(rows.every((x) => x.conditions.length === 1 && x.conditions[0] === '12')).toBe(true);
  });

  it('binance-trades headerless CSV: epoch ms before 2025 and epoch µs from 2025 told apart', async () => {
    const file = join(shared.env.dir, 'XRPETH-trades-2019-10-11.csv');
    await writeFile(file, binanceTradesFile());
    const mapping = formatMapping('binance-trades', {
      dataset: 'trades',
      file,
      firstLine: await readFirstLine(file),
    });
    expect(mapping.header).toBe(false);
    const r = await ingestMappedFile(shared.session, file, { mapping });
    expect(r).toMatchObject({ engine: 'sql', read: 4, accepted: 4, quarantined: 0 });
    const rows = await shared.session.all(
      `SELECT ${TRADE_COLS} FROM bronze.trades WHERE batch_id = $b ORDER BY event_at, trade_id`,
      { b: r.batchId },
    );
    const base = { symbol: 'XRPETH', exchange: null, conditions: [], tape: null, source: 'binance' };
    expect(rows).toEqual([
      // Raw aggTrade: {"a":13519807,"p":"0.00141342","q":"23.00000000","T":1570752011620,...}
      { ...base, event_at: '2019-10-11T00:00:11.620000Z', price: 0.00141342, size: 23, trade_id: '13519807' },
      { ...base, event_at: '2019-10-11T00:00:11.620000Z', price: 0.00141266, size: 54, trade_id: '13519808' },
      expect.objectContaining({ symbol: 'XRPETH', trade_id: '13519809' }),
      { ...base, event_at: '2025-01-15T12:00:00.123456Z', price: 0.0015, size: 10, trade_id: '987654321' },
    ]);
  });
});
