import { quotedString as literal } from '@duckdb/node-api';
import { sourceRule, symbolRule } from './fields.js';
import { ISO_INSTANT_SOURCE, JSON_NUMBER_SOURCE } from './rules.js';

const UPPER_DIGITS = 'A-Z0-9';
/** A literal '-' must lead a GLOB class (trailing, DuckDB reads it as a range). */
const LOWER_NAME = '-a-z0-9_';
const DIGITS = '0-9';

/** Only characters of the GLOB class `chars` (a negated class finds any other; GLOB is cheap, ltrim with a set is not). */
const onlyOf = (s: string, chars: string) => `NOT (${s} GLOB ${literal(`*[!${chars}]*`)})`;

const patternOf = (rule: typeof symbolRule) => (rule.kind === 'text' ? (rule.pattern?.source ?? '') : '');

/**
 * Cheap sufficient conditions for the hot patterns, each exact: when it holds, the pattern
 * matches. RE2 costs about a quarter of a second per million values and pattern in DuckDB,
 * the biggest share of the rules' cost; substring and charset tests cost a fraction of that.
 * Values the fast test does not vouch for (offsets, signs, exponents, dotted symbols) still go
 * through the full pattern, so the outcome is exactly the pattern's.
 */
function fastMatch(source: string, s: string): string | undefined {
  if (source === patternOf(symbolRule))
    return `(length(${s}) BETWEEN 1 AND 12 AND ${onlyOf(s, UPPER_DIGITS)})`;
  if (source === patternOf(sourceRule))
    return `(length(${s}) BETWEEN 1 AND 32 AND ascii(${s}) NOT IN (45, 95) AND ${onlyOf(s, LOWER_NAME)})`;
  if (source === ISO_INSTANT_SOURCE) {
    const two = (from: number) => `substr(${s}, ${from}, 2)`;
    const frac = `substr(${s}, 21, length(${s}) - 21)`;
    return [
      `(length(${s}) BETWEEN 20 AND 30 AND right(${s}, 1) = 'Z'`,
      `${s} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][T ][0-9][0-9]:[0-9][0-9]:[0-9][0-9]*'`,
      `${two(6)} BETWEEN '01' AND '12' AND ${two(9)} BETWEEN '01' AND '31' AND ${two(12)} <= '23' AND ${two(15)} <= '59' AND ${two(18)} <= '59'`,
      `(length(${s}) = 20 OR (substr(${s}, 20, 1) = '.' AND length(${s}) >= 22 AND ${onlyOf(frac, DIGITS)})))`,
    ].join(' AND ');
  }
  if (source === JSON_NUMBER_SOURCE) {
    // Unsigned integer without a leading zero, or such an integer (or 0) '.' digits.
    const int = `(length(${s}) >= 1 AND ${onlyOf(s, DIGITS)} AND (ascii(${s}) <> 48 OR length(${s}) = 1))`;
    // Digits and one inner dot: starts and ends with a digit, no other character, not two dots.
    const dec = `(${s} GLOB '[0-9]*.*[0-9]' AND ${onlyOf(s, '0-9.')} AND NOT (${s} GLOB '*.*.*') AND (ascii(${s}) <> 48 OR substr(${s}, 2, 1) = '.'))`;
    return `(${int} OR ${dec})`;
  }
  return undefined;
}

/**
 * SQL: does the text `s` fully match the anchored pattern `source`? The same answer as
 * `regexp_full_match`, with the regex evaluated only for values a cheap exact test does not
 * already vouch for (CASE evaluates its branches only for the rows that reach them).
 */
export function patternMatchSql(s: string, source: string): string {
  const regex = `regexp_full_match(${s}, ${literal(source)})`;
  const fast = fastMatch(source, s);
  return fast ? `(CASE WHEN ${fast} THEN true ELSE ${regex} END)` : regex;
}
