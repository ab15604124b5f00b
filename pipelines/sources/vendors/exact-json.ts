/**
 * JSON.parse, except that integer literals beyond ±(2^53-1) come back as their decimal text
 * (Polygon's nanosecond epochs, 64-bit ids), so no digit is lost. Node 20 has no access to a
 * number's source text in JSON.parse, so the text is rewritten first: integers that are too
 * large are quoted, strings are skipped over.
 */
export function parseJsonExact(text: string): unknown {
  return JSON.parse(quoteLargeIntegers(text));
}

const SAFE_DIGITS = String(Number.MAX_SAFE_INTEGER).length;

function quoteLargeIntegers(text: string): string {
  let out = '';
  let last = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip a string literal.
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
      continue;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let j = i + (c === 0x2d ? 1 : 0);
      while (j < n && text.charCodeAt(j) >= 0x30 && text.charCodeAt(j) <= 0x39) j++;
      const next = text.charCodeAt(j);
      const isInteger = next !== 0x2e && next !== 0x65 && next !== 0x45;
      const digits = j - i - (c === 0x2d ? 1 : 0);
      if (isInteger && digits >= SAFE_DIGITS && !Number.isSafeInteger(Number(text.slice(i, j)))) {
        out += `${text.slice(last, i)}"${text.slice(i, j)}"`;
        last = j;
      }
      i = j - 1;
      while (i + 1 < n && /[0-9.eE+-]/.test(text[i + 1] as string)) i++;
    }
  }
  return last === 0 ? text : out + text.slice(last);
}
