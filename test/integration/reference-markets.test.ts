import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, createLogger, LakeSession, literal } from '../../layers/index.js';
import { marketDefaults, setMarketVariables } from '../../models/index.js';
import { runModels } from '../../orchestrator/index.js';
import { formatMapping, ingestMappedFile, readFirstLine } from '../../pipelines/index.js';
import { tempLake } from '../helpers/temp-lake.js';

/**
 * A symbol without reference data takes its market from its source: real Binance.US BTCUSDT 1m
 * klines (../shared/data/crypto-klines-1m, 21 days, read in place) are crypto, so gold has one
 * daily bar per UTC day, weekends included, each the whole UTC day of minutes.
 */
const KLINES = '../shared/data/crypto-klines-1m/binance_us/BTCUSDT_1m_20230301_20230321.csv.gz';
const logger = createLogger({ level: 'silent', json: true });

describe('market of a symbol from its source (Binance klines are crypto: UTC day sessions)', () => {
  let env: Awaited<ReturnType<typeof tempLake>>;
  let session: LakeSession;

  beforeAll(async () => {
    env = await tempLake();
    session = await LakeSession.open(env.lake);
    const mapping = formatMapping('binance-klines', {
      dataset: 'bars',
      file: KLINES,
      firstLine: await readFirstLine(KLINES),
    });
    const r = await ingestMappedFile(session, KLINES, { mapping });
    expect(r).toMatchObject({ read: 30_240, accepted: 30_240, quarantined: 0 });
    const tasks = await runModels(session, logger);
    expect(tasks.filter((t) => t.status !== 'succeeded')).toEqual([]);
  }, 120_000);

  afterAll(async () => {
    session?.close();
    await env?.cleanup();
  });

  it('silver.bars places BTCUSDT in crypto, on UTC sessions, every minute regular', async () => {
    expect(
      await session.all(
        'SELECT asset_class, market_timezone, count(*)::INTEGER AS n, count(*) FILTER (WHERE is_regular_hours)::INTEGER AS regular, count(DISTINCT session_date)::INTEGER AS sessions FROM silver.bars GROUP BY ALL',
      ),
    ).toEqual([{ asset_class: 'crypto', market_timezone: 'UTC', n: 30_240, regular: 30_240, sessions: 21 }]);
  });

  it('gold.fact_bars: one daily bar per UTC day (weekends included), equal to the day of minutes in the file', async () => {
    const daily = await session.all<Record<string, unknown>>(
      `SELECT session_date::VARCHAR AS d, strftime(bar_start_at, '%Y-%m-%dT%H:%M:%SZ') AS start, open, high, low, close, round(volume, 6) AS volume FROM gold.fact_bars WHERE symbol = 'BTCUSDT' AND interval = '1d' ORDER BY session_date`,
    );
    expect(daily).toHaveLength(21);
    expect(daily.map((r) => r.d)).toEqual(
      Array.from({ length: 21 }, (_, i) => `2023-03-${String(i + 1).padStart(2, '0')}`),
    );
    expect(daily.every((r) => r.start === `${r.d}T00:00:00Z`)).toBe(true);
    // The expected bars straight from the vendor file, grouped by UTC date (no lake code involved).
    const expected = await session.all<Record<string, unknown>>(
      `SELECT CAST(CAST(open_time AS TIMESTAMPTZ) AS DATE)::VARCHAR AS d, arg_min(open, CAST(open_time AS TIMESTAMPTZ)) AS open, max(high) AS high, min(low) AS low, arg_max(close, CAST(open_time AS TIMESTAMPTZ)) AS close, round(sum(volume), 6) AS volume FROM read_csv(${literal(KLINES)}, header = true, columns = {'open_time': 'VARCHAR', 'open': 'DOUBLE', 'high': 'DOUBLE', 'low': 'DOUBLE', 'close': 'DOUBLE', 'volume': 'DOUBLE'}) GROUP BY 1 ORDER BY 1`,
    );
    expect(daily.map(({ start: _, ...rest }) => rest)).toEqual(expected);
    // 2023-03-04 and 03-05, 03-11 and 03-12 are weekends (the SVB weekend low is on 03-11).
    const weekend = daily.filter((r) =>
      ['2023-03-04', '2023-03-05', '2023-03-11', '2023-03-12'].includes(String(r.d)),
    );
    expect(weekend).toHaveLength(4);
    expect(Math.min(...daily.map((r) => Number(r.low)))).toBe(19_565.4);
  });

  it('the session macros: source default, configurable default class and crypto session cut', async () => {
    await setMarketVariables(session, { defaultAssetClass: 'us_equity', cryptoSessionCutMinutes: 0 });
    const q = `SELECT source_asset_class('binance') AS binance, source_asset_class('Kraken') AS kraken, source_asset_class('algoseek') AS algoseek, source_asset_class('polygon') AS polygon, source_asset_class('fixture') AS other, market_session_date('crypto', TIMESTAMP '2023-03-04 15:59:00')::VARCHAR AS crypto_day, market_session_date('us_equity', TIMESTAMP '2023-03-03 15:59:00')::VARCHAR AS equity_day`;
    expect(await session.all(q)).toEqual([
      {
        binance: 'crypto',
        kraken: 'crypto',
        algoseek: 'us_equity',
        polygon: 'us_equity',
        other: 'us_equity',
        crypto_day: '2023-03-04',
        equity_day: '2023-03-03',
      },
    ]);
    // A 16:00 UTC cut: 15:59 on the 4th still belongs to the session that started on the 3rd.
    await setMarketVariables(
      session,
      marketDefaults({ DEFAULT_ASSET_CLASS: 'crypto', CRYPTO_SESSION_CUT: '16:00' }),
    );
    expect(await session.all(q)).toEqual([
      {
        binance: 'crypto',
        kraken: 'crypto',
        algoseek: 'us_equity',
        polygon: 'us_equity',
        other: 'crypto',
        crypto_day: '2023-03-03',
        equity_day: '2023-03-03',
      },
    ]);
    expect(() => marketDefaults({ DEFAULT_ASSET_CLASS: 'fx' })).toThrow(ConfigError);
    expect(() => marketDefaults({ CRYPTO_SESSION_CUT: '25:00' })).toThrow(ConfigError);
    await setMarketVariables(session, marketDefaults({}));
  });
});
