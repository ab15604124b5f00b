import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LakeSession, openLake } from '../../layers/index.js';
import { identityMapping, ingestMappedFile } from '../../pipelines/index.js';
import { ENGINE_RUNS, engineOf, inputFor } from '../helpers/engine-runs.js';
import { tempLake } from '../helpers/temp-lake.js';

const HEADER = 'symbol,event_at,price,size,exchange,trade_id,conditions,tape,source';
const GOOD = 'AAPL,2024-03-04T14:30:00.123456Z,170.25,100,P,42,@ I,C,vendor';
const cells = (patch: Record<number, string>) =>
  GOOD.split(',')
    .map((c, i) => patch[i] ?? c)
    .join(',');

/** CSV kinds of bad rows with the reason both engines must give. */
const BAD: Array<[string, string, string]> = [
  ['truncated row', 'AAPL,2024-03-04T14:30:00Z,170.25', 'expected 9 fields, found 3'],
  ['wrong delimiter', GOOD.replaceAll(',', ';'), 'expected 9 fields, found 1'],
  ['extra field', `${GOOD},x`, 'expected 9 fields, found 10'],
  ['empty price', cells({ 2: '' }), 'price: required'],
  ['price with a plus sign', cells({ 2: '+1' }), 'price: expected a number'],
  ['price with a leading zero', cells({ 2: '01' }), 'price: expected a number'],
  ['price with a trailing dot', cells({ 2: '1.' }), 'price: expected a number'],
  ['negative price', cells({ 2: '-1.5' }), 'price: must be > 0'],
  ['price overflow', cells({ 2: '1e400' }), 'price: must be a finite number'],
  ['lower-case symbol', cells({ 0: 'aapl' }), 'symbol: symbol must match [A-Z0-9] with inner . or - only'],
  [
    'symbol with a slash',
    cells({ 0: 'BTC/USD' }),
    'symbol: symbol must match [A-Z0-9] with inner . or - only',
  ],
  [
    'month 13',
    cells({ 1: '2024-13-04T14:30:00Z' }),
    'event_at: timestamp must be RFC 3339 with an offset, e.g. 2024-03-04T14:30:00.123456Z',
  ],
  [
    'ten fraction digits',
    cells({ 1: '2024-03-04T14:30:00.1234567890Z' }),
    'event_at: timestamp must be RFC 3339 with an offset, e.g. 2024-03-04T14:30:00.123456Z',
  ],
  ['30 February', cells({ 1: '2024-02-30T14:30:00Z' }), 'event_at: not a real date'],
  ['source with a capital', cells({ 8: 'Vendor' }), 'source: source must be a lower-case name'],
  ['source starting with a dash', cells({ 8: '-x' }), 'source: source must be a lower-case name'],
  ['condition too long', cells({ 6: '@ ABCDEFGHI' }), 'conditions: item 1: longer than 8 characters'],
  [
    'NUL byte in a text cell',
    cells({ 4: 'P\u0000' }),
    'exchange: text holds a NUL character (U+0000), which PostgreSQL cannot store',
  ],
];

/** Rows both engines accept, with forms the fast SQL tests do not vouch for (regex fallback). */
const GOOD_ROWS = [
  GOOD,
  cells({ 0: 'BRK.B', 2: '0.5', 3: '1e2' }),
  cells({ 1: '2024-03-04T09:30:00.5-05:00', 5: '9007199254740993' }),
  cells({ 1: '2024-03-04 14:30:00', 8: 'a_b-c' }),
];

describe('CSV bad-record corpus: SQL and per-record engines agree exactly', () => {
  let env: Awaited<ReturnType<typeof tempLake>>;
  let file: string;
  beforeAll(async () => {
    env = await tempLake();
    file = join(env.dir, 'corpus.csv');
    await writeFile(
      file,
      `${[HEADER, GOOD_ROWS[0], ...BAD.map((b) => b[1]), ...GOOD_ROWS.slice(1)].join('\n')}\n`,
    );
  });
  afterAll(async () => env?.cleanup());

  for (const run of ENGINE_RUNS) {
    const { name, engine, crlf } = run;
    it(`${name}: reasons, lines and bronze rows`, async () => {
      const session = await LakeSession.open(openLake({ lakeUrl: join(env.dir, name) }));
      try {
        const input = await inputFor(file, crlf);
        const r = await ingestMappedFile(session, input, {
          mapping: identityMapping('trades', 'csv'),
          engine,
        });
        expect(r).toMatchObject({
          engine: engineOf(run),
          read: BAD.length + GOOD_ROWS.length,
          accepted: GOOD_ROWS.length,
        });
        const bad = await session.all<{ line: number; reason: string }>(
          'SELECT source_line::INTEGER AS line, reason FROM quarantine.trades ORDER BY source_line',
        );
        expect(bad).toEqual(BAD.map((b, i) => ({ line: i + 3, reason: b[2] })));
        const good = await session.all(
          `SELECT symbol, strftime(event_at, '%Y-%m-%dT%H:%M:%S.%fZ') AS t, price, size, trade_id, conditions, source FROM bronze.trades ORDER BY t, symbol`,
        );
        expect(good).toEqual([
          {
            symbol: 'AAPL',
            t: '2024-03-04T14:30:00.000000Z',
            price: 170.25,
            size: 100,
            trade_id: '42',
            conditions: ['@', 'I'],
            source: 'a_b-c',
          },
          {
            symbol: 'AAPL',
            t: '2024-03-04T14:30:00.123456Z',
            price: 170.25,
            size: 100,
            trade_id: '42',
            conditions: ['@', 'I'],
            source: 'vendor',
          },
          {
            symbol: 'BRK.B',
            t: '2024-03-04T14:30:00.123456Z',
            price: 0.5,
            size: 100,
            trade_id: '42',
            conditions: ['@', 'I'],
            source: 'vendor',
          },
          {
            symbol: 'AAPL',
            t: '2024-03-04T14:30:00.500000Z',
            price: 170.25,
            size: 100,
            trade_id: '9007199254740993',
            conditions: ['@', 'I'],
            source: 'vendor',
          },
        ]);
      } finally {
        session.close();
      }
    });
  }
});
