/**
 * Hostile input beyond the ingestion corpus (issue #12, part B): a gzip bomb, a 1 GB line (64 MiB
 * in the small form), JSON nested 100k levels deep, symbols and file names made to escape the lake
 * or break SQL, HTML and script in post bodies, spreadsheet formula injection in CSV output.
 *
 * Every ingest reconciles (records read = accepted + quarantined + skipped) and the valid records
 * the hostile files carry are copies of the clean inputs, so the gold tables must come out equal
 * to the clean run (a checksum per table): after each case in the full form, once after all the
 * ingest cases in the small form (a model run costs seconds).
 */

import { once } from 'node:events';
import {
  cpSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFigures } from './figures.js';
import {
  type CliResult,
  cli,
  expectOk,
  goldChecksums,
  type InputFile,
  lakeFingerprint,
  ROOT,
  reconcile,
  SMALL,
  scanTreeForSecrets,
  simulateInputs,
  spawnCli,
  tail,
  takeLinesScanned,
  tempRoot,
} from './harness.js';

const root = tempRoot('hostile');
let inputs: InputFile[] = [];
let refLake = '';
let refGold: Record<string, string> = {};
/**
 * A copy of the clean lake the hostile files go into, at a path made to break shells and SQL
 * (quotes, a semicolon, `$(...)`), inside a sentinel folder nothing else may be written to.
 */
let lake = '';
let sentinel = '';
/** Clean trade lines (JSON Lines text): the valid records hostile files carry. */
let tradeLines: string[] = [];

interface FileResult {
  file: string;
  read: number;
  accepted: number;
  quarantined: number;
  skipped?: number;
  engine?: string;
  duplicateBatch?: boolean;
}

/** `ingest --json`: per-file results and failures (the output is an array, or {results, failed}). */
function parseIngest(r: CliResult): {
  results: FileResult[];
  failed: Array<{ file: string; error: string }>;
} {
  const parsed = JSON.parse(r.stdout) as
    | FileResult[]
    | { results: FileResult[]; failed: Array<{ file: string; error: string }> };
  return Array.isArray(parsed) ? { results: parsed, failed: [] } : parsed;
}

/** read = accepted + quarantined + skipped for every file; the records checked. */
function reconciled(results: FileResult[]): number {
  let n = 0;
  for (const f of results) {
    expect(f.accepted + f.quarantined + (f.skipped ?? 0), f.file).toBe(f.read);
    n += f.read;
  }
  return n;
}

async function ingest(
  target: string,
  dataset: string,
  files: string[],
  extra: string[] = [],
  env: Record<string, string> = {},
): Promise<CliResult> {
  return cli(['--lake', target, 'ingest', dataset, ...files, '--format', 'jsonl', '--json', ...extra], env);
}

/** Full form: a model run after each case, gold equal to the clean run. */
async function goldStillClean(target = lake): Promise<void> {
  if (SMALL) return;
  expectOk(await cli(['--lake', target, 'run'], {}));
  expect(await goldChecksums(target)).toEqual(refGold);
}

/** Peak RSS (VmHWM) of a process and its children, polled from /proc until it exits. */
function peakRss(pid: number): { stop: () => number } {
  let peak = 0;
  const read = () => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      peak = Math.max(peak, kb * 1024);
    } catch {
      // exited
    }
  };
  const timer = setInterval(read, 50);
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}

beforeAll(async () => {
  inputs = await simulateInputs(root.dir, {
    days: 1,
    tradesPerDay: SMALL ? 150 : 1_000,
    postsPerDay: SMALL ? 4 : 10,
    // Small form: no quotes (each ingest costs a process start; no case needs them).
    datasets: SMALL ? ['symbol_refs', 'trades', 'sentiment_posts'] : undefined,
  });
  refLake = join(root.dir, 'reference');
  for (const dataset of ['symbol_refs', 'trades', 'quotes', 'sentiment_posts'] as const) {
    if (!inputs.some((i) => i.dataset === dataset)) continue;
    const files = inputs.filter((i) => i.dataset === dataset).map((i) => i.path);
    expectOk(await ingest(refLake, dataset, files));
  }
  expectOk(await cli(['--lake', refLake, 'run'], {}));
  refGold = await goldChecksums(refLake);
  expect((await reconcile(refLake, inputs)).problems).toEqual([]);
  sentinel = join(root.dir, 'sentinel');
  mkdirSync(sentinel);
  writeFileSync(join(sentinel, 'canary.txt'), 'canary');
  lake = join(sentinel, `lake'; drop table x; -- $(touch pwned) "q"`);
  cpSync(refLake, lake, { recursive: true });
  // Only valid trades (the simulator corrupts a few on purpose): those are accepted for sure.
  const valid = /"symbol":"[A-Z]+","event_at":"2024-/;
  tradeLines = inputs
    .filter((i) => i.dataset === 'trades')
    .flatMap((i) => readFileSync(i.path, 'utf8').split('\n'))
    .filter((l) => valid.test(l) && /"price":\d/.test(l) && /"size":\d/.test(l));
  expect(tradeLines.length).toBeGreaterThan(50);
}, 600_000);

afterAll(() => root.cleanup());

describe('a gzip bomb', () => {
  // Full form: >10 GiB from ~10 MiB, stopped by the default limit (4 GiB here: 100x the file is
  // less). Small form: 1 GiB from ~1 MiB, with MARKETLAKE_MAX_INFLATE_BYTES at 64 MiB.
  const members = SMALL ? 17 : 164;
  const limitEnv: Record<string, string> = SMALL ? { MARKETLAKE_MAX_INFLATE_BYTES: String(64 << 20) } : {};

  /** Valid-looking JSON Lines (a clean trade padded with blanks between tokens) in gzip members of 64 MiB. */
  function writeBomb(path: string, line: string, alpaca = false): { compressed: number; inflated: number } {
    const padded = alpaca
      ? `{"T":"t","S":"AAPL",${' '.repeat(256 << 10)}"i":1,"x":"V","p":1.5,"s":1,"t":"2024-03-04T15:00:00Z","c":["@"],"z":"C"}\n`
      : `${line.slice(0, 1)}${' '.repeat(256 << 10)}${line.slice(1)}\n`;
    const block = Buffer.from(padded.repeat(Math.floor((64 << 20) / padded.length)));
    const member = gzipSync(block, { level: 9 });
    const out = Buffer.concat(Array.from({ length: members }, () => member));
    writeFileSync(path, out);
    return { compressed: out.length, inflated: block.length * members };
  }

  it('stops at the inflate limit with a clear error; nothing committed; the lake unchanged', async () => {
    const before = await lakeFingerprint(lake);
    const cases: Array<{ file: string; args: string[] }> = [];
    const jsonl = join(root.dir, 'bomb.jsonl.gz');
    const sizes = writeBomb(jsonl, tradeLines[0]!);
    expect(sizes.inflated).toBeGreaterThan(SMALL ? 1 << 30 : 10 * 1024 ** 3);
    expect(sizes.compressed).toBeLessThan(SMALL ? 2 << 20 : 16 << 20);
    cases.push({ file: jsonl, args: [] });
    // The same through the per-record engine (full form), and through a vendor adapter (its scan comes first).
    if (!SMALL) cases.push({ file: jsonl, args: ['--engine', 'js'] });
    const alpaca = join(root.dir, 'bomb-alpaca.jsonl.gz');
    writeBomb(alpaca, '', true);
    for (const c of cases) {
      const started = performance.now();
      const r = await ingest(lake, 'trades', [c.file], c.args, limitEnv);
      const seconds = (performance.now() - started) / 1000;
      expect(r.code, tail(r)).toBe(1);
      const { results, failed } = parseIngest(r);
      expect(results).toEqual([]);
      expect(failed[0]?.error).toMatch(
        /gzip data inflates to more than .* nothing from this file was written/,
      );
      expect(failed[0]?.error.split('\n')).toHaveLength(1);
      // Bounded by the limit: seconds, not the minutes 10 GiB would take.
      expect(seconds).toBeLessThan(SMALL ? 60 : 240);
      process.stdout.write(
        `  gzip bomb (${(sizes.compressed / 2 ** 20).toFixed(1)} MiB -> ${(sizes.inflated / 2 ** 30).toFixed(1)} GiB) ${c.args.join(' ') || 'auto engine'}: refused in ${seconds.toFixed(1)} s\n`,
      );
    }
    const r = await cli(
      ['--lake', lake, 'ingest', 'trades', alpaca, '--format', 'alpaca', '--json'],
      limitEnv,
    );
    expect(r.code, tail(r)).toBe(1);
    expect(parseIngest(r).failed[0]?.error).toMatch(/gzip data inflates to more than/);
    expect(await lakeFingerprint(lake)).toEqual(before);
    expect(readdirSync(join(lake, '_staging')).length).toBe(0);
    await goldStillClean();
    recordFigures('gzip bomb (SQL engine, per-record engine, vendor adapter)', {
      hostileInputs: cases.length + 1,
      recordsLost: 0,
      recordsDoubled: 0,
      linesScanned: takeLinesScanned(),
    });
  });
});

describe('a line of 1 GB (small form: 65 MiB)', () => {
  it('is quarantined with a short raw text, the other lines accepted, in bounded memory', async () => {
    const size = SMALL ? 65 << 20 : 1 << 30;
    const file = join(root.dir, 'long-line.jsonl');
    const clean = tradeLines.slice(10, 19);
    // Written streaming: 5 clean lines, a valid trade with a huge extra string, 4 clean lines.
    const out = createWriteStream(file);
    const write = async (s: string | Buffer) => {
      if (!out.write(s)) await once(out, 'drain');
    };
    await write(`${clean.slice(0, 5).join('\n')}\n`);
    await write(`${clean[5]!.slice(0, -1)},"note":"`);
    const chunk = Buffer.alloc(1 << 20, 'x');
    for (let i = 0; i < size >> 20; i++) await write(chunk);
    await write(`"}\n${clean.slice(6).join('\n')}\n`);
    out.end();
    await once(out, 'finish');
    expect(statSync(file).size).toBeGreaterThan(size);
    const proc = spawnCli(['--lake', lake, 'ingest', 'trades', file, '--format', 'jsonl', '--json'], {});
    const rss = peakRss(proc.pid);
    const r = await proc.result;
    const peak = rss.stop();
    expectOk(r);
    const [f] = parseIngest(r).results;
    expect(f).toMatchObject({ read: 9, accepted: 8, quarantined: 1 });
    const checked = reconciled(parseIngest(r).results);
    // The quarantine keeps the reason and the line's first characters, never the whole line.
    const q = expectOk(
      await cli(
        [
          '--lake',
          lake,
          'query',
          `select source_line, reason, length(raw) as n from quarantine.trades where source_file = '${file.replace(/'/g, "''")}'`,
          '--format',
          'json',
        ],
        {},
      ),
    );
    const rows = JSON.parse(q.stdout) as Array<{
      source_line: number | string;
      reason: string;
      n: number | string;
    }>;
    expect(rows).toHaveLength(1);
    expect(Number(rows[0]!.source_line)).toBe(6);
    expect(rows[0]!.reason).toMatch(/line longer than/);
    expect(Number(rows[0]!.n)).toBeLessThanOrEqual(1024);
    // Memory stays far below the line: DuckDB's 64 MiB buffers are not even tried for it.
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThan(SMALL ? 768 << 20 : 1 << 30);
    process.stdout.write(
      `  ${size >> 20} MiB line: ingested in ${(r.ms / 1000).toFixed(1)} s, peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB\n`,
    );
    await goldStillClean();
    recordFigures('a 1 GB line (64 MiB in the small form)', {
      hostileInputs: 1,
      recordsChecked: checked,
      recordsLost: 0,
      recordsDoubled: 0,
      linesScanned: takeLinesScanned(),
    });
  });
});

describe('JSON nested 100,000 levels deep', () => {
  it('is quarantined (or kept in extra) by both engines, with no crash', async () => {
    const depth = 100_000;
    const deepArray = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const deepObject = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const clean = tradeLines.slice(20, 24);
    const lines = [
      clean[0]!,
      `${clean[1]!.slice(0, -1)},"deep":${deepArray}}`,
      clean[2]!,
      `${clean[3]!.slice(0, -1)},"deep":${deepObject}}`,
      deepArray,
      deepObject,
      tradeLines[24]!,
    ];
    const file = join(root.dir, 'deep.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    let checked = 0;
    for (const args of [[], ['--engine', 'js', '--force']]) {
      const r = expectOk(await ingest(lake, 'trades', [file], args));
      const { results } = parseIngest(r);
      // The 3 clean lines are accepted; each deep line is refused with a reason (its extra is over
      // the contract's 64 Ki characters, or it is not an object).
      expect(results[0]).toMatchObject({ read: 7, accepted: 3, quarantined: 4 });
      checked += reconciled(results);
    }
    const q = expectOk(
      await cli(
        [
          '--lake',
          lake,
          'query',
          `select source_line, reason from quarantine.trades where source_file = '${file}' order by 1`,
          '--format',
          'json',
        ],
        {},
      ),
    );
    const refused = JSON.parse(q.stdout) as Array<{ source_line: number | string; reason: string }>;
    for (const row of refused) {
      expect([2, 4, 5, 6]).toContain(Number(row.source_line));
      expect(row.reason.length).toBeGreaterThan(0);
    }
    // A vendor adapter reads the same file without overflowing the stack.
    const gz = join(root.dir, 'deep-alpaca.jsonl.gz');
    writeFileSync(gz, gzipSync(readFileSync(file)));
    const v = expectOk(
      await cli(['--lake', lake, 'ingest', 'trades', gz, '--format', 'alpaca', '--json'], {}),
    );
    checked += reconciled(parseIngest(v).results);
    await goldStillClean();
    recordFigures('JSON nested 100k levels (SQL engine, per-record engine, vendor adapter)', {
      hostileInputs: 3,
      recordsChecked: checked,
      recordsLost: 0,
      recordsDoubled: 0,
      linesScanned: takeLinesScanned(),
    });
  });
});

/** Every file under `dir` (relative paths), for a before/after comparison. */
function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      out.push(relative(dir, p));
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

describe('symbols, file names and lake paths made to escape the lake or break SQL', () => {
  it('refuses or stores them as data; nothing is written outside the lake; the tables survive', async () => {
    // The lake itself lives at a path with quotes, a semicolon and `$(...)` (see beforeAll).
    const hostileLake = lake;
    const inputsDir = join(sentinel, 'inputs');
    mkdirSync(inputsDir);
    const symbols = [
      '../../etc',
      '..\\..\\windows',
      '/etc/passwd',
      "'; drop table bronze.trades; --",
      'AAPL"; DROP TABLE x; --',
      '$(touch pwned)',
      'dt=2024-01-01/../../x',
      'A\nB',
    ];
    const template = JSON.parse(tradeLines[30]!) as Record<string, unknown>;
    const hostile = symbols.map((symbol, i) =>
      JSON.stringify({ ...template, symbol, trade_id: `hostile-${i}` }),
    );
    const names = [
      `trades'; drop table bronze.trades; --.jsonl`,
      '$(touch pwned)`id`.jsonl',
      'new\nline.jsonl',
      'q"uote\\back.jsonl',
    ];
    const files = names.map((name, i) => {
      const path = join(inputsDir, name);
      writeFileSync(path, `${[tradeLines[31 + i]!, ...hostile].join('\n')}\n`);
      return path;
    });
    const before = listing(sentinel).filter((p) => !p.startsWith(relative(sentinel, hostileLake)));
    const fingerprint = await lakeFingerprint(hostileLake, ['bronze']);
    const r = expectOk(await ingest(hostileLake, 'trades', files));
    const { results } = parseIngest(r);
    expect(results).toHaveLength(files.length);
    for (const f of results) {
      // Each file: its clean trade accepted, every hostile symbol refused by the contract.
      expect(f).toMatchObject({ read: 1 + symbols.length, accepted: 1, quarantined: symbols.length });
    }
    const checked = reconciled(results);
    // Dataset names and lake paths that try to leave: refused before anything is read or written.
    const bad = await cli(['--lake', hostileLake, 'ingest', '../../etc', files[0]!, '--format', 'jsonl'], {});
    expect(bad.code).toBe(2);
    const badTable = await cli(['--lake', hostileLake, 'snapshots', 'bronze.../../etc'], {});
    expect(badTable.code).not.toBe(0);
    // Quarantine keeps the hostile symbols as data, source file names exactly as given.
    const q = expectOk(
      await cli(
        [
          '--lake',
          hostileLake,
          'query',
          "select source_file, count(*) as n from quarantine.trades where raw like '%hostile-%' group by 1 order by 1",
          '--format',
          'json',
        ],
        {},
      ),
    );
    const bySource = JSON.parse(q.stdout) as Array<{ source_file: string; n: number | string }>;
    expect(bySource.map((b) => b.source_file).sort()).toEqual([...files].sort());
    for (const b of bySource) expect(Number(b.n)).toBe(symbols.length);
    // Nothing outside the lake folder changed, nothing was run by a shell.
    const after = listing(sentinel).filter((p) => !p.startsWith(relative(sentinel, hostileLake)));
    expect(after).toEqual(before);
    expect(existsSync(join(ROOT, 'pwned'))).toBe(false);
    expect(existsSync(join(sentinel, 'pwned'))).toBe(false);
    expect(readFileSync(join(sentinel, 'canary.txt'), 'utf8')).toBe('canary');
    // The tables survive: bronze grew by exactly the accepted records, and every table reads.
    const now = await lakeFingerprint(hostileLake, ['bronze']);
    expect(now['bronze.trades']!.rows).toBe(fingerprint['bronze.trades']!.rows + files.length);
    expectOk(await cli(['--lake', hostileLake, 'tables'], {}));
    // The valid trades are copies of clean ones: gold stays the clean run's.
    await goldStillClean();
    recordFigures('symbols, file names and lake paths that try to escape the lake or break SQL', {
      hostileInputs: symbols.length + names.length + 3,
      recordsChecked: checked,
      recordsLost: 0,
      recordsDoubled: 0,
      linesScanned: takeLinesScanned(),
    });
  });
});

describe('HTML and script in posts; formula injection in CSV output', () => {
  let postLake = '';
  const idScript = '<script>alert("id")</script>';
  const postsFile = (day: number) => join(root.dir, `posts-hostile-${day}.jsonl`);

  beforeAll(async () => {
    postLake = join(root.dir, 'posts-lake');
    cpSync(refLake, postLake, { recursive: true });
    const base = {
      source: 'simulator',
      author: '<b onmouseover=alert(4)>mallory</b>',
      url: 'javascript:alert(5)',
      score: 1,
      comment_count: 0,
      community: '<iframe src=//evil>',
      cashtags: [],
    };
    const posts = [
      // The same id on two days lands in two partitions: silver's unique-key check fails, and
      // its sample row (this id) goes into every report.
      {
        ...base,
        post_id: idScript,
        created_at: '2024-03-04T10:00:00Z',
        title: '<img src=x onerror=alert(2)>',
        body: '<script>alert(1)</script>',
      },
      {
        ...base,
        post_id: idScript,
        created_at: '2024-03-05T10:00:00Z',
        title: '</code>```<script>alert(3)</script>',
        body: '"><svg onload=alert(6)>',
      },
      {
        ...base,
        post_id: 'formula-1',
        created_at: '2024-03-04T11:00:00Z',
        title: '=HYPERLINK("http://evil.example","click")',
        body: "@SUM(1+1)*cmd|' /C calc'!A0",
      },
    ];
    // Day 2's post comes in a later batch and run: an incremental run rebuilds only its partition.
    writeFileSync(postsFile(1), `${[posts[0], posts[2]].map((p) => JSON.stringify(p)).join('\n')}\n`);
    writeFileSync(postsFile(2), `${JSON.stringify(posts[1])}\n`);
  });

  it('every report shows post text escaped, never as markup', async () => {
    let checked = 0;
    for (const day of [1, 2]) {
      const r = expectOk(await ingest(postLake, 'sentiment_posts', [postsFile(day)]));
      const { results } = parseIngest(r);
      expect(results[0]).toMatchObject({ accepted: results[0]!.read, quarantined: 0 });
      checked += reconciled(results);
      // The second run ends with the failed unique-key check (exit 1); every model succeeds.
      // Small form: only the models up to silver.sentiment_posts (a full run costs seconds more).
      const run = await cli(
        ['--lake', postLake, 'run', ...(SMALL ? ['--select', '+silver.sentiment_posts'] : [])],
        {},
      );
      if (day === 1) expect(run.code, tail(run)).toBe(0);
      else expect([0, 1], tail(run)).toContain(run.code);
      expect(run.stdout).not.toMatch(/model:\S+\s*│\s*failed/);
    }
    // The posts name no symbol: gold is the clean run's (silver holds them, as it should).
    const goldOnly = Object.fromEntries(Object.entries(refGold).filter(([t]) => t.startsWith('gold.')));
    expect(await goldChecksums(postLake, ['gold'])).toEqual(goldOnly);
    // Exit 1 is expected: the duplicate id fails an error-severity check.
    const html = await cli(['--lake', postLake, 'dq', '--format', 'html'], {});
    expect([0, 1]).toContain(html.code);
    const reports = join(postLake, '_reports');
    const saved = readdirSync(reports).map((f) => ({
      name: f,
      text: readFileSync(join(reports, f), 'utf8'),
    }));
    const pages = [
      { name: 'dq --format html', text: html.stdout },
      ...saved.filter((s) => s.name.endsWith('.html')),
    ];
    const tag = /<\s*(script|img|svg|iframe|b)\b/i;
    for (const page of pages) {
      expect(page.text, page.name).toMatch(/^<!doctype html>/);
      // The data is there, escaped (in what the last dq wrote; older reports predate the posts) ...
      if (page.name === 'dq --format html' || page.name === 'latest.html')
        expect(page.text, page.name).toContain('&lt;script&gt;alert(&quot;id&quot;)&lt;/script&gt;');
      // ... and no tag or attribute from it is live.
      expect(page.text, page.name).not.toMatch(tag);
      expect(page.text, page.name).not.toMatch(/javascript:/i);
    }
    // Markdown keeps data inside JSON with <, >, & and backticks escaped: no tag, no fence to break.
    const latestMd = saved.find((s) => s.name === 'latest.md')?.text ?? '';
    expect(latestMd).toContain('\\u003cscript\\u003e');
    for (const text of [...saved.filter((s) => s.name.endsWith('.md')).map((s) => s.text)]) {
      expect(text).not.toMatch(tag);
      expect(text.match(/```/g)?.length ?? 0).toBe(2 * (text.match(/^## /gm)?.length ?? 0));
    }
    for (const text of [...saved.filter((s) => s.name.endsWith('.json')).map((s) => s.text)]) {
      expect(text).not.toMatch(tag);
      JSON.parse(text);
    }
    const parsed = JSON.parse(saved.find((s) => s.name === 'latest.json')?.text ?? '{}') as {
      results: Array<{ sample: Array<Record<string, unknown>> }>;
    };
    expect(parsed.results.some((c) => c.sample.some((row) => row.post_id === idScript))).toBe(true);
    recordFigures('HTML and script in post bodies (HTML, Markdown and JSON reports)', {
      hostileInputs: 6,
      recordsChecked: checked,
      recordsLost: 0,
      recordsDoubled: 0,
      linesScanned: takeLinesScanned(),
    });
  });

  it('CSV output writes formula-like text cells as text; numbers stay numbers', async () => {
    const sql = [
      "select '=cmd|'' /C calc''!A0' as a",
      "'+SUM(A1)' as b",
      "'-2+3' as c",
      "'@SUM(1)' as d",
      "chr(9) || '=1' as e",
      "chr(13) || '=1' as f",
      "'-1.5' as g",
      '-1.5::DOUBLE as h',
      '-7::BIGINT as i',
      '-1.25::DECIMAL(6,2) as j',
      "'plain' as k",
      'NULL as l',
      '\'=1\' as "=evil"',
    ].join(', ');
    const r = expectOk(await cli(['--lake', postLake, 'query', sql, '--format', 'csv'], {}));
    expect(r.stdout).toBe(
      `a,b,c,d,e,f,g,h,i,j,k,l,"'=evil"\n"'=cmd|' /C calc'!A0","'+SUM(A1)","'-2+3","'@SUM(1)","'\t=1","'\r=1",-1.5,-1.5,-7,-1.25,plain,,"'=1"\n`,
    );
    // The same for text that came in as data.
    const t = expectOk(
      await cli(
        [
          '--lake',
          postLake,
          'query',
          "select title, body, score from bronze.sentiment_posts where post_id = 'formula-1'",
          '--format',
          'csv',
        ],
        {},
      ),
    );
    expect(t.stdout).toBe(
      `title,body,score\n"'=HYPERLINK(""http://evil.example"",""click"")","'@SUM(1+1)*cmd|' /C calc'!A0",1\n`,
    );
    recordFigures('spreadsheet formula injection in CSV output', {
      hostileInputs: 8,
      linesScanned: takeLinesScanned(),
    });
  });
});

describe('after every hostile input', () => {
  it('gold equals the clean run, and bronze holds no hostile record', async () => {
    expectOk(await cli(['--lake', lake, 'run'], {}));
    expect(await goldChecksums(lake)).toEqual(refGold);
    const q = expectOk(
      await cli(
        [
          '--lake',
          lake,
          'query',
          "select count(*) as n from bronze.trades where symbol not similar to '[A-Z]+'",
          '--format',
          'csv',
        ],
        {},
      ),
    );
    expect(q.stdout.trim().split('\n')[1]).toBe('0');
    scanTreeForSecrets(lake);
    recordFigures('gold after all hostile inputs equals the clean run', { linesScanned: takeLinesScanned() });
  });
});
