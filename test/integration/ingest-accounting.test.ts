import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetName } from '../../contracts/index.js';
import { LakeSession } from '../../layers/index.js';
import { type IngestFlags, ingestFactorFile, ingestFile } from '../../pipelines/index.js';
import { marketlake } from '../helpers/cli.js';
import { sharedSession, tempLake } from '../helpers/temp-lake.js';

/**
 * Issue #12, "records vanish without a trace": every record read from a file is accepted,
 * quarantined with a reason, or counted as skipped with a reason, and
 * read = accepted + quarantined + skipped for every format and engine. Real vendor samples are
 * read from the shared data folder (never copied); the hostile lines are written here.
 */

const DATA = join(import.meta.dirname, '../../../shared/data');
const WIRE = join(DATA, 'vendor-wire-fixtures');

interface Counts {
  read: number;
  accepted: number;
  quarantined: number;
  skipped: number;
  skippedReasons: Record<string, number>;
  duplicateBatch: boolean;
  engine: string;
}

interface QuarantineRow {
  source_line: number;
  raw: string;
  reason: string;
}

/** Real REST bodies of the alpaca-trade-api-go fixture file, by test name, in file order. */
function alpacaBodies(test: string): Record<string, unknown>[] {
  return readFileSync(join(WIRE, 'alpaca/alpaca-trade-api-go_tests_rest_responses.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { test: string; response: Record<string, unknown> })
    .filter((l) => l.test === test)
    .map((l) => l.response);
}

/** The first body of a test, as one JSON line. */
const alpacaBody = (test: string): string => JSON.stringify(alpacaBodies(test)[0]);

/**
 * The records under `key` of the first body of each test, each as the Alpaca stream message
 * of type `T` that carries it (`{"T":"t","S":"AAPL",...}`): real values in the stream envelope.
 */
function asStream(T: string, key: string, tests: readonly string[]): string[] {
  const out: string[] = [];
  for (const test of tests) {
    const bySymbol = alpacaBodies(test)[0]?.[key] as Record<string, unknown>;
    for (const [S, rows] of Object.entries(bySymbol))
      for (const row of Array.isArray(rows) ? rows : [rows])
        out.push(JSON.stringify({ T, S, ...(row as object) }));
  }
  return out;
}

/** Lines of a gzip file. */
const gzLines = (file: string): string[] => gunzipSync(readFileSync(file)).toString('utf8').split('\n');

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

/** Every record accounted for, and the skip reasons add up to the skipped count. */
function expectReconciled(r: Counts): void {
  expect(r.read).toBe(r.accepted + r.quarantined + r.skipped);
  expect(sum(r.skippedReasons)).toBe(r.skipped);
}

describe('ingestion accounts for every record (issue #12), through the CLI', () => {
  let env: Awaited<ReturnType<typeof tempLake>>;
  beforeAll(async () => {
    env = await tempLake();
  });
  afterAll(async () => env?.cleanup());
  const inLake = (...args: string[]) => marketlake(['--lake', env.dir, ...args]);

  /** `marketlake ingest ... --json`: the one file's result. */
  function ingestJson(dataset: string, file: string, ...flags: string[]): Counts {
    const r = inLake('ingest', dataset, file, ...flags, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const results = JSON.parse(r.stdout) as (Counts & { file: string })[];
    expect(results).toHaveLength(1);
    return results[0] as Counts;
  }

  /** Rows of a query over the lake the commands wrote (read in process: a command costs seconds). */
  async function rows<T>(sql: string, params: Record<string, string> = {}): Promise<T[]> {
    const session = await LakeSession.open(env.lake);
    try {
      return await session.all<T>(sql, params);
    } finally {
      session.close();
    }
  }

  /** The quarantine rows of one source file, in line order. */
  const quarantineOf = (dataset: string, file: string): Promise<QuarantineRow[]> =>
    rows<QuarantineRow>(
      `SELECT source_line::INTEGER AS source_line, raw, reason FROM quarantine.${dataset} WHERE source_file = $file ORDER BY source_line, raw`,
      { file },
    );

  it('alpaca JSON Lines: stream messages from real bodies plus hostile lines, each one counted', async () => {
    const DOC_TRADE =
      '{"T":"t","i":96921,"S":"AAPL","x":"D","p":126.55,"s":1,"t":"2021-02-22T15:51:44.208Z","c":["@","I"],"z":"C"}';
    const DOC_QUOTE =
      '{"T":"q","S":"AMD","bx":"U","bp":87.66,"bs":1,"ax":"Q","ap":87.68,"as":4,"t":"2021-02-22T15:51:45.335689322Z","c":["R"],"z":"C"}';
    const trades = asStream('t', 'trades', [
      'TestGetTrades',
      'TestGetMultiTrades',
      'TestLatestTrades',
      'TestGetCryptoTrades',
    ]);
    const quotes = asStream('q', 'quotes', ['TestGetQuotes', 'TestLatestQuotes']);
    const bars = asStream('b', 'bars', ['TestGetBars']);
    const lines = [
      // Control messages as the stream sends them (Alpaca's documented examples).
      '{"T":"success","msg":"connected"}',
      '[{"T":"success","msg":"authenticated"}]',
      '[{"T":"subscription","trades":["AAPL"],"quotes":["AMD"],"bars":["SPY"]}]',
      ...trades,
      ...quotes,
      '',
      ...bars,
      // A trading status: a documented type that no dataset holds.
      '{"T":"s","S":"AAPL","sc":"H","sm":"Trading Halt","rc":"T12","rm":"Trading halted; additional information requested by NASDAQ","t":"2021-02-22T15:51:44.208Z","z":"C"}',
      // Real REST bodies on their own lines: 2 trades; an empty page; bars.
      alpacaBody('TestGetTrades_Update'),
      JSON.stringify(alpacaBodies('TestGetCryptoMultiTrades')[3]),
      alpacaBody('TestLatestBars'),
      // One frame of three: a trade, a quote, and a value that is not a message.
      `[${DOC_TRADE},${DOC_QUOTE},true]`,
      '{"T":"error","code":406,"msg":"connection limit exceeded"}',
      // The hostile lines of the issue, and their kin.
      'null',
      '[1,2,3]',
      '{"T":"zz","S":"AAPL","p":1}',
      '42',
      '"x"',
      '[]',
      '{"note":"not alpaca"}',
      '{"T":"t","S":"AAPL","i":7,"x":"V","p":-1,"s":1,"t":"2021-02-22T15:51:44.208Z","z":"C"}',
      '{"T":"t",',
    ];
    const file = join(env.dir, 'alpaca-stream.jsonl');
    await writeFile(file, `${lines.join('\n')}\n`);
    const lineOf = (text: string) => lines.indexOf(text) + 1;
    expect(trades).toHaveLength(10);
    expect(quotes).toHaveLength(13);
    expect(bars).toHaveLength(5);

    const r = ingestJson('trades', file, '--format', 'alpaca');
    expect(r).toMatchObject({
      engine: 'js',
      // 10 stream trades, 2 in a REST body, 1 in the mixed frame.
      accepted: 13,
      // null, 1, 2, 3, zz, 42, "x", true, {"note"}, a negative price, malformed JSON.
      quarantined: 11,
      // 4 control messages, 14 quotes, 5 bars, a status, an empty page, a bars body, `[]`.
      skipped: 27,
      read: 51,
      duplicateBatch: false,
    });
    expect(r.skippedReasons).toEqual({
      'alpaca control message "success"': 2,
      'alpaca control message "subscription"': 1,
      'alpaca control message "error"': 1,
      'alpaca message type "q" (quotes) is not trades': 14,
      'alpaca message type "b" (minute bars) is not trades': 5,
      'alpaca message type "s" (trading statuses) is not trades': 1,
      'alpaca response with no trades': 1,
      'alpaca response of "bars" is not trades': 1,
      'alpaca document with no records': 1,
    });
    expectReconciled(r);
    expect(await rows(`SELECT count(*)::INTEGER AS n FROM bronze.trades WHERE source = 'alpaca'`)).toEqual([
      { n: 13 },
    ]);

    const notAMessage = 'expected a message object or an array of message objects, got';
    const refused = await quarantineOf('trades', file);
    expect(refused).toHaveLength(11);
    const byRaw = (raw: string) => refused.filter((q) => q.raw === raw);
    expect(byRaw('null')).toEqual([
      { source_line: lineOf('null'), raw: 'null', reason: `${notAMessage} null` },
    ]);
    // Each element of an array that is not a message is a record of its own, on the line of the array.
    expect(refused.filter((q) => q.source_line === lineOf('[1,2,3]'))).toEqual(
      ['1', '2', '3'].map((raw) => ({
        source_line: lineOf('[1,2,3]'),
        raw,
        reason: `${notAMessage} number`,
      })),
    );
    expect(byRaw('{"T":"zz","S":"AAPL","p":1}')).toEqual([
      {
        source_line: lineOf('{"T":"zz","S":"AAPL","p":1}'),
        raw: '{"T":"zz","S":"AAPL","p":1}',
        reason: 'unknown alpaca message type "zz"',
      },
    ]);
    expect(byRaw('42')[0]?.reason).toBe(`${notAMessage} number`);
    expect(byRaw('"x"')[0]?.reason).toBe(`${notAMessage} string`);
    expect(byRaw('true')).toEqual([
      {
        source_line: lineOf(`[${DOC_TRADE},${DOC_QUOTE},true]`),
        raw: 'true',
        reason: `${notAMessage} boolean`,
      },
    ]);
    expect(byRaw('{"note":"not alpaca"}')[0]?.reason).toBe(
      'not an alpaca message (no "T") or trades response (no "trades")',
    );
    const negative = refused.find((q) => q.raw.includes('"p":-1'));
    expect(negative?.reason).toContain('price');
    expect(byRaw('{"T":"t",')[0]?.reason).toMatch(/^malformed JSON/);
    for (const q of refused) expect(q.reason).not.toBe('');

    // The summary prints what was skipped and why, most frequent reason first.
    const again = inLake('ingest', 'trades', file, '--format', 'alpaca', '--force');
    expect(again.code).toBe(0);
    const [summary, reasons] = again.stdout.trim().split('\n');
    expect(summary).toBe(`${file}: read 51, accepted 13, quarantined 11, skipped 27, duplicate 0`);
    expect(reasons).toBe(
      '  skipped: 14 alpaca message type "q" (quotes) is not trades; 5 alpaca message type "b" (minute bars) is not trades; 2 alpaca control message "success"; 1 alpaca control message "error"; 1 alpaca control message "subscription"; 4 for 4 other reasons (see --json)',
    );
  });

  describe('generic jsonl and csv: the same counts from both engines, nothing skipped', () => {
    const trade = (price: number) =>
      JSON.stringify({ symbol: 'IBM', event_at: '2024-03-04T14:30:00Z', price, size: 1, source: 'test' });
    // Blank lines (empty, or spaces and tabs only) are not records: no engine counts them. A line
    // of other white space (NBSP) is a record, refused as malformed, by both engines.
    const JSONL = [
      trade(1),
      '',
      'null',
      '[1,2,3]',
      ' \t ',
      '42',
      trade(2),
      '{"symbol":"IBM"}',
      '{bad',
      '\u00a0',
      trade(3),
    ];
    const CSV = [
      'symbol,event_at,price,size,source',
      'IBM,2024-03-04T14:30:00Z,1,1,test',
      '',
      'IBM,2024-03-04T14:30:00Z,1',
      '  ',
      'IBM,2024-03-04T14:30:00Z,-1,1,test',
      'IBM,not-a-time,1,1,test',
      '\u00a0',
      'IBM,2024-03-04T14:30:01Z,2,1,test',
    ];

    for (const [layout, lines, expected, refusedLines] of [
      ['jsonl', JSONL, { read: 9, accepted: 3, quarantined: 6 }, [3, 4, 6, 8, 9, 10]],
      ['csv', CSV, { read: 6, accepted: 2, quarantined: 4 }, [4, 6, 7, 8]],
    ] as const) {
      it(`${layout}: --engine js and --engine sql`, async () => {
        const verdicts: [number, string][][] = [];
        for (const engine of ['js', 'sql']) {
          const file = join(env.dir, `generic-${engine}.${layout}`);
          await writeFile(file, `${lines.join('\n')}\n`);
          const r = ingestJson('trades', file, '--format', layout, '--engine', engine, '--force');
          expect(r).toMatchObject({ ...expected, engine, skipped: 0, skippedReasons: {} });
          expectReconciled(r);
          const refused = await quarantineOf('trades', file);
          expect(refused.map((q) => q.source_line)).toEqual(refusedLines);
          // The line reader's reason for malformed JSON is the parser's own message: JSON.parse's, or DuckDB's none.
          verdicts.push(
            refused.map((q) => [q.source_line, q.reason.replace(/^malformed JSON: .*/, 'malformed JSON')]),
          );
        }
        expect(verdicts[0]).toEqual(verdicts[1]);
      });
    }
  });
});

describe('every vendor format accounts for every item (issue #12), in process', () => {
  const shared = sharedSession();

  const ingest = (dataset: DatasetName, file: string, flags: IngestFlags): Promise<Counts> =>
    ingestFile(shared.session, dataset, file, flags);

  /** The quarantine rows of one source file, in line order. */
  const quarantineOf = (dataset: DatasetName, file: string): Promise<QuarantineRow[]> =>
    shared.session.all<QuarantineRow>(
      `SELECT source_line::INTEGER AS source_line, raw, reason FROM quarantine.${dataset} WHERE source_file = $file ORDER BY source_line, raw`,
      { file },
    );

  it('alpaca: bars and quotes datasets account for the other message types of the same stream', async () => {
    const lines = [
      '[{"T":"success","msg":"authenticated"}]',
      ...asStream('t', 'trades', ['TestGetTrades']),
      ...asStream('q', 'quotes', ['TestLatestQuotes']),
      ...asStream('b', 'bars', ['TestGetBars']),
      ...asStream('d', 'bars', ['TestLatestBars']),
      '{"T":"zz"}',
    ];
    const file = join(shared.env.dir, 'alpaca-mixed.jsonl');
    await writeFile(file, lines.join('\n'));
    const b = await ingest('bars', file, { format: 'alpaca' });
    expect(b).toMatchObject({ read: 13, accepted: 7, quarantined: 1, skipped: 5 });
    expect(b.skippedReasons).toEqual({
      'alpaca control message "success"': 1,
      'alpaca message type "t" (trades) is not bars': 1,
      'alpaca message type "q" (quotes) is not bars': 3,
    });
    expectReconciled(b);
    const q = await ingest('quotes', file, { format: 'alpaca' });
    expect(q).toMatchObject({ read: 13, accepted: 3, quarantined: 1, skipped: 9 });
    expect(q.skippedReasons).toEqual({
      'alpaca control message "success"': 1,
      'alpaca message type "t" (trades) is not quotes': 1,
      'alpaca message type "b" (minute bars) is not quotes': 5,
      'alpaca message type "d" (daily bars) is not quotes': 2,
    });
    expectReconciled(q);
    // A duplicate batch reads, accepts and skips nothing.
    expect(await ingest('bars', file, { format: 'alpaca' })).toMatchObject({
      read: 0,
      accepted: 0,
      quarantined: 0,
      skipped: 0,
      skippedReasons: {},
      duplicateBatch: true,
    });
  });

  it('alpaca REST bodies (real): records of the dataset, empty pages and other kinds each counted', async () => {
    // One JSON Lines file of every real REST body of the go client's tests.
    const bodies = readFileSync(join(WIRE, 'alpaca/alpaca-trade-api-go_tests_rest_responses.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.stringify((JSON.parse(l) as { response: unknown }).response));
    expect(bodies).toHaveLength(70);
    const file = join(shared.env.dir, 'alpaca-rest-bodies.jsonl');
    await writeFile(file, bodies.join('\n'));
    const r = await ingest('trades', file, { format: 'alpaca' });
    expectReconciled(r);
    // 35 trades in 19 bodies with "trades" (3 of them empty pages), 51 bodies of other kinds
    // (counted independently with Python's json module). The three option trades are refused:
    // an OCC option symbol is longer than the contract's symbol segments.
    expect(r).toMatchObject({ read: 89, accepted: 32, quarantined: 3, skipped: 54 });
    expect(r.skippedReasons).toEqual({
      'alpaca response of "bars" is not trades': 20,
      'alpaca response of "quotes" is not trades': 12,
      // 6 with a "snapshots" key, 2 keyed by symbol only.
      'alpaca response of "snapshots" is not trades': 8,
      'alpaca response of "auctions" is not trades': 4,
      'alpaca response of "prices" is not trades': 3,
      'alpaca response with no trades': 3,
      'alpaca response of "news" is not trades': 2,
      'alpaca response of "corporate_actions" is not trades': 1,
      'alpaca response of "pricing" is not trades': 1,
    });
    const refused = await quarantineOf('trades', file);
    expect(refused.map((q) => q.reason)).toEqual(
      Array(3).fill('symbol: symbol must match [A-Z0-9] with inner . or - only'),
    );
  });

  it('binance aggTrade JSON Lines (real cryptofeed recordings): other stream events skipped by kind', async () => {
    const frames = [
      ...gzLines(join(WIRE, 'binance/cryptofeed_BINANCE.ws.1.0.frames.jsonl.gz')),
      ...gzLines(join(WIRE, 'binance/cryptofeed_BINANCE_US.ws.1.0.frames.jsonl.gz')),
    ]
      .filter(Boolean)
      .map((l) => JSON.stringify((JSON.parse(l) as { frame: unknown }).frame));
    expect(frames).toHaveLength(745);
    const lines = [
      '{"result":null,"id":1}',
      ...frames,
      'null',
      '[1]',
      '{"e":"zz","E":1633998512000,"s":"BTCUSDT"}',
      '[]',
    ];
    const file = join(shared.env.dir, 'binance-frames.jsonl');
    await writeFile(file, lines.join('\n'));
    const r = await ingest('trades', file, { format: 'binance-aggtrades' });
    expectReconciled(r);
    // Frame counts per kind as PROVENANCE.md gives them: 2 + 11 aggTrade, 177 + 336 depthUpdate,
    // 84 + 128 bookTicker (no "e": named by the stream), 2 + 5 kline.
    expect(r).toMatchObject({ engine: 'js', read: 750, accepted: 13, quarantined: 3, skipped: 734 });
    expect(r.skippedReasons).toEqual({
      'binance subscription reply': 1,
      'binance event "depthUpdate" is not aggTrade': 513,
      'binance stream "bookTicker" is not aggTrade': 212,
      'binance event "kline" is not aggTrade': 7,
      'binance-aggtrades document with no records': 1,
    });
    expect(
      (await quarantineOf('trades', file)).map(({ source_line, raw, reason }) => [source_line, raw, reason]),
    ).toEqual([
      [747, 'null', 'expected an aggTrade object or an array of them, got null'],
      [748, '1', 'expected an aggTrade object or an array of them, got number'],
      [749, '{"e":"zz","E":1633998512000,"s":"BTCUSDT"}', 'unknown binance event type "zz"'],
    ]);
  });

  it('polygon REST JSON Lines (real mocks): empty results skipped, error bodies and non-trades quarantined', async () => {
    // One body per line; newlines between tokens removed as text, so nanosecond epochs stay exact.
    const body = (name: string) => readFileSync(join(WIRE, 'polygon', name), 'utf8').replace(/\s*\n\s*/g, '');
    const lines = [
      body('v3__trades__AAPL_limit-2.json'),
      body('v2__last__trade__AAPL.json'),
      body('v3__quotes__AAPL.json'),
      body('v2__aggs__ticker__AAPL__prev.json'),
      '{"status":"OK","request_id":"r1","results":[]}',
      '{"status":"ERROR","request_id":"r2","error":"Unknown API Key"}',
      '{"status":"OK","request_id":"r3"}',
      'null',
    ];
    const file = join(shared.env.dir, 'polygon-bodies.jsonl');
    await writeFile(file, lines.join('\n'));
    const r = await ingest('trades', file, { format: 'polygon-trades', symbol: 'AAPL' });
    expectReconciled(r);
    // 2 + 1 trades; 10 quotes and 1 aggregate bar are no trades (the contract refuses them).
    expect(r).toMatchObject({ read: 18, accepted: 3, quarantined: 14, skipped: 1 });
    expect(r.skippedReasons).toEqual({ 'polygon response with no results': 1 });
    const refused = await quarantineOf('trades', file);
    expect(refused.filter((q) => q.source_line === 3)).toHaveLength(10);
    expect(refused.filter((q) => q.source_line >= 6)).toEqual([
      { source_line: 6, raw: lines[5], reason: 'polygon ERROR response: Unknown API Key' },
      { source_line: 7, raw: lines[6], reason: 'polygon response without "results"' },
      { source_line: 8, raw: 'null', reason: 'expected a polygon response object, got null' },
    ]);
  });

  it('social formats: real StockTwits and headline CSVs reconcile; reddit and stocktwits JSON count every item', async () => {
    const stocktwitsCsv = await ingest(
      'sentiment_posts',
      join(DATA, 'social-sentiment/stockemotions/val_stockemo.csv'),
      {
        format: 'stocktwits',
      },
    );
    expect(stocktwitsCsv).toMatchObject({ read: 1000, accepted: 1000, quarantined: 0, skipped: 0 });
    expectReconciled(stocktwitsCsv);
    const headlines = await ingest('sentiment_posts', join(DATA, 'social-sentiment/surge-ai/sentiment.csv'), {
      format: 'headlines',
    });
    // No time column: every row refused, none lost.
    expect(headlines).toMatchObject({ read: 500, accepted: 0, quarantined: 500, skipped: 0 });
    expectReconciled(headlines);

    const listing = JSON.parse(
      readFileSync(join(import.meta.dirname, '../fixtures/ingest/reddit-listing.json'), 'utf8'),
    ) as { data: { children: unknown[] } };
    listing.data.children.push(
      { kind: 'more', data: { count: 12, children: ['k1', 'k2'] } },
      { kind: 't5', data: { display_name: 'stocks' } },
    );
    const reddit = join(shared.env.dir, 'reddit.jsonl');
    await writeFile(
      reddit,
      [
        JSON.stringify(listing),
        '{"kind":"zz","data":{}}',
        'null',
        '{"kind":"Listing","data":{"children":[]}}',
        '{"id":"x1","created_utc":1708531200,"subreddit":"stocks","title":"$TSLA","selftext":"","author":"a","score":1,"num_comments":0,"permalink":"/r/stocks/comments/x1/t/"}',
        '{"foo":1}',
      ].join('\n'),
    );
    const r = await ingest('sentiment_posts', reddit, { format: 'reddit' });
    expectReconciled(r);
    expect(r).toMatchObject({ read: 9, accepted: 3, quarantined: 3, skipped: 3 });
    expect(r.skippedReasons).toEqual({
      'reddit more (comments not loaded) is not a post': 1,
      'reddit t5 (subreddit) is not a post': 1,
      'reddit document with no records': 1,
    });
    expect((await quarantineOf('sentiment_posts', reddit)).map((q) => [q.source_line, q.reason])).toEqual([
      [2, 'unknown reddit kind "zz"'],
      [3, 'expected a reddit Listing, thing or post object, got null'],
      [6, 'not a reddit Listing, thing or post (no kind, created_utc or subreddit)'],
    ]);

    const messages = readFileSync(
      join(import.meta.dirname, '../fixtures/ingest/stocktwits-messages.json'),
      'utf8',
    );
    const twits = join(shared.env.dir, 'stocktwits.jsonl');
    await writeFile(
      twits,
      [
        JSON.stringify(JSON.parse(messages)),
        '{"response":{"status":404},"errors":[{"message":"Symbol not found"}]}',
        '{"response":{"status":200},"messages":[]}',
        '[null]',
      ].join('\n'),
    );
    const t = await ingest('sentiment_posts', twits, { format: 'stocktwits' });
    expectReconciled(t);
    expect(t).toMatchObject({ read: 5, accepted: 2, quarantined: 2, skipped: 1 });
    expect(t.skippedReasons).toEqual({ 'stocktwits document with no records': 1 });
    expect((await quarantineOf('sentiment_posts', twits)).map((q) => [q.source_line, q.reason])).toEqual([
      [2, 'stocktwits response without messages (status 404)'],
      [4, 'expected a stocktwits message object, got null'],
    ]);
  });

  it('algoseek bars (both engines), binance aggTrades CSV and REST JSON (real files) reconcile', async () => {
    const bars = join(DATA, 'us-equity-ticks-algoseek/minute_bars/20131007_ibm_minute_trade.csv.gz');
    for (const engine of ['js', 'sql']) {
      const r = await ingest('bars', bars, { format: 'algoseek-bars', engine, force: true });
      expect(r).toMatchObject({ engine, read: 453, accepted: 453, quarantined: 0, skipped: 0 });
      expectReconciled(r);
    }
    const agg = await ingest(
      'trades',
      join(DATA, 'crypto-trades-binance/XRPETH-aggTrades-2019-10-11_2019-10-13.csv.gz'),
      { format: 'binance-aggtrades' },
    );
    expect(agg).toMatchObject({ read: 12_477, accepted: 12_477, skipped: 0 });
    expectReconciled(agg);
    const json = await ingest('trades', join(DATA, 'crypto-trades-binance/XRP_OLD-trades.json.gz'), {
      format: 'binance-aggtrades',
    });
    expect(json).toMatchObject({ engine: 'js', read: 12_477, accepted: 12_477, skipped: 0 });
    expectReconciled(json);
  });

  it('algoseek factor file: rows outside the date range are counted as skipped', async () => {
    const factors = join(DATA, 'us-equity-ticks-algoseek/factor_files/aapl.csv');
    const all = await ingest('corporate_actions', factors, { format: 'algoseek-factors' });
    expect(all).toMatchObject({ read: 41, accepted: 41, quarantined: 0, skipped: 0 });
    // 3 rows before 2010, 15 in 2010-2015, 23 after (counted with awk).
    const r = await ingestFactorFile(shared.session, factors, {
      from: '2010-01-01',
      to: '2015-12-31',
      force: true,
    });
    expect(r).toMatchObject({ read: 41, accepted: 15, quarantined: 0, skipped: 26 });
    expect(r.skippedReasons).toEqual({ 'dated before 2010-01-01': 3, 'dated after 2015-12-31': 23 });
  });
});
