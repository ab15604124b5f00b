/**
 * Tokens of a finance post or headline for the finance sentiment classifier.
 *
 * - HTML entities of tweets (`&amp;`) are decoded, text is lower-cased, letters repeated 3+ times
 *   are cut to 2 (`sooooo` → `soo`).
 * - `$TSLA` becomes `<cashtag>` (the model learns how people talk, not which ticker was bullish
 *   that year); `$12.50` becomes `<money>`, `+5%` `<pct_up>`, `-5%` `<pct_down>`, `5%` `<pct>`,
 *   other numbers `<num>`, links `<url>`, `@user` `<user>`; `#moon` is the word `moon`.
 * - Each emoji is a token of its own (🚀, 📉); `:)` is `<smile>`, `:(` `<frown>`; `!` and `?` are kept.
 * - Negation: after `not`, `no`, `never`, a `n't` word and the like, the next words (up to 3, and
 *   never past `. , ; : ! ?` or `but`) get a `not_` prefix, so `not good` and `good` are different
 *   features (Das & Chen 2001, Pang et al. 2002).
 */
export const TOKENIZER_VERSION = 'finance-tokens/1';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'" };

const NEGATORS = new Set([
  'not',
  'no',
  'never',
  'nothing',
  'nobody',
  'none',
  'neither',
  'nor',
  'cannot',
  'without',
  'hardly',
  'barely',
  'aint',
]);

const NEGATION_SPAN = 3;

// One pass over the text: each alternative is a token kind; anything else is skipped.
const TOKEN = new RegExp(
  [
    String.raw`(?<url>https?:\/\/\S+|www\.\S+)`,
    String.raw`(?<money>\$\d[\d,]*(?:\.\d+)?[kmb]?)`,
    String.raw`(?<cashtag>\$[a-z][a-z0-9]{0,5}(?:[.\-][a-z])?)`,
    String.raw`(?<user>@\w+)`,
    String.raw`(?<pct>[+\-]?\d+(?:[.,]\d+)?\s?%)`,
    String.raw`(?<num>[+\-]?\d+(?:[.,:]\d+)*[kmb]?)`,
    String.raw`(?<smile>[:;=]-?[)\]dp])`,
    String.raw`(?<frown>[:;=]-?[(\[\/])`,
    "(?<word>[a-z]+(?:'[a-z]+)*)",
    String.raw`(?<emoji>\p{Extended_Pictographic})`,
    '(?<mark>[!?])',
    '(?<stop>[.,;:])',
  ].join('|'),
  'gu',
);

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(amp|lt|gt|quot|apos|#39);/g, (_, e: string) => ENTITIES[e] ?? '');
}

function isNegator(word: string): boolean {
  return NEGATORS.has(word) || word.endsWith("n't");
}

/** Tokens of one text, in order (see the module comment for the rules). */
export function tokenize(text: string): string[] {
  const clean = decodeEntities(text)
    .toLowerCase()
    .replace(/[’‘]/g, "'")
    .replace(/([a-z])\1{2,}/g, '$1$1');
  const tokens: string[] = [];
  let negated = 0;
  for (const m of clean.matchAll(TOKEN)) {
    const g = m.groups!;
    if (g.word !== undefined) {
      const word = g.word;
      if (isNegator(word)) {
        tokens.push(word);
        negated = NEGATION_SPAN;
      } else if (word === 'but') {
        tokens.push(word);
        negated = 0;
      } else if (negated > 0) {
        tokens.push(`not_${word}`);
        negated -= 1;
      } else tokens.push(word);
      continue;
    }
    if (g.stop !== undefined) {
      negated = 0;
      continue;
    }
    if (g.mark !== undefined) {
      negated = 0;
      tokens.push(g.mark);
    } else if (g.cashtag !== undefined) tokens.push('<cashtag>');
    else if (g.url !== undefined) tokens.push('<url>');
    else if (g.user !== undefined) tokens.push('<user>');
    else if (g.money !== undefined) tokens.push('<money>');
    else if (g.pct !== undefined) {
      const sign = g.pct[0];
      tokens.push(sign === '+' ? '<pct_up>' : sign === '-' ? '<pct_down>' : '<pct>');
    } else if (g.num !== undefined) tokens.push('<num>');
    else if (g.smile !== undefined) tokens.push('<smile>');
    else if (g.frown !== undefined) tokens.push('<frown>');
    else if (g.emoji !== undefined) tokens.push(g.emoji);
  }
  return tokens;
}

/** Unigram and bigram terms of a token list (bigrams joined by a space). */
export function terms(tokens: readonly string[]): string[] {
  const out = tokens.slice();
  for (let i = 1; i < tokens.length; i += 1) out.push(`${tokens[i - 1]} ${tokens[i]}`);
  return out;
}
