import { readFile, writeFile } from 'node:fs/promises';

/**
 * The runs a bad-record corpus goes through: each engine forced, then auto on a copy with
 * Windows line ends (CRLF ends a line for both readers, so auto keeps the SQL engine).
 */
export const ENGINE_RUNS = [
  { name: 'sql', engine: 'sql', crlf: false },
  { name: 'js', engine: 'js', crlf: false },
  { name: 'auto, CRLF line ends', engine: 'auto', crlf: true },
] as const;

/** The engine a run must report. */
export const engineOf = (run: (typeof ENGINE_RUNS)[number]) => (run.engine === 'auto' ? 'sql' : run.engine);

/** `file` itself, or for a CRLF run a copy of it (next to it) with CRLF line ends. */
export async function inputFor(file: string, crlf: boolean): Promise<string> {
  if (!crlf) return file;
  const copy = file.replace(/(\.\w+)$/, '-crlf$1');
  await writeFile(copy, (await readFile(file, 'utf8')).replaceAll('\n', '\r\n'));
  return copy;
}
