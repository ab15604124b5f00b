import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, LakeSession, literal } from '../../layers/index.js';
import { runModels } from '../../orchestrator/index.js';
import { tempLake } from '../helpers/temp-lake.js';
import { writeBronze } from './models.fixtures.js';

const logger = createLogger({ level: 'silent', json: true });
const SP500 = '../shared/data/symbol-reference/sp500';

const trade = (symbol: string, event_at: string, trade_id: string) => ({
  symbol,
  event_at,
  price: 100,
  size: 1,
  exchange: 'N',
  trade_id,
  conditions: [],
  tape: 'A',
  source: 'fixture',
});

describe('gold.dim_symbol history from the real S&P 500 reference, gold.dim_date NYSE calendar', () => {
  let env: Awaited<ReturnType<typeof tempLake>>;
  let session: LakeSession;

  beforeAll(async () => {
    env = await tempLake();
    session = await LakeSession.open(env.lake);
    // Membership intervals and the current description come from the real files; the 2018 GICS
    // move of FB from Information Technology to Communication Services is stated here by hand
    // (the files only carry today's sector).
    const intervals = await session.all<{ ticker: string; start_date: string; end_date: string | null }>(
      `SELECT ticker, start_date::VARCHAR AS start_date, end_date::VARCHAR AS end_date FROM read_csv(${literal(`${SP500}/sp500_ticker_start_end.csv`)}, header = true) WHERE ticker IN ('FB', 'META') ORDER BY start_date`,
    );
    expect(intervals).toEqual([
      { ticker: 'FB', start_date: '2013-12-23', end_date: '2022-06-09' },
      { ticker: 'META', start_date: '2022-06-09', end_date: null },
    ]);
    const [meta] = await session.all<Record<string, string>>(
      `SELECT "Security" AS name, "GICS Sector" AS sector, "GICS Sub-Industry" AS industry, "CIK"::VARCHAR AS cik FROM read_csv(${literal(`${SP500}/sp500.csv`)}, header = true) WHERE "Symbol" = 'META'`,
    );
    // The changes file records the rename as an add/remove pair on one day: FB's company is META's,
    // so FB's descriptions carry META's CIK (an extra field beyond symbol_ref.v1, kept in `extra`).
    const renames = await session.all<Record<string, string>>(
      `SELECT date::VARCHAR AS date, "add" AS added, "remove" AS removed FROM read_csv(${literal(`${SP500}/sp500_changes_since_2019.csv`)}, header = true) WHERE "remove" = 'FB'`,
    );
    expect(renames).toEqual([{ date: '2022-06-09', added: 'META', removed: 'FB' }]);
    const extra = JSON.stringify({ cik: meta!.cik });
    const fb = {
      symbol: 'FB',
      name: 'Facebook, Inc.',
      exchange: 'XNAS',
      asset_class: 'us_equity',
      industry: 'Internet Software & Services',
      extra,
    };
    await writeBronze(session, env.dir, 'symbol_refs', [
      { ...fb, sector: 'Information Technology', valid_from: intervals[0]!.start_date },
      { ...fb, sector: 'Communication Services', industry: meta!.industry, valid_from: '2018-09-24' },
      {
        symbol: 'META',
        name: meta!.name,
        exchange: 'XNAS',
        asset_class: 'us_equity',
        sector: meta!.sector,
        industry: meta!.industry,
        valid_from: intervals[1]!.start_date,
        extra,
      },
    ]);
    await writeBronze(session, env.dir, 'trades', [
      trade('FB', '2018-09-21T15:00:00Z', 'f1'),
      trade('FB', '2018-09-24T15:00:00Z', 'f2'),
      trade('META', '2022-06-10T15:00:00Z', 'm1'),
      trade('META', '2025-06-02T15:00:00Z', 'm2'),
    ]);
    const tasks = await runModels(session, logger);
    expect(tasks.filter((t) => t.status !== 'succeeded')).toEqual([]);
  }, 60_000);

  afterAll(async () => {
    session?.close();
    await env?.cleanup();
  });

  it('keeps the sector reclassification and the FB -> META ticker change as versions; FB closes when META starts', async () => {
    const rows = await session.all<Record<string, string | boolean | null>>(
      'SELECT symbol, name, sector, valid_from::VARCHAR AS valid_from, valid_to::VARCHAR AS valid_to, is_current FROM gold.dim_symbol ORDER BY symbol, valid_from',
    );
    expect(rows).toEqual([
      {
        symbol: 'FB',
        name: 'Facebook, Inc.',
        sector: 'Information Technology',
        valid_from: '2013-12-23',
        valid_to: '2018-09-24',
        is_current: false,
      },
      {
        symbol: 'FB',
        name: 'Facebook, Inc.',
        sector: 'Communication Services',
        valid_from: '2018-09-24',
        valid_to: '2022-06-09',
        is_current: false,
      },
      {
        symbol: 'META',
        name: 'Meta Platforms',
        sector: 'Communication Services',
        valid_from: '2022-06-09',
        valid_to: null,
        is_current: true,
      },
    ]);
  });

  it('facts join the dimension version valid on their date', async () => {
    const rows = await session.all<{ symbol: string; d: string; sector: string }>(
      "SELECT b.symbol, b.session_date::VARCHAR AS d, s.sector FROM gold.fact_bars b JOIN gold.dim_symbol s USING (symbol_key) WHERE b.interval = '1d' ORDER BY b.session_date",
    );
    expect(rows).toEqual([
      { symbol: 'FB', d: '2018-09-21', sector: 'Information Technology' },
      { symbol: 'FB', d: '2018-09-24', sector: 'Communication Services' },
      { symbol: 'META', d: '2022-06-10', sector: 'Communication Services' },
      { symbol: 'META', d: '2025-06-02', sector: 'Communication Services' },
    ]);
  });

  it('dim_date knows NYSE holidays, early closes and closures (checked against the published NYSE calendars)', async () => {
    const days = await session.all<{
      d: string;
      open: boolean;
      early: boolean;
      holiday: string | null;
      close: string | null;
    }>(
      'SELECT date::VARCHAR AS d, is_nyse_trading_day AS open, is_nyse_early_close AS early, nyse_holiday_name AS holiday, nyse_close_local_time::VARCHAR AS close FROM gold.dim_date',
    );
    const at = new Map(days.map((d) => [d.d, d]));
    const closed = {
      '2024-01-01': "New Year's Day",
      '2024-01-15': 'Martin Luther King Jr. Day',
      '2024-02-19': "Washington's Birthday",
      '2024-03-29': 'Good Friday',
      '2024-05-27': 'Memorial Day',
      '2024-06-19': 'Juneteenth',
      '2024-07-04': 'Independence Day',
      '2024-09-02': 'Labor Day',
      '2024-11-28': 'Thanksgiving Day',
      '2024-12-25': 'Christmas Day',
      '2023-01-02': "New Year's Day",
      '2023-04-07': 'Good Friday',
      '2022-06-20': 'Juneteenth',
      '2022-12-26': 'Christmas Day',
      '2021-12-24': 'Christmas Day',
      '2019-04-19': 'Good Friday',
      '2020-07-03': 'Independence Day',
      '2025-04-18': 'Good Friday',
      '2025-01-09': 'Closed: National Day of Mourning (Carter)',
      '2018-12-05': 'Closed: National Day of Mourning (G. H. W. Bush)',
    };
    for (const [d, name] of Object.entries(closed))
      expect(at.get(d), d).toMatchObject({ open: false, holiday: name });
    for (const d of ['2024-07-03', '2024-11-29', '2024-12-24', '2023-07-03', '2025-07-03', '2019-12-24'])
      expect(at.get(d), d).toMatchObject({ open: true, early: true, close: '13:00:00' });
    // New Year's Day on a Saturday is not made up on Friday; Juneteenth starts in 2022.
    for (const d of ['2021-12-31', '2021-06-18', '2024-03-28', '2022-07-01'])
      expect(at.get(d), d).toMatchObject({ open: true, early: false, close: '16:00:00' });
    expect(at.get('2024-03-30')).toMatchObject({ open: false, holiday: null });
    const [crypto] = await session.all<{ n: string }>(
      'SELECT count(*) FILTER (WHERE NOT is_crypto_trading_day) AS n FROM gold.dim_date',
    );
    expect(Number(crypto!.n)).toBe(0);
    const [year] = await session.all<{ n: string }>(
      'SELECT count(*) FILTER (WHERE is_nyse_trading_day) AS n FROM gold.dim_date WHERE year = 2024',
    );
    expect(Number(year!.n)).toBe(252);
  });
});
