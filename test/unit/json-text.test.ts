import { describe, expect, it } from 'vitest';
import { deepJsonText, jsonText } from '../../contracts/json-text.js';

const bigintAsText = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);

describe('jsonText', () => {
  it('the iterative writer gives JSON.stringify’s text', () => {
    const cases: unknown[] = [
      { a: [1, 'x', null, { b: true, c: undefined, 2: 'n' }], d: 1e21, e: -0, f: 'é\u2028"\\\n' },
      [],
      {},
      [undefined, () => 1, Symbol('s')],
      { z: 5n, w: [7n] },
      'text',
      null,
      1.5,
      { toJSON: () => ({ q: 1 }) },
      { at: new Date(0) },
    ];
    for (const c of cases) expect(deepJsonText(c)).toBe(JSON.stringify(c, bigintAsText));
  });

  it('writes values nested deeper than JSON.stringify can recurse', () => {
    const depth = 50_000;
    const text = `{"k":${'['.repeat(depth)}{"a":"x"}${']'.repeat(depth)}}`;
    const value: unknown = JSON.parse(text);
    expect(() => JSON.stringify(value)).toThrow(RangeError);
    expect(jsonText(value)).toBe(text);
  });
});
