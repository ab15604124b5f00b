import { describe, expect, it } from 'vitest';
import { classificationMetrics, terms, tokenize } from '../../models/index.js';

describe('finance sentiment tokenizer', () => {
  it('replaces cashtags, money, percentages, links and users by placeholders', () => {
    expect(tokenize('$TSLA up +5% to $712.50, see https://x.co/a @bob $BRK.B -3% 4%')).toEqual([
      '<cashtag>',
      'up',
      '<pct_up>',
      'to',
      '<money>',
      'see',
      '<url>',
      '<user>',
      '<cashtag>',
      '<pct_down>',
      '<pct>',
    ]);
  });

  it('keeps each emoji and emoticon as a token, decodes HTML entities and squeezes elongations', () => {
    expect(tokenize('Sooooo good 🚀🚀 :) &amp; 📉 :(')).toEqual([
      'soo',
      'good',
      '🚀',
      '🚀',
      '<smile>',
      '📉',
      '<frown>',
    ]);
  });

  it('marks up to three words after a negation, stopping at punctuation and "but"', () => {
    expect(tokenize("I don't think it is good. Buy")).toEqual([
      'i',
      "don't",
      'not_think',
      'not_it',
      'not_is',
      'good',
      'buy',
    ]);
    expect(tokenize('not bad, great')).toEqual(['not', 'not_bad', 'great']);
    expect(tokenize('never bullish but up')).toEqual(['never', 'not_bullish', 'but', 'up']);
    expect(tokenize('no gains!! sell')).toEqual(['no', 'not_gains', '!', '!', 'sell']);
  });

  it('terms are the unigrams followed by the bigrams', () => {
    expect(terms(['a', 'b', 'c'])).toEqual(['a', 'b', 'c', 'a b', 'b c']);
  });

  it('metrics: accuracy, macro-F1 over the gold classes and the confusion matrix', () => {
    const m = classificationMetrics(
      ['positive', 'positive', 'negative', 'negative'],
      ['positive', 'neutral', 'negative', 'positive'],
    );
    expect(m.accuracy).toBe(0.5);
    // positive: tp 1, fp 1, fn 1 → F1 0.5; negative: tp 1, fp 0, fn 1 → F1 2/3.
    expect(m.macroF1).toBeCloseTo((0.5 + 2 / 3) / 2, 12);
    expect(m.confusion.positive.neutral).toBe(1);
    expect(m.confusion.negative.positive).toBe(1);
  });
});
