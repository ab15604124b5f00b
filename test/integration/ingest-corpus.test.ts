import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LakeSession, openLake } from '../../layers/index.js';
import { identityMapping, ingestMappedFile } from '../../pipelines/index.js';
import { ENGINE_RUNS, engineOf, inputFor } from '../helpers/engine-runs.js';
import { tempLake } from '../helpers/temp-lake.js';
import { GOOD_TRADE } from '../helpers/trade-fixtures.js';

const good = GOOD_TRADE;
const line = (o: Record<string, unknown>) => JSON.stringify(o);
const without = (k: string) => line(Object.fromEntries(Object.entries(good).filter(([key]) => key !== k)));

/** Each bad kind with the exact reason both engines must give (malformed JSON: prefix). */
const CORPUS: Array<[string, string, string]> = [
  ['price as text', line({ ...good, price: '170.25' }), 'price: expected a number'],
  ['negative price', line({ ...good, price: -1 }), 'price: must be > 0'],
  ['zero price', line({ ...good, price: 0 }), 'price: must be > 0'],
  ['NaN literal', line(good).replace('170.25', 'NaN'), 'malformed JSON'],
  ['Infinity overflow', line(good).replace('170.25', '1e400'), 'price: must be a finite number'],
  ['negative size', line({ ...good, size: -5 }), 'size: must be >= 0'],
  ['missing price', without('price'), 'price: required'],
  ['missing event_at', without('event_at'), 'event_at: required'],
  ['null symbol', line({ ...good, symbol: null }), 'symbol: required'],
  [
    'future timestamp',
    line({ ...good, event_at: '2999-01-01T00:00:00Z' }),
    'event_at: timestamp is in the future',
  ],
  [
    'before 1990',
    line({ ...good, event_at: '1970-01-01T00:00:00Z' }),
    'event_at: timestamp is before 1990-01-01',
  ],
  ['not a real date', line({ ...good, event_at: '2024-02-30T10:00:00Z' }), 'event_at: not a real date'],
  [
    'naive timestamp',
    line({ ...good, event_at: '2024-03-04 14:30:00' }),
    'event_at: timestamp must be RFC 3339 with an offset, e.g. 2024-03-04T14:30:00.123456Z',
  ],
  [
    'epoch number as time',
    line({ ...good, event_at: 1709562600000 }),
    'event_at: timestamp must be RFC 3339 with an offset, e.g. 2024-03-04T14:30:00.123456Z',
  ],
  [
    'path traversal symbol',
    line({ ...good, symbol: '../etc/passwd' }),
    'symbol: symbol must match [A-Z0-9] with inner . or - only',
  ],
  [
    'SQL quote in symbol',
    line({ ...good, symbol: "AA'PL" }),
    'symbol: symbol must match [A-Z0-9] with inner . or - only',
  ],
  [
    'lower-case symbol',
    line({ ...good, symbol: 'aapl' }),
    'symbol: symbol must match [A-Z0-9] with inner . or - only',
  ],
  [
    'trade id beyond 2^53',
    line(good).replace('"42"', '9007199254740993'),
    'trade_id: integer beyond 2^53 would lose precision; send it as text',
  ],
  ['exchange too long', line({ ...good, exchange: 'X'.repeat(17) }), 'exchange: longer than 16 characters'],
  ['conditions not a list', line({ ...good, conditions: '@' }), 'conditions: expected a list of text'],
  ['condition not text', line({ ...good, conditions: ['@', 7] }), 'conditions: item 1: expected text'],
  [
    'too many conditions',
    line({ ...good, conditions: Array(17).fill('X') }),
    'conditions: more than 16 items',
  ],
  ['bad source name', line({ ...good, source: 'Vendor X' }), 'source: source must be a lower-case name'],
  ['malformed JSON', '{"symbol": "AAPL", "price": ', 'malformed JSON'],
  // DuckDB's parser takes these, JSON.parse does not: both engines refuse them.
  ['trailing comma', line(good).replace(/}$/, ' ,}'), 'malformed JSON'],
  ['trailing comma in a list', line(good).replace('["@"]', '["@",]'), 'malformed JSON'],
  ['upper-case INF literal', line(good).replace('170.25', 'INF'), 'malformed JSON'],
  ['NaN in an unknown field', line(good).replace(/}$/, ',"vendor_x":NaN}'), 'malformed JSON'],
  ['a bare NaN line', 'NaN', 'malformed JSON'],
  ['a bare -Infinity line', ' -Infinity', 'malformed JSON'],
  ['NaN deep in an unknown field', line(good).replace(/}$/, ',"x":{"y":[1,-inf]}}'), 'malformed JSON'],
  // The last of a repeated key counts, but JSON.parse refuses the NaN in the first.
  [
    'NaN in a repeated key that a later value overrides',
    line(good).replace('"price":170.25', '"price":NaN,"price":170.25'),
    'malformed JSON',
  ],
  // A repeated key: the last value counts, as JSON.parse takes it.
  ['repeated key, the last value refused', line(good).replace(/}$/, ',"price":-1}'), 'price: must be > 0'],
  // JSON.parse takes an unpaired surrogate escape; DuckDB and Parquet cannot hold one.
  ['lone surrogate escape', line(good).replace('"P"', '"P\\ud800"'), 'malformed JSON'],
  ['lone surrogate in an unknown key', line(good).replace(/}$/, ',"x\\udc00":1}'), 'malformed JSON'],
  // Lengths count characters (code points), not UTF-16 units: 17 astral characters are 17 of 16.
  [
    'text over its limit',
    line({ ...good, exchange: '😀'.repeat(17) }),
    'exchange: longer than 16 characters',
  ],
  [
    'list item over its limit',
    line({ ...good, conditions: ['😀'.repeat(9)] }),
    'conditions: item 0: longer than 8 characters',
  ],
  [
    'NUL character in a text field',
    line({ ...good, exchange: 'P\u0000' }),
    'exchange: text holds a NUL character (U+0000), which PostgreSQL cannot store',
  ],
  ['JSON array', '[1, 2, 3]', '(record): expected a JSON object'],
  ['wrong delimiter (CSV line in JSONL)', 'AAPL;2024-03-04T14:30:00Z;170.25;100', 'malformed JSON'],
  ['10 MB line', `{"symbol":"${'A'.repeat(10 * 1024 * 1024)}"}`, 'line longer than 1048576 bytes'],
  [
    'several errors at once',
    line({ ...good, price: -1, size: 'x', symbol: 'a/b' }),
    'symbol: symbol must match [A-Z0-9] with inner . or - only; price: must be > 0; size: expected a number',
  ],
];

const GOOD_LINES = [
  line(good),
  line({ ...good, trade_id: 7, vendor_flag: 'x' }),
  line({ ...good, event_at: '2024-03-04T09:30:00.123456789-05:00' }),
  // Python-style spacing, another key order, escapes in a text field and in list items.
  `  {"source": "vendor", "trade_id": "43", "symbol": "AAP\\u004c", "event_at": "2024-03-04T14:30:00.123456Z", "price": 170.25, "size": 100, "conditions": ["\\u0040", "F"]}`,
  line({ ...good, trade_id: '44', conditions: [] }),
  // A surrogate pair, escaped: one astral character, valid everywhere.
  line({ ...good, trade_id: '48' }).replace('"P"', '"P\\ud83d\\ude00"'),
  line({ ...good, trade_id: '49', exchange: '😀'.repeat(16), conditions: ['😀'.repeat(8)] }),
  // Negative zero: JSON.stringify writes it as 0, so every engine stores 0.0.
  line({ ...good, trade_id: '51' }).replace('"size":100', '"size":-0.0'),
  // Nesting deeper than JSON.stringify can recurse, in an unknown field: kept in extra.
  line({ ...good, trade_id: '50' }).replace(/}$/, `,"deep":${'['.repeat(5000)}${']'.repeat(5000)}}`),
  line({ ...good, trade_id: '45', conditions: ['a,b', ''] }),
  // Text that only looks like a trailing comma or a NaN literal.
  line({ ...good, trade_id: '46', exchange: ',}', tape: ':nan,' }),
  // Repeated keys, known and unknown: the last value of each.
  line({ ...good, trade_id: '47' }).replace(
    '"price":170.25',
    '"price":-5,"vendor_flag":"a","price":170.25,"vendor_flag":"b"',
  ),
];

describe('bad-record corpus: SQL and per-record engines agree exactly', () => {
  let env: Awaited<ReturnType<typeof tempLake>>;
  let file: string;
  beforeAll(async () => {
    env = await tempLake();
    file = join(env.dir, 'corpus.jsonl');
    const lines = [...GOOD_LINES.slice(0, 1), ...CORPUS.map((c) => c[1]), ...GOOD_LINES.slice(1)];
    // A line of spaces and a tab is blank: not a record.
    await writeFile(file, `\uFEFF${lines.join('\n')}\n  \t \n\n`);
  });
  afterAll(async () => env?.cleanup());

  for (const run of ENGINE_RUNS) {
    const { name, engine, crlf } = run;
    it(`${name}: every bad kind quarantined with its reason; counts reconcile`, async () => {
      const session = await LakeSession.open(openLake({ lakeUrl: join(env.dir, name) }));
      try {
        const input = await inputFor(file, crlf);
        const r = await ingestMappedFile(session, input, {
          mapping: identityMapping('trades', 'jsonl'),
          engine,
        });
        expect(r.engine).toBe(engineOf(run));
        expect(r.read).toBe(CORPUS.length + GOOD_LINES.length);
        expect(r.accepted).toBe(GOOD_LINES.length);
        expect(r.quarantined).toBe(CORPUS.length);
        const rows = await session.all<{ source_line: string; reason: string; contract_version: string }>(
          'SELECT source_line, reason, contract_version FROM quarantine.trades ORDER BY source_line',
        );
        const reasons = rows.map((q) =>
          q.reason.startsWith('malformed JSON') ? 'malformed JSON' : q.reason,
        );
        expect(reasons).toEqual(CORPUS.map((c) => c[2]));
        expect(rows.map((q) => Number(q.source_line))).toEqual(CORPUS.map((_, i) => i + 2));
        expect(rows.every((q) => q.contract_version === 'trade.v1')).toBe(true);
        const bronze = await session.all<{ trade_id: string; extra: string | null; event_at: string }>(
          'SELECT trade_id, symbol, conditions, extra, event_at::VARCHAR AS event_at FROM bronze.trades ORDER BY trade_id',
        );
        const at = '2024-03-04 14:30:00.123456+00';
        expect(bronze).toEqual([
          { trade_id: '42', symbol: 'AAPL', conditions: ['@'], extra: null, event_at: at },
          { trade_id: '42', symbol: 'AAPL', conditions: ['@'], extra: null, event_at: at },
          { trade_id: '43', symbol: 'AAPL', conditions: ['@', 'F'], extra: null, event_at: at },
          { trade_id: '44', symbol: 'AAPL', conditions: [], extra: null, event_at: at },
          { trade_id: '45', symbol: 'AAPL', conditions: ['a,b', ''], extra: null, event_at: at },
          { trade_id: '46', symbol: 'AAPL', conditions: ['@'], extra: null, event_at: at },
          { trade_id: '47', symbol: 'AAPL', conditions: ['@'], extra: '{"vendor_flag":"b"}', event_at: at },
          { trade_id: '48', symbol: 'AAPL', conditions: ['@'], extra: null, event_at: at },
          { trade_id: '49', symbol: 'AAPL', conditions: ['😀'.repeat(8)], extra: null, event_at: at },
          {
            trade_id: '50',
            symbol: 'AAPL',
            conditions: ['@'],
            extra: `{"deep":${'['.repeat(5000)}${']'.repeat(5000)}}`,
            event_at: at,
          },
          { trade_id: '51', symbol: 'AAPL', conditions: ['@'], extra: null, event_at: at },
          { trade_id: '7', symbol: 'AAPL', conditions: ['@'], extra: '{"vendor_flag":"x"}', event_at: at },
        ]);
        const [zero] = await session.all<{ size: string }>(
          `SELECT size::VARCHAR AS size FROM bronze.trades WHERE trade_id = '51'`,
        );
        expect(zero?.size).toBe('0.0');
        const again = await ingestMappedFile(session, input, {
          mapping: identityMapping('trades', 'jsonl'),
          engine,
        });
        expect(again.duplicateBatch).toBe(true);
      } finally {
        session.close();
      }
    }, 120_000);
  }
});

describe('bytes that are not UTF-8, and characters split across read chunks', () => {
  let env: Awaited<ReturnType<typeof tempLake>>;
  beforeAll(async () => {
    env = await tempLake();
  });
  afterAll(async () => env?.cleanup());

  // Long multi-byte exchange names put 3- and 4-byte characters across every 1 MiB read boundary.
  const wide = (i: number) => line({ ...good, trade_id: String(i), exchange: `é🚀${'€'.repeat(i % 4)}` });
  const latin1 = Buffer.concat([
    Buffer.from(line({ ...good, trade_id: 'bad' }).replace('"vendor"', '"caf')),
    Buffer.from([0xe9]),
    Buffer.from('"'),
  ]);

  for (const layout of ['jsonl', 'csv'] as const) {
    it(`${layout}: the line with a Latin-1 byte is quarantined with its reason, the others arrive intact`, async () => {
      const rows = Array.from({ length: 60_000 }, (_, i) => i);
      const text = (i: number) =>
        layout === 'jsonl'
          ? wide(i)
          : `AAPL,2024-03-04T14:30:00.123456Z,170.25,100,é🚀${'€'.repeat(i % 4)},${i},@,C,vendor`;
      const badLine =
        layout === 'jsonl'
          ? latin1
          : Buffer.concat([
              Buffer.from('AAPL,2024-03-04T14:30:00Z,170.25,100,P,bad,@,C,caf'),
              Buffer.from([0xe9]),
            ]);
      const header =
        layout === 'csv' ? 'symbol,event_at,price,size,exchange,trade_id,conditions,tape,source\n' : '';
      const file = join(env.dir, `mixed.${layout}`);
      await writeFile(
        file,
        Buffer.concat([
          Buffer.from(`${header}${rows.slice(0, 30_000).map(text).join('\n')}\n`),
          badLine,
          Buffer.from(`\n${rows.slice(30_000).map(text).join('\n')}\n`),
        ]),
      );
      const session = await LakeSession.open(openLake({ lakeUrl: join(env.dir, layout) }));
      try {
        // Forced `sql` cannot hold bytes that are not UTF-8: the per-record engine takes the file.
        const r = await ingestMappedFile(session, file, {
          mapping: identityMapping('trades', layout),
          engine: 'sql',
        });
        expect(r).toMatchObject({ engine: 'js', read: 60_001, accepted: 60_000, quarantined: 1 });
        const q = await session.all<{ line: number; reason: string }>(
          'SELECT source_line::INTEGER AS line, reason FROM quarantine.trades',
        );
        const badAt = 30_001 + (layout === 'csv' ? 1 : 0);
        expect(q).toEqual([{ line: badAt, reason: expect.stringMatching(/^invalid UTF-8/) }]);
        const exchanges = await session.all<{ exchange: string; n: number }>(
          'SELECT exchange, count(*)::INTEGER AS n FROM bronze.trades GROUP BY 1 ORDER BY 1',
        );
        expect(exchanges).toEqual(
          ['é🚀', 'é🚀€', 'é🚀€€', 'é🚀€€€'].map((exchange) => ({ exchange, n: 15_000 })),
        );
      } finally {
        session.close();
      }
    }, 120_000);
  }
});
