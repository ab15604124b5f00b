import { describe, expect, it } from 'vitest';
import { convertTime, headerNames, parseJsonExact } from '../../pipelines/index.js';

describe('parseJsonExact', () => {
  it('keeps integers beyond 2^53 as exact text and leaves everything else to JSON.parse', () => {
    const text =
      '{"sip_timestamp":1651181822461979401,"price":156.43,"size":10,"id":"9007199254740993","neg":-9007199254740993,"safe":9007199254740991,"e":1e400,"list":[12345678901234567890, 1.5e3]}';
    expect(parseJsonExact(text)).toEqual({
      sip_timestamp: '1651181822461979401',
      price: 156.43,
      size: 10,
      id: '9007199254740993',
      neg: '-9007199254740993',
      safe: 9007199254740991,
      e: Number.POSITIVE_INFINITY,
      list: ['12345678901234567890', 1500],
    });
  });

  it('does not touch digits inside strings, escaped quotes included', () => {
    expect(parseJsonExact('{"a":"x\\" 12345678901234567890","b":[]}')).toEqual({
      a: 'x" 12345678901234567890',
      b: [],
    });
  });

  it('an exact nanosecond epoch converts to the exact instant', () => {
    const v = parseJsonExact('{"t":1651181822461979401}') as { t: string };
    expect(convertTime(v.t, 'ns', 'UTC')).toBe('2022-04-28T21:37:02.461979401Z');
  });
});

describe('headerNames', () => {
  it('reads quoted header names', () => {
    expect(headerNames('"Stock Ticker","Tweet Text",Sentiment', ',')).toEqual([
      'Stock Ticker',
      'Tweet Text',
      'Sentiment',
    ]);
    expect(headerNames('a;b;c', ';')).toEqual(['a', 'b', 'c']);
  });
});
