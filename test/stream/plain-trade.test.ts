import { describe, expect, it } from 'vitest';
import { validateRecord } from '../../contracts/index.js';
import { plainTrade } from '../../streaming/lake-committer.js';

const base = {
  symbol: 'AAPL',
  event_at: '2024-03-04T14:30:00.123456789Z',
  price: 187.5,
  size: 100,
  exchange: 'V',
  trade_id: 52983525029461,
  conditions: ['@', 'T'],
  tape: 'C',
  source: 'alpaca',
};

// Each case differs from `base` in one way the contract may or may not accept.
const cases: Record<string, unknown>[] = [
  base,
  { ...base, trade_id: '9007199254740993' },
  { ...base, trade_id: 2 ** 53 + 2 },
  { ...base, trade_id: null },
  { symbol: 'BTCUSDT', event_at: '2024-03-04T14:30:00Z', price: 1, size: 0, source: 'binance' },
  { ...base, conditions: undefined, exchange: undefined, tape: null },
  { ...base, conditions: null },
  { ...base, conditions: ['@', 7] },
  { ...base, conditions: Array.from({ length: 17 }, () => 'X') },
  { ...base, conditions: ['TOOLONGCODE'] },
  { ...base, symbol: '../../etc' },
  { ...base, symbol: 'aapl' },
  { ...base, symbol: 'BRK.B' },
  { ...base, event_at: '2024-02-30T14:30:00Z' },
  { ...base, event_at: '2024-02-29T14:30:00Z' },
  { ...base, event_at: '1989-12-31T23:59:59Z' },
  { ...base, event_at: '2999-01-01T00:00:00Z' },
  { ...base, event_at: '2024-03-04T14:30:00+01:00' },
  { ...base, event_at: '2024-03-04 14:30:00Z' },
  { ...base, event_at: 1709562600000 },
  { ...base, price: 0 },
  { ...base, price: -1 },
  { ...base, price: '187.5' },
  { ...base, price: Number.NaN },
  { ...base, size: -1 },
  { ...base, size: Number.POSITIVE_INFINITY },
  { ...base, exchange: 'X'.repeat(17) },
  { ...base, exchange: 'é' },
  { ...base, tape: 'a\u0000' },
  { ...base, source: 'Alpaca' },
  { ...base, unexpected: 1 },
  { ...base, extra: null },
];

describe('plainTrade (the windows skip a second zod pass)', () => {
  it('gives the contract row for what it accepts and leaves everything else to the contract', () => {
    let fast = 0;
    for (const value of cases) {
      const row = plainTrade(value);
      const checked = validateRecord('trades', value);
      if (row === undefined) continue;
      fast += 1;
      // Never accepts what the contract refuses, and the fields the windows read are the contract's.
      expect(checked.ok, JSON.stringify(value)).toBe(true);
      if (!checked.ok) continue;
      const { extra: _, ...contractRow } = checked.row;
      expect(row).toEqual(contractRow);
    }
    // The plain shapes (base, text and null ids, Binance, absent optionals, a leap day, BRK.B) take the fast path.
    expect(fast).toBe(7);
    expect(plainTrade({ ...base, event_at: '2024-02-30T14:30:00Z' })).toBeUndefined();
    expect(plainTrade({ ...base, extra: null })).toBeUndefined();
  });
});
