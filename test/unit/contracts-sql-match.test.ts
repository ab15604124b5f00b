import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { ISO_INSTANT_SOURCE, JSON_NUMBER_SOURCE, patternMatchSql } from '../../contracts/index.js';
import { literal } from '../../layers/index.js';

const SYMBOL = '[A-Z0-9]{1,12}(?:[.-][A-Z0-9]{1,12}){0,2}';
const SOURCE = '[a-z0-9][a-z0-9_-]{0,31}';

const SAMPLES = [
  '',
  'A',
  'AAPL',
  'BRK.B',
  'BTC-USD',
  'aapl',
  'AAPL ',
  ' AAPL',
  'ABCDEFGHIJKL',
  'ABCDEFGHIJKLM',
  "AA'PL",
  '../x',
  'A/B',
  'A..B',
  '.A',
  'vendor',
  'alpaca',
  '_x',
  '-x',
  'a_b-c',
  'Vendor X',
  'x'.repeat(32),
  'x'.repeat(33),
  '2024-03-04T14:30:00Z',
  '2024-03-04T14:30:00.123456Z',
  '2024-03-04 14:30:00.1Z',
  '2024-03-04T14:30:00.123456789Z',
  '2024-03-04T14:30:00.1234567890Z',
  '2024-03-04T14:30:00.Z',
  '2024-13-04T14:30:00Z',
  '2024-00-04T14:30:00Z',
  '2024-03-32T14:30:00Z',
  '2024-03-04T24:00:00Z',
  '2024-03-04T14:60:00Z',
  '2024-03-04T14:30:60Z',
  '2024-03-04T14:30:00',
  '2024-03-04T14:30:00+05:30',
  '2024-03-04T14:30:00.5-0500',
  '2024-03-04T14:30:00.12a456Z',
  '2024-03-04X14:30:00Z',
  '2024-3-04T14:30:00Z',
  '2024-02-30T10:00:00Z',
  '0',
  '00',
  '01',
  '1',
  '10',
  '170.25',
  '0.5',
  '00.5',
  '.5',
  '5.',
  '1.2.3',
  '-1',
  '-0.5',
  '1e5',
  '1E-5',
  '+1',
  '1_000',
  'NaN',
  'inf',
  ' 1',
  '1 ',
  '12345678901234567890',
  '0.000',
  '1a',
  '9.',
  '0.',
];

describe('patternMatchSql: the fast path answers exactly like the regex', () => {
  it('on edge cases for every pattern with a fast test', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    try {
      for (const source of [SYMBOL, SOURCE, ISO_INSTANT_SOURCE, JSON_NUMBER_SOURCE]) {
        const values = SAMPLES.map((s) => `(${literal(s)})`).join(', ');
        const reader = await c.runAndReadAll(
          `SELECT s, ${patternMatchSql('s', source)} AS fast, regexp_full_match(s, ${literal(source)}) AS slow FROM (VALUES ${values}) t(s)`,
        );
        const rows = reader.getRowObjectsJson() as { s: string; fast: boolean; slow: boolean }[];
        expect(rows.filter((r) => r.fast !== r.slow)).toEqual([]);
        expect(rows.some((r) => r.slow)).toBe(true);
      }
    } finally {
      c.closeSync();
      db.closeSync();
    }
  });
});
