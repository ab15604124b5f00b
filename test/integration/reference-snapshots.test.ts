import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, LakeSession, literal, UsageError } from '../../layers/index.js';
import { runModels } from '../../orchestrator/index.js';
import { ingestFile } from '../../pipelines/index.js';
import { marketlake } from '../helpers/cli.js';
import { tempLake } from '../helpers/temp-lake.js';
import { writeBronze } from './models.fixtures.js';

/**
 * Point-in-time reference data from the real S&P 500 files (../shared/data/symbol-reference, read in
 * place). The shared data has today's constituent list and the membership intervals, not dated
 * snapshots, so the test cuts three constituent snapshots out of them (2020-04-20, 2022-03-14 and
 * 2022-08-12: the members on that day, with the real file's name, GICS and CIK where it has the
 * ticker), written with the header drift real snapshots show (`GICS Sub Industry` in 2020).
 */
const SP500 = '../shared/data/symbol-reference/sp500';
const DATES = ['2020-04-20', '2022-03-14', '2022-08-12'] as const;
const logger = createLogger({ level: 'silent', json: true });

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

const mapFor = (date: string) =>
  `symbol=Symbol,name=Security,sector=GICS Sector,industry=GICS Sub-Industry|GICS Sub Industry,cik=CIK,asset_class='us_equity',source='sp500',valid_from='${date}'`;

describe('S&P 500 snapshots: full snapshots close what they leave out; FB and META are one entity', () => {
  let env: Awaited<ReturnType<typeof tempLake>>;
  let session: LakeSession;
  let dir: string;
  const members = new Map<string, number>();

  beforeAll(async () => {
    env = await tempLake();
    session = await LakeSession.open(env.lake);
    dir = await mkdtemp(join(tmpdir(), 'marketlake-sp500-'));
    // The changes file pairs the rename on one day (add META, remove FB): FB's company is META's, so
    // FB's rows carry META's CIK (1326801), as an issuer-aware source would give it.
    const [rename] = await session.all<{ add: string; remove: string }>(
      `SELECT "add", "remove" FROM read_csv(${literal(`${SP500}/sp500_changes_since_2019.csv`)}, header = true) WHERE date = DATE '2022-06-09'`,
    );
    expect(rename).toEqual({ add: 'META', remove: 'FB' });
    for (const date of DATES) {
      const subIndustry = date === '2020-04-20' ? 'GICS Sub Industry' : 'GICS Sub-Industry';
      const file = join(dir, `sp500_${date}.csv`);
      await session.run(
        `COPY (
          SELECT m.ticker AS "Symbol", coalesce(c."Security", m.ticker) AS "Security", c."GICS Sector",
            c."GICS Sub-Industry" AS ${JSON.stringify(subIndustry)},
            coalesce(c."CIK", CASE WHEN m.ticker = 'FB' THEN (SELECT "CIK" FROM read_csv(${literal(`${SP500}/sp500.csv`)}, header = true) WHERE "Symbol" = 'META') END) AS "CIK"
          FROM read_csv(${literal(`${SP500}/sp500_ticker_start_end.csv`)}, header = true) AS m
          LEFT JOIN read_csv(${literal(`${SP500}/sp500.csv`)}, header = true) AS c ON c."Symbol" = m.ticker
          WHERE m.start_date <= DATE '${date}' AND (m.end_date IS NULL OR m.end_date > DATE '${date}')
          ORDER BY m.ticker
        ) TO ${literal(file)} (HEADER, DELIMITER ',')`,
      );
      const r = await ingestFile(session, 'symbol_refs', file, {
        format: 'csv',
        map: mapFor(date),
        snapshot: 'full',
      });
      expect(r).toMatchObject({ quarantined: 0, duplicateBatch: false });
      members.set(date, r.accepted);
    }
    // Membership history: the intervals file, and the change list read twice (adds, then removes).
    const intervals = await ingestFile(session, 'index_changes', `${SP500}/sp500_ticker_start_end.csv`, {
      format: 'csv',
      map: "index_name='sp500',action='member',symbols=ticker,effective_date=start_date,end_date=end_date",
    });
    expect(intervals).toMatchObject({ read: 1230, accepted: 1230, quarantined: 0 });
    for (const action of ['add', 'remove']) {
      const r = await ingestFile(session, 'index_changes', `${SP500}/sp500_changes_since_2019.csv`, {
        format: 'csv',
        listSeparator: ',',
        map: `index_name='sp500',action='${action}',symbols=${action},effective_date=date`,
      });
      expect(r, action).toMatchObject({ read: 106, accepted: 106, quarantined: 0, duplicateBatch: false });
    }
    // Another source's symbol: S&P snapshots must not close it.
    await writeBronze(session, env.dir, 'symbol_refs', [
      {
        symbol: 'BTCUSD',
        name: 'Bitcoin',
        asset_class: 'crypto',
        valid_from: '2020-01-01',
        source: 'manual',
      },
    ]);
    await writeBronze(session, env.dir, 'trades', [
      trade('FB', '2021-06-01T15:00:00Z', 'f1'),
      trade('META', '2022-09-01T15:00:00Z', 'm1'),
      trade('MMM', '2022-09-01T15:00:00Z', 'x1'),
    ]);
    const tasks = await runModels(session, logger);
    expect(tasks.filter((t) => t.status !== 'succeeded')).toEqual([]);
  }, 120_000);

  afterAll(async () => {
    session?.close();
    await env?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const versions = (symbol: string) =>
    session.all<Record<string, unknown>>(
      `SELECT symbol, valid_from::VARCHAR AS valid_from, valid_to::VARCHAR AS valid_to, is_current, entity_id FROM gold.dim_symbol WHERE symbol = ${literal(symbol)} ORDER BY valid_from`,
    );

  it('FB closes at the snapshot that lists META instead; META is current; both are CIK 1326801', async () => {
    expect(await versions('FB')).toEqual([
      {
        symbol: 'FB',
        valid_from: '2020-04-20',
        valid_to: '2022-08-12',
        is_current: false,
        entity_id: 'cik:1326801',
      },
    ]);
    expect(await versions('META')).toEqual([
      {
        symbol: 'META',
        valid_from: '2022-08-12',
        valid_to: null,
        is_current: true,
        entity_id: 'cik:1326801',
      },
    ]);
  });

  it('a company removed from the index (Cerner, 2022-06-08) closes at the next full snapshot', async () => {
    expect(await versions('CERN')).toEqual([
      {
        symbol: 'CERN',
        valid_from: '2020-04-20',
        valid_to: '2022-08-12',
        is_current: false,
        entity_id: 'ticker:CERN',
      },
    ]);
    // A member throughout keeps one open version: the header drift of 2020 changed no attribute.
    const mmm = await versions('MMM');
    expect(mmm).toEqual([
      { symbol: 'MMM', valid_from: '2020-04-20', valid_to: null, is_current: true, entity_id: 'cik:66740' },
    ]);
    const [ind] = await session.all<{ industry: string }>(
      "SELECT industry FROM gold.dim_symbol WHERE symbol = 'MMM'",
    );
    expect(ind?.industry).toBe('Industrial Conglomerates');
  });

  it('as of each snapshot date, the open versions of the source are exactly that snapshot', async () => {
    for (const date of DATES) {
      const [row] = await session.all<{ n: number }>(
        `SELECT count(*)::INTEGER AS n FROM silver.symbol_refs r JOIN gold.dim_symbol d USING (symbol) WHERE r.source = 'sp500' AND r.valid_from = DATE '${date}' AND d.valid_from <= DATE '${date}' AND (d.valid_to IS NULL OR d.valid_to > DATE '${date}')`,
      );
      const [open] = await session.all<{ n: number }>(
        `SELECT count(*)::INTEGER AS n FROM gold.dim_symbol WHERE symbol <> 'BTCUSD' AND valid_from <= DATE '${date}' AND (valid_to IS NULL OR valid_to > DATE '${date}')`,
      );
      expect(row?.n, date).toBe(members.get(date));
      expect(open?.n, date).toBe(members.get(date));
    }
    // Another source's symbol stays open.
    expect(await versions('BTCUSD')).toEqual([
      {
        symbol: 'BTCUSD',
        valid_from: '2020-01-01',
        valid_to: null,
        is_current: true,
        entity_id: 'ticker:BTCUSD',
      },
    ]);
  });

  it('gold.dim_index_membership: the S&P 500 as of a date is one filter, and matches the real intervals file', async () => {
    for (const date of ['2019-06-03', '2021-01-04', '2022-08-12', '2024-06-03']) {
      const [lake] = await session.all<{ n: number }>(
        `SELECT count(*)::INTEGER AS n FROM gold.dim_index_membership WHERE index_name = 'sp500' AND valid_from <= DATE '${date}' AND (valid_to IS NULL OR valid_to > DATE '${date}')`,
      );
      const [file] = await session.all<{ n: number }>(
        `SELECT count(*)::INTEGER AS n FROM read_csv(${literal(`${SP500}/sp500_ticker_start_end.csv`)}, header = true) WHERE start_date <= DATE '${date}' AND (end_date IS NULL OR end_date > DATE '${date}')`,
      );
      expect(lake?.n, date).toBe(file?.n);
    }
    const rows = await session.all<Record<string, unknown>>(
      "SELECT symbol, valid_from::VARCHAR AS valid_from, valid_to::VARCHAR AS valid_to, entity_key = (SELECT entity_key FROM gold.dim_symbol WHERE symbol = 'META') AS meta_entity FROM gold.dim_index_membership WHERE symbol IN ('FB', 'META', 'CERN', 'DISCK', 'AAL') ORDER BY symbol, valid_from",
    );
    expect(rows).toEqual([
      { symbol: 'AAL', valid_from: '1996-01-02', valid_to: '1997-01-15', meta_entity: false },
      { symbol: 'AAL', valid_from: '2015-03-23', valid_to: '2024-09-23', meta_entity: false },
      { symbol: 'CERN', valid_from: '2010-04-30', valid_to: '2022-06-08', meta_entity: false },
      { symbol: 'DISCK', valid_from: '2014-08-07', valid_to: '2022-04-11', meta_entity: false },
      { symbol: 'FB', valid_from: '2013-12-23', valid_to: '2022-06-09', meta_entity: true },
      { symbol: 'META', valid_from: '2022-06-09', valid_to: null, meta_entity: true },
    ]);
  });

  it('gold.fact_bars is queryable by entity across the rename', async () => {
    const rows = await session.all<{ symbol: string; d: string }>(
      "SELECT b.symbol, b.session_date::VARCHAR AS d FROM gold.fact_bars b WHERE b.interval = '1d' AND b.entity_key = (SELECT entity_key FROM gold.dim_symbol WHERE symbol = 'META') ORDER BY b.session_date",
    );
    expect(rows).toEqual([
      { symbol: 'FB', d: '2021-06-01' },
      { symbol: 'META', d: '2022-09-01' },
    ]);
  });

  it('a mapping that would refuse every record fails up front, writes nothing, and the corrected one ingests without --force', async () => {
    const file = join(dir, 'sp500_2022-08-12.csv');
    const count = async () =>
      (await session.all<{ n: number }>('SELECT count(*)::INTEGER AS n FROM bronze.symbol_refs'))[0]?.n;
    const n0 = await count();
    const wrongColumn = mapFor('2022-08-30').replace('symbol=Symbol', 'symbol=Ticker');
    await expect(
      ingestFile(session, 'symbol_refs', file, { format: 'csv', map: wrongColumn }),
    ).rejects.toThrow(
      /required field symbol maps to column "Ticker", which the file does not have; nothing was written/,
    );
    const badConstant = `${mapFor('2022-08-30')},exchange='XNYS',source='S&P 500'`;
    await expect(
      ingestFile(session, 'symbol_refs', file, { format: 'csv', map: badConstant }),
    ).rejects.toThrow(UsageError);
    await expect(
      ingestFile(session, 'symbol_refs', file, { format: 'csv', map: badConstant }),
    ).rejects.toThrow(/constant source='S&P 500': .*source must be a lower-case name/);
    expect(await count()).toBe(n0);
    // The same bytes were ingested before with another valid_from: read differently, a new batch.
    const fixed = await ingestFile(session, 'symbol_refs', file, {
      format: 'csv',
      map: mapFor('2022-08-30'),
    });
    expect(fixed).toMatchObject({
      duplicateBatch: false,
      quarantined: 0,
      accepted: members.get('2022-08-12'),
    });
    // Read the same way again: the same batch.
    const again = await ingestFile(session, 'symbol_refs', file, {
      format: 'csv',
      map: mapFor('2022-08-30'),
    });
    expect(again.duplicateBatch).toBe(true);
  });

  it('the CLI exits 2 on such a mapping and the corrected command then ingests (no --force)', async () => {
    const lake = await tempLake();
    try {
      const file = join(dir, 'sp500_2020-04-20.csv');
      const args = [
        'ingest',
        'symbol_refs',
        file,
        '--format',
        'csv',
        '--snapshot',
        'full',
        '--lake',
        lake.dir,
      ];
      const wrong = marketlake([
        ...args,
        '--map',
        mapFor('2020-04-20').replace('cik=CIK', 'cik=CIK,name=Company'),
      ]);
      expect(wrong.code, wrong.stderr).toBe(2);
      expect(wrong.stderr).toMatch(/required field name maps to column "Company"/);
      const right = marketlake([...args, '--map', mapFor('2020-04-20')]);
      expect(right.code, right.stderr).toBe(0);
      expect(right.stdout).toContain(`accepted ${members.get('2020-04-20')}, quarantined 0`);
      expect(right.stdout).toContain('duplicate 0');
    } finally {
      await lake.cleanup();
    }
  }, 60_000);
});
