import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LakeSession, literal, openLake } from '../../layers/index.js';
import {
  type ColumnMapping,
  formatMapping,
  identityMapping,
  ingestMappedFile,
  parseFieldMap,
  readFirstLine,
} from '../../pipelines/index.js';
import { tempLake } from '../helpers/temp-lake.js';

const ALGOSEEK = join(
  import.meta.dirname,
  '../../../shared/data/us-equity-ticks-algoseek/trades/20131009_aig_Trade_Tick.csv.gz',
);
const TRADE_COLS = `symbol, strftime(event_at, '%Y-%m-%dT%H:%M:%S.%fZ') AS event_at, price, size, exchange, trade_id, conditions, tape, source, extra`;

describe('generic formats: quoted CSV, parquet, mappings; both engines agree', () => {
  let env: Awaited<ReturnType<typeof tempLake>>;
  beforeAll(async () => {
    env = await tempLake();
  });
  afterAll(async () => env?.cleanup());

  const run = async (name: string, file: string, mapping: ColumnMapping, engine: 'sql' | 'js' | 'auto') => {
    const session = await LakeSession.open(openLake({ lakeUrl: join(env.dir, name) }));
    try {
      const r = await ingestMappedFile(session, file, { mapping, engine });
      const rows = await session.all(
        `SELECT ${TRADE_COLS} FROM bronze.trades ORDER BY event_at, price, size`,
      );
      // Bronze keeps source order (silver numbers prints within a batch by it).
      const [order] = await session.all<{ backwards: number }>(
        `SELECT count(*) FILTER (WHERE back)::INTEGER AS backwards FROM (SELECT event_at < lag(event_at) OVER () AS back FROM bronze.trades)`,
      );
      const bad = await session.all(
        `SELECT source_line::INTEGER AS line, reason FROM quarantine.trades ORDER BY source_line`,
      );
      return { r, rows, bad, backwards: order?.backwards };
    } finally {
      session.close();
    }
  };

  it('real AlgoSeek ticks (AIG, 2013-10-09): SQL and per-record engines give identical bronze', async () => {
    const mapping = formatMapping('algoseek', {
      dataset: 'trades',
      file: ALGOSEEK,
      firstLine: await readFirstLine(ALGOSEEK),
    });
    const sql = await run('algo-sql', ALGOSEEK, mapping, 'sql');
    const js = await run('algo-js', ALGOSEEK, mapping, 'js');
    expect(sql.r).toMatchObject({ engine: 'sql', read: 52_008, accepted: 52_008, quarantined: 0 });
    expect(js.r).toMatchObject({ engine: 'js', read: 52_008, accepted: 52_008, quarantined: 0 });
    expect(js.rows).toEqual(sql.rows);
    // The file's timestamps never go backwards, so neither may bronze's physical order.
    expect([sql.backwards, js.backwards]).toEqual([0, 0]);
  }, 120_000);

  it('quoted CSV fields (delimiters and a newline inside quotes) go through csv-parse; bad rows keep their line', async () => {
    const file = join(env.dir, 'quoted.csv');
    await writeFile(
      file,
      [
        'ticker,ts,px,qty,venue,note',
        'AAPL,2024-03-04T14:30:00.123456Z,170.25,100,"P","plain"',
        'MSFT,2024-03-04T14:30:01Z,"401.5",7,Q,"has, comma"',
        'NVDA,2024-03-04T14:30:02Z,850,3,Q,"two',
        'lines"',
        'AMZN,2024-03-04T14:30:03Z,-1,3,Q,x',
        'TSLA,2024-03-04T14:30:04Z,180,3',
        '',
      ].join('\n'),
    );
    const fields = parseFieldMap(
      'trades',
      "symbol=ticker,event_at=ts,price=px,size=qty,exchange=venue,source='vendor'",
      true,
    );
    const mapping: ColumnMapping = { ...identityMapping('trades', 'csv'), fields };
    const auto = await run('quoted', file, mapping, 'auto');
    expect(auto.r).toMatchObject({ engine: 'js', read: 5, accepted: 3, quarantined: 2 });
    expect(auto.bad).toEqual([
      { line: 6, reason: 'price: must be > 0' },
      { line: 7, reason: 'expected 6 fields, found 4' },
    ]);
    expect(auto.rows.map((r) => [r.symbol, r.price, r.extra])).toEqual([
      ['AAPL', 170.25, '{"note":"plain"}'],
      ['MSFT', 401.5, '{"note":"has, comma"}'],
      ['NVDA', 850, '{"note":"two\\nlines"}'],
    ]);
  });

  it('parquet input: columns by name, timestamps as UTC; the same rows as the CSV it came from', async () => {
    const csv = join(env.dir, 'plain.csv');
    await writeFile(
      csv,
      'symbol,event_at,price,size,exchange,trade_id,conditions,tape,source\nAAPL,2024-03-04T14:30:00.123456Z,170.25,100,P,42,@ I,C,vendor\nMSFT,2024-03-04T14:30:01Z,0,7,Q,43,@,C,vendor\n',
    );
    const parquet = join(env.dir, 'plain.parquet');
    const session = await LakeSession.open(openLake({ lakeUrl: join(env.dir, 'convert') }));
    await session.run(
      `COPY (SELECT symbol, event_at::TIMESTAMPTZ AS event_at, price, size, exchange, trade_id::VARCHAR AS trade_id, string_split(conditions, ' ') AS conditions, tape, source FROM read_csv(${literal(csv)})) TO ${literal(parquet)} (FORMAT parquet)`,
    );
    session.close();
    const fromCsv = await run('csv', csv, identityMapping('trades', 'csv'), 'sql');
    const fromParquet = await run('parquet', parquet, identityMapping('trades', 'parquet'), 'auto');
    expect(fromParquet.r).toMatchObject({ engine: 'sql', read: 2, accepted: 1, quarantined: 1 });
    expect(fromParquet.bad).toEqual([{ line: 2, reason: 'price: must be > 0' }]);
    expect(fromParquet.rows).toEqual(fromCsv.rows);
    expect(fromParquet.rows).toEqual([
      {
        symbol: 'AAPL',
        event_at: '2024-03-04T14:30:00.123456Z',
        price: 170.25,
        size: 100,
        exchange: 'P',
        trade_id: '42',
        conditions: ['@', 'I'],
        tape: 'C',
        source: 'vendor',
        extra: null,
      },
    ]);
  });

  it('a file already ingested is found by its hash while DuckDB still reads it: the pass stops, the session stays usable', async () => {
    const file = join(env.dir, 'many.jsonl');
    const line = (i: number) =>
      JSON.stringify({
        symbol: 'IBM',
        event_at: '2024-03-04T14:30:00Z',
        price: 100 + (i % 100) / 100,
        size: i,
        source: 'test',
      });
    await writeFile(file, `${Array.from({ length: 200_000 }, (_, i) => line(i)).join('\n')}\n`);
    const session = await LakeSession.open(openLake({ lakeUrl: join(env.dir, 'dup') }));
    try {
      const mapping = identityMapping('trades', 'jsonl');
      let t = performance.now();
      const first = await ingestMappedFile(session, file, { mapping });
      const firstMs = performance.now() - t;
      t = performance.now();
      const again = await ingestMappedFile(session, file, { mapping });
      const againMs = performance.now() - t;
      expect(first).toMatchObject({ accepted: 200_000, duplicateBatch: false });
      expect(again).toMatchObject({ read: 0, accepted: 0, duplicateBatch: true });
      // The hash scan takes a fraction of the validating pass, which is interrupted.
      expect(againMs).toBeLessThan(firstMs / 2);
      const other = join(env.dir, 'one.jsonl');
      await writeFile(other, `${line(7)}\n`);
      expect(await ingestMappedFile(session, other, { mapping })).toMatchObject({ accepted: 1 });
      expect(await session.all('SELECT count(*)::INTEGER AS n FROM bronze.trades')).toEqual([{ n: 200_001 }]);
    } finally {
      session.close();
    }
  }, 120_000);

  describe("quoted CSV through DuckDB's CSV reader, only where it reads exactly what csv-parse reads", () => {
    const header = 'post_id,source,created_at,title,body,score,cashtags';
    const rows = [
      'p1,reddit,2024-03-04T14:30:00Z,"Commas, inside","and ""quotes"" too",12,AAPL',
      'p2,reddit,2024-03-04T14:31:00Z,"Line one\nline two",plain body,-3,',
      'p3,reddit,2024-03-04T14:32:00Z,"","",,MSFT NVDA',
      'p4,reddit,2024-03-04T14:33:00Z,a quote"inside,"x",0,',
    ];
    const write = async (name: string, lines: string[], eol = '\n') => {
      const file = join(env.dir, name);
      await writeFile(file, `\uFEFF${[header, ...lines].join(eol)}${eol}`);
      return file;
    };
    const posts = async (session: LakeSession) =>
      session.all(
        `SELECT post_id, title, body, score, cashtags FROM bronze.sentiment_posts ORDER BY post_id`,
      );

    it('every record valid: the SQL engine, and the same rows as csv-parse (CRLF too)', async () => {
      for (const eol of ['\n', '\r\n']) {
        const file = await write(`quoted${eol.length}.csv`, rows, eol);
        const mapping = identityMapping('sentiment_posts', 'csv');
        const bySql = await ingestPosts(`quoted-sql-${eol.length}`, file, mapping, 'auto');
        const byJs = await ingestPosts(`quoted-js-${eol.length}`, file, mapping, 'js');
        expect(bySql.result).toMatchObject({ engine: 'sql', read: 4, accepted: 4, quarantined: 0 });
        expect(byJs.result).toMatchObject({ engine: 'js', read: 4, accepted: 4 });
        expect(bySql.rows).toEqual(byJs.rows);
        expect(bySql.rows[1]).toMatchObject({ post_id: 'p2', title: 'Line one\nline two', score: '-3' });
        expect(bySql.rows[0]).toMatchObject({
          title: 'Commas, inside',
          body: 'and "quotes" too',
          cashtags: ['AAPL'],
        });
      }
    });

    it('a blank between a quote and a delimiter, or a refused record: the per-record engine, with lines', async () => {
      const mapping = identityMapping('sentiment_posts', 'csv');
      const spaced = await write('spaced.csv', [...rows, 'p5,reddit,2024-03-04T14:34:00Z, "spaced",x,1,']);
      const a = await ingestPosts('spaced', spaced, mapping, 'auto');
      expect(a.result).toMatchObject({ engine: 'js', accepted: 5 });
      expect(a.rows.at(-1)).toMatchObject({ post_id: 'p5', title: ' "spaced"' });
      const refused = await write('refused.csv', [...rows, 'p6,Not A Source,2024-03-04T14:35:00Z,"t",b,1,']);
      const b = await ingestPosts('refused', refused, mapping, 'auto');
      expect(b.result).toMatchObject({ engine: 'js', accepted: 4, quarantined: 1 });
      expect(b.quarantine).toEqual([{ line: 7, reason: 'source: source must be a lower-case name' }]);
    });

    async function ingestPosts(name: string, file: string, mapping: ColumnMapping, engine: 'js' | 'auto') {
      const session = await LakeSession.open(openLake({ lakeUrl: join(env.dir, name) }));
      try {
        const result = await ingestMappedFile(session, file, { mapping, engine });
        const quarantine = await session
          .all<{ line: number; reason: string }>(
            'SELECT source_line::INTEGER AS line, reason FROM quarantine.sentiment_posts ORDER BY 1',
          )
          .catch(() => []);
        return { result, rows: (await posts(session)) as Record<string, unknown>[], quarantine };
      } finally {
        session.close();
      }
    }
  });
});
