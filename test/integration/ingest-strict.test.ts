import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LakeSession, openLake } from '../../layers/index.js';
import {
  type ColumnMapping,
  identityMapping,
  ingestMappedFile,
  parseFieldMap,
} from '../../pipelines/index.js';
import { tempLake } from '../helpers/temp-lake.js';
import { GOOD_TRADE } from '../helpers/trade-fixtures.js';

/**
 * DuckDB's own readers (read_json, read_csv: the strict reader) accept a whole file in one
 * pass; the line reader remains the reference. Both must give the same bronze, and every
 * record the strict reader cannot vouch for must send the file to the line reader.
 */
const COLS = `symbol, strftime(event_at, '%Y-%m-%dT%H:%M:%S.%fZ') AS event_at, price, size, exchange, trade_id, conditions, tape, source, extra, dt`;

const base = GOOD_TRADE;

/** Valid records of many shapes: key orders, optional keys absent or null, unknown keys, escapes, integer ids, several days. */
function validLines(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const day = 4 + (i % 3);
    const t = {
      ...base,
      trade_id: String(i),
      event_at: `2024-03-0${day}T14:30:${String(i % 60).padStart(2, '0')}.5Z`,
    };
    switch (i % 10) {
      case 1:
        out.push(JSON.stringify({ ...t, trade_id: i, price: 1e2, size: 0 }));
        break;
      case 2:
        out.push(
          JSON.stringify({ ...t, tape: null, exchange: undefined, vendor_flag: { x: [1, 'two', null] } }),
        );
        break;
      case 3:
        out.push(
          `{"source": "vendor", "symbol": "BRK.B", "event_at": "${t.event_at}", "price": 1.50, "size": 3, "trade_id": "${i}", "conditions": ["\\u0040", "F"]}`,
        );
        break;
      case 4:
        out.push(JSON.stringify({ ...t, exchange: 'é🚀"\\', conditions: [] }));
        break;
      case 6:
        out.push(JSON.stringify(t).replace('"price":170.25', '"price":-1,"tape":"Z","price":170.25'));
        break;
      case 5:
        // An unknown integer beyond 2^64: kept as DuckDB's parser reads it, by both readers.
        out.push(
          JSON.stringify({ ...t, event_at: '2024-03-04T09:30:00.123456789-05:00' }).replace(
            /}$/,
            ',"extra_num":123456789012345678901234}',
          ),
        );
        break;
      default:
        out.push(JSON.stringify(t));
    }
  }
  return out;
}

describe('the strict reader gives the line reader’s bronze, and hands doubtful files back', () => {
  let env: Awaited<ReturnType<typeof tempLake>>;
  beforeAll(async () => {
    env = await tempLake();
  });
  afterAll(async () => env?.cleanup());

  const ingest = async (
    lake: string,
    file: string,
    mapping: ColumnMapping,
    strictReader: boolean,
    engine: 'auto' | 'js' = 'auto',
  ) => {
    const session = await LakeSession.open(openLake({ lakeUrl: join(env.dir, lake) }));
    try {
      const r = await ingestMappedFile(session, file, { mapping, strictReader, engine });
      const rows = await session.all(`SELECT ${COLS} FROM bronze.trades ORDER BY trade_id, event_at`);
      const bad = await session.all<{ line: number; reason: string }>(
        'SELECT source_line::INTEGER AS line, reason FROM quarantine.trades ORDER BY source_line',
      );
      return { r, rows, bad };
    } finally {
      session.close();
    }
  };

  it('JSON Lines of many shapes over three days: identical rows, partitions and order', async () => {
    const file = join(env.dir, 'varied.jsonl');
    await writeFile(file, `${validLines(3000).join('\n')}\n\n`);
    const strict = await ingest('varied-strict', file, identityMapping('trades', 'jsonl'), true);
    const lines = await ingest('varied-lines', file, identityMapping('trades', 'jsonl'), false);
    expect(strict.r).toMatchObject({
      engine: 'sql',
      reader: 'strict',
      read: 3000,
      accepted: 3000,
      quarantined: 0,
    });
    expect(lines.r).toMatchObject({ engine: 'sql', reader: 'lines', read: 3000, accepted: 3000 });
    expect(strict.r.partitions).toEqual(['2024-03-04', '2024-03-05', '2024-03-06']);
    expect(strict.rows).toEqual(lines.rows);
    expect(strict.rows.filter((r) => r.extra !== null)).toHaveLength(600);
  });

  it('a mapping with renamed keys, a constant, epoch milliseconds and a price scale', async () => {
    const file = join(env.dir, 'mapped.jsonl');
    const rows = Array.from({ length: 500 }, (_, i) =>
      JSON.stringify({
        S: 'MSFT',
        s: 10 + i,
        t: 1709562600000 + i,
        p: 4000000 + i,
        i: i % 7 === 0 ? `x${i}` : i,
      }),
    );
    await writeFile(file, `${rows.join('\n')}\n`);
    const mapping: ColumnMapping = {
      ...identityMapping('trades', 'jsonl'),
      fields: {
        ...parseFieldMap('trades', "symbol=S,size=s,event_at=t,price=p,trade_id=i,source='feed'", true),
      },
      timeUnit: 'ms',
      priceScale: 10_000,
    };
    const strict = await ingest('mapped-strict', file, mapping, true);
    const lines = await ingest('mapped-lines', file, mapping, false);
    const js = await ingest('mapped-js', file, mapping, false, 'js');
    expect(strict.r).toMatchObject({ reader: 'strict', accepted: 500, quarantined: 0 });
    expect(strict.rows).toEqual(lines.rows);
    // Integer epochs in JSON are converted by both engines (String(v) of a safe integer).
    expect(js.r).toMatchObject({ engine: 'js', accepted: 500 });
    expect(js.rows).toEqual(strict.rows);
    expect(strict.rows.find((r) => r.trade_id === 'x0')).toMatchObject({
      symbol: 'MSFT',
      event_at: '2024-03-04T14:30:00.000000Z',
      price: 400,
      source: 'feed',
    });
  });

  it('CSV: identical rows; a row with another field count goes to the line reader', async () => {
    const header = 'symbol,event_at,price,size,exchange,trade_id,conditions,tape,source,venue_note';
    const body = Array.from(
      { length: 2000 },
      (_, i) =>
        `AAPL,2024-03-0${4 + (i % 2)}T14:30:00.${String(i).padStart(6, '0')}Z,170.${i % 100},${i},P,${i},@ F,C,vendor,${i % 3 ? '' : 'n'}`,
    );
    const good = join(env.dir, 'good.csv');
    await writeFile(good, `${header}\n${body.join('\n')}\n`);
    const strict = await ingest('csv-strict', good, identityMapping('trades', 'csv'), true);
    const lines = await ingest('csv-lines', good, identityMapping('trades', 'csv'), false);
    expect(strict.r).toMatchObject({ reader: 'strict', accepted: 2000, quarantined: 0 });
    expect(strict.rows).toEqual(lines.rows);
    const crlf = join(env.dir, 'good-crlf.csv');
    await writeFile(crlf, `${header}\r\n${body.join('\r\n')}\r\n`);
    const windows = await ingest('csv-crlf', crlf, identityMapping('trades', 'csv'), true);
    expect(windows.r).toMatchObject({ reader: 'strict', accepted: 2000 });
    expect(windows.rows).toEqual(lines.rows);

    // Quotes only past the head (64 KiB): the rows staged beside the scan give way to the quoted reader.
    const late = join(env.dir, 'late-quotes.csv');
    await writeFile(
      late,
      `${header}\n${body.join('\n')}\n"MSFT",2024-03-04T14:30:00Z,1,1,P,x,@,C,vendor,"a,b"\n`,
    );
    const quoted = await ingest('csv-late-quotes', late, identityMapping('trades', 'csv'), true);
    const perRecord = await ingest('csv-late-quotes-js', late, identityMapping('trades', 'csv'), true, 'js');
    expect(quoted.r).toMatchObject({ engine: 'sql', reader: 'quoted', accepted: 2001, quarantined: 0 });
    expect(quoted.rows).toEqual(perRecord.rows);

    const short = join(env.dir, 'short.csv');
    await writeFile(
      short,
      `${header}\n${body.slice(0, 10).join('\n')}\nAAPL,2024-03-04T14:30:00Z,1\n${body.slice(10, 20).join('\n')}\n`,
    );
    const fallback = await ingest('csv-short', short, identityMapping('trades', 'csv'), true);
    expect(fallback.r).toMatchObject({ reader: 'lines', accepted: 20, quarantined: 1 });
    expect(fallback.bad).toEqual([{ line: 12, reason: 'expected 10 fields, found 3' }]);

    // A NUL byte in a cell (the strict pass leaves U+0000 to the scan), or a symbol that breaks
    // the pattern (checked per distinct value after writing): the line reader explains the row.
    const doubts: Array<[string, string, string]> = [
      [
        'nul',
        'AAPL,2024-03-04T14:30:00Z,1,1,P\u0000,x,@,C,vendor,',
        'exchange: text holds a NUL character (U+0000), which PostgreSQL cannot store',
      ],
      [
        'pattern',
        'BTC/USD,2024-03-04T14:30:00Z,1,1,P,y,@,C,vendor,',
        'symbol: symbol must match [A-Z0-9] with inner . or - only',
      ],
    ];
    for (const [name, row, reason] of doubts) {
      const file = join(env.dir, `${name}.csv`);
      await writeFile(file, `${[header, ...body.slice(0, 10), row, ...body.slice(10, 20)].join('\n')}\n`);
      const run = await ingest(`csv-${name}`, file, identityMapping('trades', 'csv'), true);
      expect(run.r).toMatchObject({ reader: 'lines', accepted: 20, quarantined: 1 });
      expect(run.bad).toEqual([{ line: 12, reason }]);
    }
  });

  // Each file is valid but for one line the strict reader must not vouch for.
  const doubtful: Array<[string, string, string]> = [
    ['a refused record', JSON.stringify({ ...base, price: -1 }), 'price: must be > 0'],
    [
      'a trailing comma (yyjson takes it, JSON.parse does not)',
      JSON.stringify(base).replace(/}$/, ',}'),
      'malformed JSON',
    ],
    ['a trailing comma in a list', JSON.stringify(base).replace('["@"]', '["@" ,]'), 'malformed JSON'],
    ['NaN in an unknown key', JSON.stringify(base).replace(/}$/, ',"vendor_x":NaN}'), 'malformed JSON'],
    ['upper-case INF as a price', JSON.stringify(base).replace('170.25', '-INF'), 'malformed JSON'],
    ['a line that is not an object', '[1, 2]', '(record): expected a JSON object'],
    ['a record over two lines', '{"symbol": "AAPL",', 'malformed JSON'],
    // Text patterns are checked per distinct value after the strict pass has written its file.
    [
      'a symbol that breaks the pattern',
      JSON.stringify({ ...base, symbol: 'BTC/USD' }),
      'symbol: symbol must match',
    ],
    [
      'a source that breaks the pattern',
      JSON.stringify({ ...base, source: 'Vendor' }),
      'source: source must be',
    ],
    // U+0000: the strict pass leaves it to the scan, which sees the escape.
    [
      'a NUL character in a text field',
      JSON.stringify({ ...base, tape: 'C\u0000' }),
      'tape: text holds a NUL',
    ],
  ];
  for (const [name, bad, reason] of doubtful) {
    it(`${name}: the line reader takes the file and explains the line`, async () => {
      const file = join(env.dir, `${name.replace(/\W+/g, '-')}.jsonl`);
      const ok = validLines(20);
      await writeFile(file, `${[...ok.slice(0, 10), bad, ...ok.slice(10)].join('\n')}\n`);
      const r = await ingest(
        `doubt-${name.replace(/\W+/g, '-')}`,
        file,
        identityMapping('trades', 'jsonl'),
        true,
      );
      expect(r.r).toMatchObject({ engine: 'sql', reader: 'lines', accepted: 20, quarantined: 1 });
      expect(r.bad).toHaveLength(1);
      expect(r.bad[0]?.line).toBe(11);
      expect(r.bad[0]?.reason.startsWith(reason)).toBe(true);
    });
  }

  it('text that merely looks lenient (",}" or ":nan," inside strings) is valid for both readers', async () => {
    const file = join(env.dir, 'lookalike.jsonl');
    const rows = [
      JSON.stringify({ ...base, trade_id: '1', exchange: ',}', tape: ':nan,' }),
      JSON.stringify({ ...base, trade_id: '2', conditions: ['[inf', ',]'] }),
    ];
    await writeFile(file, `${rows.join('\n')}\n`);
    const lines = await ingest('lookalike-lines', file, identityMapping('trades', 'jsonl'), false);
    expect(lines.r).toMatchObject({ reader: 'lines', accepted: 2, quarantined: 0 });
    // The scan sees ",}" and cannot tell it is inside a string: the line reader decides.
    const strict = await ingest('lookalike-strict', file, identityMapping('trades', 'jsonl'), true);
    expect(strict.r).toMatchObject({ reader: 'lines', accepted: 2, quarantined: 0 });
    expect(strict.rows).toEqual(lines.rows);
  });
});
