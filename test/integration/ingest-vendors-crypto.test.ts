import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatMapping, ingestMappedFile, ingestVendorFile, readFirstLine } from '../../pipelines/index.js';
import { sharedSession } from '../helpers/temp-lake.js';

const DATA = join(import.meta.dirname, '../../../shared/data');
const AGG_CSV = join(DATA, 'crypto-trades-binance/XRPETH-aggTrades-2019-10-11_2019-10-13.csv.gz');
const AGG_JSON = join(DATA, 'crypto-trades-binance/XRP_OLD-trades.json.gz');
const KLINES = join(DATA, 'crypto-klines-1m/binance_us/BTCUSDT_1m_20230301_20230321.csv.gz');
const TRADE_COLS = `symbol, strftime(event_at, '%Y-%m-%dT%H:%M:%S.%fZ') AS event_at, price, size, exchange, trade_id, conditions, tape, source, extra`;

describe('Binance formats on real samples', () => {
  const shared = sharedSession();

  it('binance-aggtrades CSV (data.binance.vision layout with header): XRP/ETH, epoch ms', async () => {
    const mapping = formatMapping('binance-aggtrades', {
      dataset: 'trades',
      file: AGG_CSV,
      firstLine: await readFirstLine(AGG_CSV),
    });
    const r = await ingestMappedFile(shared.session, AGG_CSV, { mapping });
    expect(r).toMatchObject({ engine: 'sql', read: 12_477, accepted: 12_477, quarantined: 0 });
    expect(r.partitions).toEqual(['2019-10-11', '2019-10-12', '2019-10-13']);
    const perDay = await shared.session.all<{ dt: string; n: string }>(
      `SELECT CAST(event_at AS DATE)::VARCHAR AS dt, count(*)::VARCHAR AS n FROM bronze.trades GROUP BY 1 ORDER BY 1`,
    );
    expect(perDay).toEqual([
      { dt: '2019-10-11', n: '5929' },
      { dt: '2019-10-12', n: '4134' },
      { dt: '2019-10-13', n: '2414' },
    ]);
    // Raw: 13519807,0.00141342,23.00000000,15373518,15373518,1570752011620,true,true
    expect(
      await shared.session.all(`SELECT ${TRADE_COLS} FROM bronze.trades ORDER BY trade_id LIMIT 1`),
    ).toEqual([
      {
        symbol: 'XRPETH',
        event_at: '2019-10-11T00:00:11.620000Z',
        price: 0.00141342,
        size: 23,
        exchange: null,
        trade_id: '13519807',
        conditions: [],
        tape: null,
        source: 'binance',
        extra:
          '{"first_trade_id":"15373518","last_trade_id":"15373518","is_buyer_maker":"true","is_best_match":"true"}',
      },
    ]);
  });

  it('binance-aggtrades REST JSON (ccxt-wrapped /api/v3/aggTrades): the same trades as the CSV', async () => {
    const r = await ingestVendorFile(shared.session, AGG_JSON, {
      format: 'binance-aggtrades-json',
      dataset: 'trades',
    });
    expect(r).toMatchObject({ engine: 'js', read: 12_477, accepted: 12_477, quarantined: 0 });
    // Last record: {"a":13532283,"p":"0.00152787","q":"130.00000000","f":15388189,"l":15388189,"T":1570965568844,...}
    const last = await shared.session.all(
      `SELECT ${TRADE_COLS} FROM bronze.trades WHERE batch_id = $batch ORDER BY event_at DESC, trade_id DESC LIMIT 1`,
      { batch: r.batchId },
    );
    expect(last).toEqual([
      {
        symbol: 'XRPETH',
        event_at: '2019-10-13T11:19:28.844000Z',
        price: 0.00152787,
        size: 130,
        exchange: null,
        trade_id: '13532283',
        conditions: [],
        tape: null,
        source: 'binance',
        extra:
          '{"first_trade_id":15388189,"last_trade_id":15388189,"is_buyer_maker":true,"is_best_match":true}',
      },
    ]);
    // Both layouts give the same symbol, time, price, size and id for every trade.
    const diff = await shared.session.all(
      `SELECT count(*)::INTEGER AS n FROM (SELECT symbol, event_at, price, size, trade_id FROM bronze.trades WHERE batch_id = $batch EXCEPT SELECT symbol, event_at, price, size, trade_id FROM bronze.trades WHERE batch_id <> $batch)`,
      { batch: r.batchId },
    );
    expect(diff).toEqual([{ n: 0 }]);
  });

  it('binance-klines (Binance.US 6-column layout, ISO open_time): BTCUSDT 1m bars', async () => {
    const mapping = formatMapping('binance-klines', {
      dataset: 'bars',
      file: KLINES,
      firstLine: await readFirstLine(KLINES),
    });
    const r = await ingestMappedFile(shared.session, KLINES, { mapping });
    expect(r).toMatchObject({ read: 30_240, accepted: 30_240, quarantined: 0 });
    expect(r.partitions).toHaveLength(21);
    const rows = await shared.session.all(
      `SELECT symbol, strftime(bar_start_at, '%Y-%m-%dT%H:%M:%SZ') AS t, interval, open, high, low, close, volume FROM bronze.bars ORDER BY bar_start_at LIMIT 1`,
    );
    // Raw: 2023-03-01 00:00:00+00:00,23140.48,23150.77,23128.52,23142.31,2.131777
    expect(rows).toEqual([
      {
        symbol: 'BTCUSDT',
        t: '2023-03-01T00:00:00Z',
        interval: '1m',
        open: 23140.48,
        high: 23150.77,
        low: 23128.52,
        close: 23142.31,
        volume: 2.131777,
      },
    ]);
    expect(await shared.session.all(`SELECT min(low) AS low FROM bronze.bars`)).toEqual([{ low: 19565.4 }]);
  });
});
