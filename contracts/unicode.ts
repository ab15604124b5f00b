/** A UTF-16 surrogate without its pair: JSON.parse takes `"\ud800"`, DuckDB (and Parquet) cannot hold it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The reason a value with a lone surrogate is refused. */
export const LONE_SURROGATE_MESSAGE = 'text holds a lone UTF-16 surrogate (not valid Unicode)';

/** True when every string in `value` (object keys included, at any depth) is well-formed Unicode. */
export function isWellFormedValue(value: unknown): boolean {
  // An explicit stack: JSON.parse takes nesting deeper than recursion could walk.
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (LONE_SURROGATE.test(v)) return false;
    } else if (Array.isArray(v)) stack.push(...v);
    else if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        if (LONE_SURROGATE.test(k)) return false;
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
