/**
 * Is `s` free of UTF-16 surrogates without their pair? JSON.parse takes `"\ud800"`; DuckDB (and
 * Parquet) cannot hold it. String.prototype.isWellFormed (ES2024, native in Node 20) is not in
 * this project's ES2022 typings.
 */
const wellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/** The reason a value with a lone surrogate is refused. */
export const LONE_SURROGATE_MESSAGE = 'text holds a lone UTF-16 surrogate (not valid Unicode)';

/** True when every string in `value` (object keys included, at any depth) is well-formed Unicode. */
export function isWellFormedValue(value: unknown): boolean {
  // Most values are one string, or no text at all: no walk for those.
  if (typeof value === 'string') return wellFormed(value);
  if (typeof value !== 'object' || value === null) return true;
  // An explicit stack: JSON.parse takes nesting deeper than recursion could walk.
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (!wellFormed(v)) return false;
    } else if (Array.isArray(v)) stack.push(...v);
    else if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        if (!wellFormed(k)) return false;
        stack.push(x);
      }
    }
  }
  return true;
}

/**
 * A parsed JSON line's value, or an error when it holds a lone surrogate. Only an escape
 * (`\udXXX`) can produce one from UTF-8 text, so lines without `\u` skip the walk.
 */
export function checkParsedLine(text: string, value: unknown): { value: unknown } | { error: string } {
  if (text.includes('\\u') && !isWellFormedValue(value))
    return { error: `malformed JSON: ${LONE_SURROGATE_MESSAGE}` };
  return { value };
}
