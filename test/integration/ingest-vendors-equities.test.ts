import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  formatMapping,
  type IngestFormat,
  ingestMappedFile,
  ingestVendorFile,
  readFirstLine,
} from '../../pipelines/index.js';
import { sharedSession } from '../helpers/temp-lake.js';

const DATA = join(import.meta.dirname, '../../../shared/data');
const ALGOSEEK = join(DATA, 'us-equity-ticks-algoseek');
const WIRE = join(DATA, 'vendor-wire-fixtures');
const TRADE_COLS = `symbol, strftime(event_at, '%Y-%m-%dT%H:%M:%S.%fZ') AS event_at, price, size, exchange, trade_id, conditions, tape, source, extra`;

/** The response body of one test in the alpaca fixture files (real REST bodies), as a temp file. */
async function alpacaBody(dir: string, fixture: string, test: string, has: string): Promise<string> {
  const lines = readFileSync(join(WIRE, 'alpaca', fixture), 'utf8')
    .split('\n')
    .filter(Boolean);
  const hit = lines
    .map((l) => JSON.parse(l))
    .find((l) => l.test === test && JSON.stringify(l.response).includes(has));
  const file = join(dir, `${test}.json`);
  await writeFile(file, JSON.stringify(hit.response));
  return file;
}

describe('vendor formats on real US-equity samples', () => {
  const shared = sharedSession();

  const mapped = async (format: IngestFormat, dataset: 'trades' | 'bars', file: string) =>
    ingestMappedFile(shared.session, file, {
      mapping: formatMapping(format, { dataset, file, firstLine: await readFirstLine(file) }),
    });

  it('algoseek: IBM ticks of 2013-10-07, ms of day in New York, deci-cent prices', async () => {
    const r = await mapped('algoseek', 'trades', join(ALGOSEEK, 'trades/20131007_ibm_Trade_Tick.csv.gz'));
    expect(r).toMatchObject({
      engine: 'sql',
      read: 24_293,
      accepted: 24_293,
      quarantined: 0,
      partitions: ['2013-10-07'],
    });
    const rows = await shared.session.all(
      `SELECT ${TRADE_COLS} FROM bronze.trades WHERE symbol = 'IBM' ORDER BY event_at, size LIMIT 2`,
    );
    // Raw: 14430270,1815200,283,P,20002020,0 → 04:00:30.270 EDT = 08:00:30.270 UTC, $181.52.
    expect(rows).toEqual([
      {
        symbol: 'IBM',
        event_at: '2013-10-07T08:00:30.270000Z',
        price: 181.52,
        size: 283,
        exchange: 'P',
        trade_id: null,
        conditions: ['20002020'],
        tape: null,
        source: 'algoseek',
        extra: '{"column6":"0"}',
      },
      {
        symbol: 'IBM',
        event_at: '2013-10-07T08:00:50.472000Z',
        price: 181.8,
        size: 500,
        exchange: 'P',
        trade_id: null,
        conditions: ['2000'],
        tape: null,
        source: 'algoseek',
        extra: '{"column6":"0"}',
      },
    ]);
  });

  it('algoseek-bars: IBM minute bars of 2013-10-07', async () => {
    const r = await mapped(
      'algoseek-bars',
      'bars',
      join(ALGOSEEK, 'minute_bars/20131007_ibm_minute_trade.csv.gz'),
    );
    expect(r).toMatchObject({ read: 453, accepted: 453, quarantined: 0 });
    const rows = await shared.session.all(
      `SELECT symbol, strftime(bar_start_at, '%Y-%m-%dT%H:%M:%SZ') AS t, interval, open, high, low, close, volume FROM bronze.bars WHERE symbol = 'IBM' ORDER BY bar_start_at LIMIT 1`,
    );
    // Raw: 14400000,1815200,1818000,1815200,1818000,1283
    expect(rows).toEqual([
      {
        symbol: 'IBM',
        t: '2013-10-07T08:00:00Z',
        interval: '1m',
        open: 181.52,
        high: 181.8,
        low: 181.52,
        close: 181.8,
        volume: 1283,
      },
    ]);
  });

  it('polygon-trades: v3 and v2 REST JSON, nanosecond epochs beyond 2^53 kept exact', async () => {
    const v3 = await ingestVendorFile(shared.session, join(WIRE, 'polygon/v3__trades__AAPL_limit-2.json'), {
      format: 'polygon-trades-json',
      dataset: 'trades',
      symbol: 'AAPL',
    });
    expect(v3).toMatchObject({ read: 2, accepted: 2, quarantined: 0 });
    const v2 = await ingestVendorFile(shared.session, join(WIRE, 'polygon/v2__last__trade__AAPL.json'), {
      format: 'polygon-trades-json',
      dataset: 'trades',
    });
    expect(v2).toMatchObject({ read: 1, accepted: 1 });
    const rows = await shared.session.all(
      `SELECT ${TRADE_COLS} FROM bronze.trades WHERE source = 'polygon' ORDER BY price`,
    );
    expect(rows).toEqual([
      {
        symbol: 'AAPL',
        event_at: '2022-04-28T21:37:02.461979Z',
        price: 156.43,
        size: 10,
        exchange: '11',
        trade_id: '183276',
        conditions: ['12', '37'],
        tape: 'C',
        source: 'polygon',
        extra:
          '{"correction":1,"participant_timestamp":"1651181822461636600","sequence_number":7179341,"trf_id":3,"trf_timestamp":"1651181557090806500"}',
      },
      {
        symbol: 'AAPL',
        event_at: '2022-04-28T21:37:02.461979Z',
        price: 157.43,
        size: 10,
        exchange: '12',
        trade_id: '183276',
        conditions: ['12', '37'],
        tape: 'C',
        source: 'polygon',
        extra:
          '{"correction":1,"participant_timestamp":"1651181822461636600","sequence_number":7179341,"trf_id":3,"trf_timestamp":"1651181557090806500"}',
      },
      {
        symbol: 'AAPL',
        event_at: '2022-04-28T20:55:19.310617Z',
        price: 166.25,
        size: 2,
        exchange: '4',
        trade_id: '237688',
        conditions: ['12', '37'],
        tape: 'C',
        source: 'polygon',
        extra: '{"r":202,"y":"1651179319308000000","f":"1651179319310588400","q":7084210}',
      },
    ]);
  });

  it('alpaca: historical trades (multi-symbol REST body), nanosecond RFC 3339 times', async () => {
    const r = await ingestVendorFile(
      shared.session,
      join(WIRE, 'alpaca/alpaca-trade-api-go_testdata_trades.json.gz'),
      {
        format: 'alpaca',
        dataset: 'trades',
      },
    );
    expect(r).toMatchObject({ read: 5, accepted: 5, quarantined: 0 });
    const rows = await shared.session.all(
      `SELECT ${TRADE_COLS} FROM bronze.trades WHERE source = 'alpaca' ORDER BY trade_id LIMIT 2`,
    );
    expect(rows).toEqual([
      {
        symbol: 'AAPL',
        event_at: '2021-10-13T08:00:00.089607Z',
        price: 140.2,
        size: 595,
        exchange: 'P',
        trade_id: '1',
        conditions: ['@', 'T'],
        tape: 'C',
        source: 'alpaca',
        extra: null,
      },
      {
        symbol: 'AAPL',
        event_at: '2021-10-13T08:00:01.024327Z',
        price: 140.1,
        size: 6,
        exchange: 'P',
        trade_id: '2',
        conditions: ['@', 'T', 'I'],
        tape: 'C',
        source: 'alpaca',
        extra: null,
      },
    ]);
  });

  it('alpaca: crypto trades (pairs become BTC-USD), daily bars and quotes from real REST bodies', async () => {
    const crypto = await alpacaBody(
      shared.env.dir,
      'alpaca-py_tests_rest_responses.jsonl',
      'test_get_crypto_trades',
      'BTC/USD',
    );
    expect(
      await ingestVendorFile(shared.session, crypto, { format: 'alpaca', dataset: 'trades' }),
    ).toMatchObject({
      read: 2,
      accepted: 2,
    });
    expect(
      await shared.session.all(`SELECT ${TRADE_COLS} FROM bronze.trades WHERE symbol = 'BTC-USD'`),
    ).toEqual([
      {
        symbol: 'BTC-USD',
        event_at: '2022-03-09T06:00:00.080264Z',
        price: 41516.08,
        size: 0.00315427,
        exchange: null,
        trade_id: '293648598',
        conditions: [],
        tape: null,
        source: 'alpaca',
        extra: '{"tks":"B"}',
      },
    ]);

    const bars = await alpacaBody(
      shared.env.dir,
      'alpaca-py_tests_rest_responses.jsonl',
      'test_get_bars',
      '"AAPL"',
    );
    const b = await ingestVendorFile(shared.session, bars, {
      format: 'alpaca',
      dataset: 'bars',
      constants: { interval: '1d' },
    });
    expect(b).toMatchObject({ read: 2, accepted: 2, quarantined: 0 });
    expect(
      await shared.session.all(
        `SELECT symbol, strftime(bar_start_at, '%Y-%m-%dT%H:%M:%SZ') AS t, interval, open, high, low, close, volume, vwap, trade_count::INTEGER AS n FROM bronze.bars WHERE source = 'alpaca' ORDER BY bar_start_at LIMIT 1`,
      ),
    ).toEqual([
      {
        symbol: 'AAPL',
        t: '2022-02-01T05:00:00Z',
        interval: '1d',
        open: 174,
        high: 174.84,
        low: 172.31,
        close: 174.61,
        volume: 85_998_033,
        vwap: 173.703516,
        n: 732_412,
      },
    ]);

    const quotes = await alpacaBody(
      shared.env.dir,
      'alpaca-trade-api-go_tests_rest_responses.jsonl',
      'TestGetQuotes',
      '"IBM"',
    );
    const q = await ingestVendorFile(shared.session, quotes, { format: 'alpaca', dataset: 'quotes' });
    expect(q.read).toBe(q.accepted + q.quarantined);
    const [first] = await shared.session.all(
      `SELECT symbol, strftime(event_at, '%Y-%m-%dT%H:%M:%S.%fZ') AS t, bid_price, bid_size, ask_price, ask_size, bid_exchange, ask_exchange, conditions, tape FROM bronze.quotes WHERE symbol = 'IBM' ORDER BY event_at LIMIT 1`,
    );
    expect(first).toEqual({
      symbol: 'IBM',
      t: '2021-10-04T18:00:14.012577Z',
      bid_price: 143.68,
      bid_size: 1,
      ask_price: 143.71,
      ask_size: 2,
      bid_exchange: 'H',
      ask_exchange: 'N',
      conditions: ['R'],
      tape: 'A',
    });
  });

  it('alpaca: stream frame (documented example messages); control and other-dataset messages skipped', async () => {
    const file = join(import.meta.dirname, '../fixtures/ingest/alpaca-stream.json');
    expect(
      await ingestVendorFile(shared.session, file, { format: 'alpaca', dataset: 'trades' }),
    ).toMatchObject({
      // read counts the frame's 5 messages: 1 trade, 4 skipped (2 control, a quote, a bar).
      read: 5,
      accepted: 1,
      skipped: 4,
    });
    expect(
      await shared.session.all(`SELECT ${TRADE_COLS} FROM bronze.trades WHERE trade_id = '96921'`),
    ).toEqual([
      {
        symbol: 'AAPL',
        event_at: '2021-02-22T15:51:44.208000Z',
        price: 126.55,
        size: 1,
        exchange: 'D',
        trade_id: '96921',
        conditions: ['@', 'I'],
        tape: 'C',
        source: 'alpaca',
        extra: null,
      },
    ]);
    expect(await ingestVendorFile(shared.session, file, { format: 'alpaca', dataset: 'bars' })).toMatchObject(
      {
        read: 5,
        accepted: 1,
        skipped: 4,
      },
    );
    expect(
      await shared.session.all(
        `SELECT symbol, interval, open, close, volume FROM bronze.bars WHERE symbol = 'SPY' AND source = 'alpaca'`,
      ),
    ).toEqual([{ symbol: 'SPY', interval: '1m', open: 388.985, close: 389.12, volume: 49_378 }]);
  });
});
