/**
 * JSON.stringify, except that a value nested too deep for its recursion (a few thousand
 * levels: JSON.parse itself takes any depth, and so does DuckDB) is written by an iterative
 * writer instead of throwing, with the same text. BigInts become decimal strings.
 */
export function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value, bigintAsText) ?? 'null';
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return deepJsonText(value);
  }
}

const bigintAsText = (_key: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);

type Frame = { open: boolean; items: Array<[string | null, unknown]>; i: number; array: boolean };

/** The iterative writer (exported for tests): an explicit stack of open arrays and objects. */
export function deepJsonText(root: unknown): string {
  const out: string[] = [];
  const stack: Frame[] = [];
  const write = (key: string | null, raw: unknown, inArray: boolean): void => {
    let v = raw;
    if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function')
      v = (v as { toJSON: (k: string) => unknown }).toJSON(key ?? '');
    if (typeof v === 'bigint') v = v.toString();
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') {
      if (inArray) out.push('null');
      return;
    }
    if (v === null || typeof v !== 'object') {
      out.push(JSON.stringify(v) ?? 'null');
      return;
    }
    const array = Array.isArray(v);
    const items: Array<[string | null, unknown]> = array
      ? (v as unknown[]).map((x) => [null, x])
      : Object.keys(v).map((k) => [k, (v as Record<string, unknown>)[k]]);
    out.push(array ? '[' : '{');
    stack.push({ open: true, items, i: 0, array });
  };
  write(null, root, false);
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as Frame;
    if (top.i >= top.items.length) {
      out.push(top.array ? ']' : '}');
      stack.pop();
      continue;
    }
    const [key, v] = top.items[top.i++] as [string | null, unknown];
    if (!top.array) {
      // JSON.stringify leaves out object members whose value it cannot write.
      const skipped = v === undefined || typeof v === 'function' || typeof v === 'symbol';
      if (skipped) continue;
    }
    if (out[out.length - 1] !== '[' && out[out.length - 1] !== '{') out.push(',');
    if (!top.array) out.push(`${JSON.stringify(key)}:`);
    write(top.array ? String(top.i - 1) : key, v, top.array);
  }
  return out.join('');
}
