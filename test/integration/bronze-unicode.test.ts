import { describe, expect, it } from 'vitest';
import { isWellFormedValue, validateRecord } from '../../contracts/index.js';
import { fromValues, writeBronzeBatch } from '../../pipelines/index.js';
import { sharedSession } from '../helpers/temp-lake.js';
import { GOOD_TRADE } from '../helpers/trade-fixtures.js';

// JSON.parse turns "\ud800" into a string DuckDB and Parquet cannot hold: a stream message with
// one must be refused with its reason, never break the batch it arrives in.
const LONE_HIGH = '\ud800';
const LONE_LOW = '\udc00';
const PAIR = '\ud83d\ude00';

describe('lone UTF-16 surrogates', () => {
  it('isWellFormedValue looks at keys and values at any depth, and takes surrogate pairs', () => {
    expect(isWellFormedValue({ a: ['x', { b: PAIR }] })).toBe(true);
    expect(isWellFormedValue({ a: ['x', { b: `y${LONE_LOW}` }] })).toBe(false);
    expect(isWellFormedValue({ [`k${LONE_HIGH}`]: 1 })).toBe(false);
    expect(isWellFormedValue(`${LONE_LOW}${LONE_HIGH}`)).toBe(false);
  });

  it('validateRecord names the field, or extra for an unknown key', () => {
    const field = validateRecord('trades', { ...GOOD_TRADE, exchange: `P${LONE_HIGH}` });
    expect(field).toEqual({
      ok: false,
      reason: 'exchange: text holds a lone UTF-16 surrogate (not valid Unicode)',
    });
    const item = validateRecord('trades', { ...GOOD_TRADE, conditions: ['@', LONE_LOW] });
    expect(item.ok).toBe(false);
    const extra = validateRecord('trades', { ...GOOD_TRADE, [`vendor${LONE_LOW}`]: 1 });
    expect(extra).toEqual({
      ok: false,
      reason: 'extra: text holds a lone UTF-16 surrogate (not valid Unicode)',
    });
    expect(validateRecord('trades', { ...GOOD_TRADE, exchange: PAIR }).ok).toBe(true);
  });

  const shared = sharedSession();
  it('a batch of stream values quarantines them and lands the rest', async () => {
    const values = [
      { ...GOOD_TRADE, trade_id: '1' },
      { ...GOOD_TRADE, trade_id: '2', exchange: `P${LONE_HIGH}` },
      { ...GOOD_TRADE, trade_id: '3', exchange: PAIR },
      { ...GOOD_TRADE, trade_id: '4', note: `x${LONE_LOW}` },
    ];
    const r = await writeBronzeBatch(shared.session, 'trades', fromValues(values), { source: 'stream-test' });
    expect([r.read, r.accepted, r.quarantined]).toEqual([4, 2, 2]);
    const bronze = await shared.session.all<{ trade_id: string; exchange: string }>(
      'SELECT trade_id, exchange FROM bronze.trades ORDER BY trade_id',
    );
    expect(bronze).toEqual([
      { trade_id: '1', exchange: 'P' },
      { trade_id: '3', exchange: PAIR },
    ]);
    const refused = await shared.session.all<{ reason: string; raw: string }>(
      'SELECT reason, raw FROM quarantine.trades ORDER BY reason',
    );
    expect(refused.map((q) => q.reason)).toEqual([
      'exchange: text holds a lone UTF-16 surrogate (not valid Unicode)',
      'extra: text holds a lone UTF-16 surrogate (not valid Unicode)',
    ]);
    // The raw record keeps the surrogate as its JSON escape, so nothing is lost.
    expect(refused[0]?.raw).toContain('\\ud800');
  });
});
