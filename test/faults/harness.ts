/**
 * The fault suite's harness: the compiled CLI as a child process (with SIGKILL at a chosen moment),
 * a secret scanner every captured output goes through, a seeded RNG, simulated inputs, and the
 * checks every case ends with: per-table checksums against a clean run, and reconciliation of the
 * records read with what bronze and quarantine hold.
 *
 * Stable API (other fault files import it): cli, spawnCli, expectOk, tail, scanForSecrets,
 * scanTreeForSecrets, registerSecret, FAKE_SECRETS_ENV, FAKE_PG_PASSWORD, withFakePassword,
 * takeLinesScanned, rng, suiteSeed, SMALL, simulateInputs, tempRoot, goldChecksums, lakeFingerprint,
 * rowMultiset, reconcile, orphanFiles, LINEAGE_COLUMNS, compiledLayers.
 * Environment: FAULTS_SCALE=small (bounded form), FAULTS_SEED (kill-point seed), FAULTS_KEEP (keep
 * temp folders), FAULTS_BUILD (a snapshot build to test instead of this tree's dist/).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { LakeConfig, LakeSession, Layer } from '../../layers/index.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/**
 * The build under test: this repository, or FAULTS_BUILD, a folder holding a snapshot of it
 * (package.json, bin/, dist/, sql/, node_modules): a long run stays on one build while others
 * rebuild dist/ in the working tree.
 */
export const BUILD = process.env.FAULTS_BUILD ?? ROOT;
const BIN = join(BUILD, 'bin', 'marketlake.js');

type LayersModule = typeof import('../../layers/index.js');
let layersModule: Promise<LayersModule> | undefined;

/**
 * The lake code the checks open lakes with: the compiled dist/, the same build the spawned CLI
 * runs (the source may be ahead of it, e.g. with a catalog migration the CLI does not know yet).
 */
export function compiledLayers(): Promise<LayersModule> {
  const url = pathToFileURL(join(BUILD, 'dist', 'layers', 'index.js')).href;
  layersModule ??= import(url) as Promise<LayersModule>;
  return layersModule;
}

/** FAULTS_SCALE=small: the bounded form CI runs; anything else (unset): the full form. */
export const SMALL = process.env.FAULTS_SCALE === 'small';

// ---------------------------------------------------------------------------------------------
// Secrets

/** A password for PostgreSQL URLs: the servers here use trust auth, so it still connects. */
export const FAKE_PG_PASSWORD = 'S3cr3tPw-mlFault-7Qz9';

/**
 * Fake secrets set in the environment of every process the suite spawns. None may ever appear in
 * a log line, an error message or a file the product writes (the scanner fails the test if one does).
 */
export const FAKE_SECRETS_ENV: Readonly<Record<string, string>> = Object.freeze({
  AWS_ACCESS_KEY_ID: 'AKIAMLFAULTS0EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'mlFaults/S3secret+Kx9Q2wV7bN4eR1tY6uI0pA3sD5fG8hJ',
  APCA_API_KEY_ID: 'PKMLFAULTS7Y3KX2Q9ZB',
  APCA_API_SECRET_KEY: 'mlFaultsAlpacaSecret-4Rt9Wq2Zx7Cv1Bn8Mk3Lp6',
  POLYGON_API_KEY: 'mlFaultsPolygonKey_Ju8Hy7Gt6Fr5De4Sw3',
  BINANCE_API_KEY: 'mlFaultsBinanceKey0q9w8e7r6t5y4u3i2o1p',
  BINANCE_API_SECRET: 'mlFaultsBinanceSecret-Zm5Xn4Cb3Vq2Wa1',
  REDDIT_CLIENT_SECRET: 'mlFaultsRedditSecret-Lk8Jh7Gf6Ds5',
  STOCKTWITS_TOKEN: 'mlFaultsStocktwitsToken-Po9Iu8Yt7',
});

/** Environment variables whose value is a secret (besides passwords inside URL-valued variables). */
const SECRET_NAME = /SECRET|PASSWORD|PASSWD|TOKEN|API_KEY|ACCESS_KEY_ID|CREDENTIAL/i;
const URL_VALUE = /^[a-z][a-z0-9+.-]*:\/\/[^/\s]*@/i;
const extraSecrets = new Set<string>([FAKE_PG_PASSWORD]);

/** A PostgreSQL URL with the fake password set (user kept; trust auth ignores the password). */
export function withFakePassword(url: string): string {
  const u = new URL(url);
  if (!u.username) u.username = 'postgres';
  u.password = FAKE_PG_PASSWORD;
  return u.toString();
}

/** Scan for this value too (e.g. a secret a case sets outside FAKE_SECRETS_ENV). */
export function registerSecret(...values: string[]): void {
  for (const v of values) if (v.length >= 6) extraSecrets.add(v);
}

/** The secret values of an environment: secret-named variables, and passwords inside URLs. */
export function secretsOf(env: Record<string, string | undefined>): Map<string, string> {
  const found = new Map<string, string>(); // value -> name
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    if (SECRET_NAME.test(name) && value.length >= 6) found.set(value, name);
    if (URL_VALUE.test(value) && URL.canParse(value)) {
      const password = new URL(value).password;
      if (password.length >= 6) {
        found.set(password, `${name} password`);
        found.set(decodeURIComponent(password), `${name} password`);
      }
    }
  }
  for (const v of extraSecrets) if (!found.has(v)) found.set(v, 'registered secret');
  return found;
}

let scanned = 0;

/** Lines scanned since the last call (for recordFigures' linesScanned); resets the count. */
export function takeLinesScanned(): number {
  const n = scanned;
  scanned = 0;
  return n;
}

export class SecretLeakError extends Error {}

/**
 * Fail (throw) if `text` holds any secret of `env` (default: the fake secrets plus this process's
 * environment) or a registered one, raw or URL-encoded. The error names the variable and the line,
 * with the secret masked. Returns the number of lines scanned (also added to the running count).
 */
export function scanForSecrets(
  text: string,
  where: string,
  env: Record<string, string | undefined> = { ...process.env, ...FAKE_SECRETS_ENV },
): number {
  const lines = text ? text.split('\n').length : 0;
  scanned += lines;
  if (!text) return 0;
  for (const [secret, name] of secretsOf(env)) {
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      const at = text.indexOf(form);
      if (at < 0) continue;
      const lineStart = text.lastIndexOf('\n', at) + 1;
      const lineEnd = text.indexOf('\n', at);
      const line = text
        .slice(lineStart, lineEnd < 0 ? undefined : lineEnd)
        .split(form)
        .join('<SECRET>');
      throw new SecretLeakError(`secret ${name} appears in ${where}: ${line.slice(0, 500)}`);
    }
  }
  return lines;
}

/**
 * Scan the files a lake (or any folder) holds that a person could read: logs, reports, run
 * history, JSON, and the SQLite catalog (run history and error messages live there), skipping
 * Parquet data and the PGlite data folder.
 */
export function scanTreeForSecrets(dir: string, env?: Record<string, string | undefined>): number {
  let lines = 0;
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === 'pglite') continue;
        walk(path);
      } else if (entry.isFile() && !entry.name.endsWith('.parquet') && statSync(path).size < 64 << 20) {
        lines += scanForSecrets(readFileSync(path, 'latin1'), relative(dir, path), env);
      }
    }
  };
  if (existsSync(dir)) walk(dir);
  return lines;
}

// ---------------------------------------------------------------------------------------------
// The CLI as a child process

export interface CliOptions {
  /** Kill the process with SIGKILL this many ms after it was spawned. */
  killAfterMs?: number;
  /** SIGKILL after this long and report timedOut (default 240 s). */
  timeoutMs?: number;
  cwd?: string;
  input?: string;
  /** Skip the secret scan (never for product output; for cases that print secrets on purpose). */
  noScan?: boolean;
}

export interface CliResult {
  args: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** The harness killed it (killAfter / kill), as opposed to exiting by itself. */
  killed: boolean;
  timedOut: boolean;
}

export interface CliProcess {
  pid: number;
  child: ChildProcess;
  /** Settles when the process exits, after its output was scanned for secrets (rejects on a leak). */
  result: Promise<CliResult>;
  /** SIGKILL after `ms` from now (no-op if it already exited). */
  killAfter(ms: number): void;
  kill(signal?: NodeJS.Signals): void;
  /** Output so far (stdout + stderr). */
  output(): string;
}

/** The environment of every spawned CLI: this process's, the fake secrets, then `env` (wins). */
export function cliEnv(env: Record<string, string | undefined> = {}): Record<string, string> {
  const merged: Record<string, string | undefined> = {
    ...process.env,
    LOG_LEVEL: 'info',
    ...FAKE_SECRETS_ENV,
    ...env,
  };
  // Never inherit the suite's own marker variables into the product by accident.
  delete merged.VITEST_WORKER_ID;
  return Object.fromEntries(Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined));
}

/** Spawn `node bin/marketlake.js <args>` (compiled dist/). */
export function spawnCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  options: CliOptions = {},
): CliProcess {
  const fullEnv = cliEnv(env);
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: fullEnv,
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (options.input !== undefined) child.stdin?.end(options.input);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  let killed = false;
  let timedOut = false;
  const timers: NodeJS.Timeout[] = [];
  const alive = () => child.exitCode === null && child.signalCode === null;
  const kill = (signal: NodeJS.Signals = 'SIGKILL') => {
    if (!alive()) return;
    killed = true;
    child.kill(signal);
  };
  timers.push(
    setTimeout(() => {
      if (!alive()) return;
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 240_000),
  );
  if (options.killAfterMs !== undefined) timers.push(setTimeout(() => kill(), options.killAfterMs));
  const result = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      for (const t of timers) clearTimeout(t);
      const r: CliResult = {
        args,
        code,
        signal,
        stdout,
        stderr,
        ms: Math.round(performance.now() - started),
        killed: killed && signal === 'SIGKILL',
        timedOut,
      };
      if (!options.noScan) {
        try {
          const where = `the output of marketlake ${args.join(' ').slice(0, 200)}`;
          scanForSecrets(stdout, `${where} (stdout)`, fullEnv);
          scanForSecrets(stderr, `${where} (stderr)`, fullEnv);
        } catch (err) {
          reject(err);
          return;
        }
      }
      resolve(r);
    });
  });
  return {
    pid: child.pid ?? -1,
    child,
    result,
    killAfter: (ms: number) => {
      timers.push(setTimeout(() => kill(), ms));
    },
    kill,
    output: () => stdout + stderr,
  };
}

/** Run the CLI to completion (or to its kill); output scanned for secrets. */
export function cli(
  args: string[],
  env: Record<string, string | undefined> = {},
  options: CliOptions = {},
): Promise<CliResult> {
  return spawnCli(args, env, options).result;
}

/** The last lines of a process's output, for failure messages. */
export function tail(r: CliResult, lines = 15): string {
  return `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-lines).join('\n');
}

/** Throw unless the process exited 0 (the message carries the command and its output's tail). */
export function expectOk(r: CliResult): CliResult {
  if (r.code !== 0) {
    throw new Error(
      `marketlake ${r.args.join(' ')} exited ${r.code ?? r.signal}${r.timedOut ? ' (timed out)' : ''}:\n${tail(r)}`,
    );
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Seeded randomness

export interface Rng {
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max). */
  int(min: number, max: number): number;
  /** Uniform in [min, max). */
  between(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  shuffle<T>(items: readonly T[]): T[];
}

/** mulberry32: small, fast, good enough to choose kill points reproducibly. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min));
  return {
    seed,
    next,
    int,
    between: (min, max) => min + next() * (max - min),
    pick: (items) => items[int(0, items.length)]!,
    shuffle: (items) => {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(0, i + 1);
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    },
  };
}

/** The suite's seed: FAULTS_SEED, or a fixed default (printed by the cases that use it). */
export function suiteSeed(): number {
  const s = Number(process.env.FAULTS_SEED);
  return Number.isInteger(s) ? s : 20240304;
}

// ---------------------------------------------------------------------------------------------
// Folders and inputs

/** A fresh temp folder (removed by the returned cleanup, unless FAULTS_KEEP is set). */
export function tempRoot(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `marketlake-${prefix}-`));
  return {
    dir,
    cleanup: () => {
      if (!process.env.FAULTS_KEEP) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface InputFile {
  dataset: 'trades' | 'quotes' | 'sentiment_posts' | 'symbol_refs';
  path: string;
  /** Records in the file (non-blank lines of JSON Lines). */
  records: number;
}

export interface SimulateOptions {
  days: number;
  start?: string;
  seed?: number;
  tradesPerDay: number;
  quotesPerDay?: number;
  postsPerDay?: number;
  /** Datasets to keep (default all four). */
  datasets?: InputFile['dataset'][];
}

const DATE_OF = /"(?:event_at|created_at)":"(\d{4}-\d{2}-\d{2})/;

/**
 * Simulated JSON Lines inputs (the CLI's market simulator, one run), split into one file per UTC
 * date of trades, quotes and posts so there are several batches per dataset; symbol references
 * stay one file. Lines without a readable date (corrupted on purpose) go to the first file.
 */
export async function simulateInputs(dir: string, options: SimulateOptions): Promise<InputFile[]> {
  const raw = join(dir, 'simulated');
  expectOk(
    await cli(
      [
        'simulate',
        '--out',
        raw,
        '--days',
        String(options.days),
        '--start',
        options.start ?? '2024-03-04',
        '--seed',
        String(options.seed ?? 7),
        '--trades-per-day',
        String(options.tradesPerDay),
        '--quotes-per-day',
        String(options.quotesPerDay ?? Math.max(1, Math.round(options.tradesPerDay / 4))),
        '--posts-per-day',
        String(options.postsPerDay ?? 5),
        '--log-level',
        'warn',
      ],
      {},
    ),
  );
  const keep = options.datasets ?? ['symbol_refs', 'trades', 'quotes', 'sentiment_posts'];
  const inputs: InputFile[] = [];
  for (const dataset of keep) {
    const lines = readFileSync(join(raw, `${dataset}.jsonl`), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    const out = join(dir, 'inputs', dataset);
    mkdirSync(out, { recursive: true });
    if (dataset === 'symbol_refs') {
      const path = join(out, 'symbol_refs.jsonl');
      writeFileSync(path, `${lines.join('\n')}\n`);
      inputs.push({ dataset, path, records: lines.length });
      continue;
    }
    const byDate = new Map<string, string[]>();
    const undated: string[] = [];
    for (const line of lines) {
      const date = DATE_OF.exec(line)?.[1];
      if (date) byDate.set(date, [...(byDate.get(date) ?? []), line]);
      else undated.push(line);
    }
    const dates = [...byDate.keys()].sort();
    byDate.get(dates[0]!)?.push(...undated);
    for (const date of dates) {
      const rows = byDate.get(date)!;
      const path = join(out, `${dataset}-${date}.jsonl`);
      writeFileSync(path, `${rows.join('\n')}\n`);
      inputs.push({ dataset, path, records: rows.length });
    }
  }
  rmSync(raw, { recursive: true, force: true });
  return inputs;
}

// ---------------------------------------------------------------------------------------------
// Checksums and reconciliation

/** Columns that say when or in which batch/run a row was written: not part of a table's content. */
export const LINEAGE_COLUMNS: ReadonlySet<string> = new Set([
  'batch_id',
  'batch_row',
  'ingested_at',
  'run_id',
  'built_at',
  'loaded_at',
  'updated_at',
  'computed_at',
  '_loaded_at',
]);

export interface TableSum {
  rows: number;
  /** Order-independent sum of row hashes (duplicates count): `rows:sum`. */
  checksum: string;
}

/** A lake to check: its folder, or a full configuration (e.g. with a PostgreSQL CATALOG_URL, or on S3). */
export type LakeLocation = string | LakeConfig;

const lakeConfig = (lake: LakeLocation): LakeConfig => (typeof lake === 'string' ? { lakeUrl: lake } : lake);

async function withSession<T>(location: LakeLocation, fn: (session: LakeSession) => Promise<T>): Promise<T> {
  const { openLake, LakeSession } = await compiledLayers();
  const lake = openLake(lakeConfig(location));
  try {
    const session = await LakeSession.open(lake, { threads: 1 });
    try {
      return await fn(session);
    } finally {
      session.close();
    }
  } finally {
    await lake.close();
  }
}

/** A row's content as hashable SQL terms: lineage columns dropped, doubles to 12 significant digits. */
async function contentTerms(session: LakeSession, table: string): Promise<string[]> {
  const { ident } = await compiledLayers();
  const cols = await session.describe(`SELECT * FROM ${table}`);
  return cols
    .filter((c) => !LINEAGE_COLUMNS.has(c.name))
    .map((c) =>
      /^(DOUBLE|FLOAT|REAL)$/i.test(c.type) ? `printf('%.12g', ${ident(c.name)})` : ident(c.name),
    );
}

async function sumTables(session: LakeSession, layers: readonly Layer[]): Promise<Record<string, TableSum>> {
  const { qualifiedName } = await compiledLayers();
  const out: Record<string, TableSum> = {};
  const refs = (await session.lake.catalog.listTables()).filter((r) => layers.includes(r.layer));
  for (const ref of refs) {
    const table = qualifiedName(ref);
    const terms = await contentTerms(session, table);
    const [row] = await session.all<{ n: string | number; h: string | null }>(
      `SELECT count(*) AS n, sum(hash(${terms.join(', ')})::HUGEINT)::VARCHAR AS h FROM ${table}`,
    );
    const rows = Number(row?.n ?? 0);
    out[table] = { rows, checksum: `${rows}:${row?.h ?? '0'}` };
  }
  return out;
}

/**
 * A deterministic checksum of every silver and gold table of the lake (current snapshot):
 * `rows:sum-of-row-hashes`, ignoring lineage columns. Equal maps = equal tables (as multisets).
 */
export async function goldChecksums(
  lakeDir: LakeLocation,
  layers: readonly Layer[] = ['silver', 'gold'],
): Promise<Record<string, string>> {
  const sums = await withSession(lakeDir, (s) => sumTables(s, layers));
  return Object.fromEntries(Object.entries(sums).map(([t, s]) => [t, s.checksum]));
}

/** Per-table row counts and checksums of any layers (default bronze and quarantine). */
export function lakeFingerprint(
  lakeDir: LakeLocation,
  layers: readonly Layer[] = ['bronze', 'quarantine'],
): Promise<Record<string, TableSum>> {
  return withSession(lakeDir, (s) => sumTables(s, layers));
}

/** Multiset of row hashes per dataset: bronze and quarantine rows (lineage ignored). */
export type RowMultiset = Record<string, Map<string, number>>;

/** Every bronze and quarantine row of the given datasets as a multiset of content hashes. */
export function rowMultiset(lakeDir: LakeLocation, datasets: readonly string[]): Promise<RowMultiset> {
  return withSession(lakeDir, async (session) => {
    const out: RowMultiset = {};
    for (const dataset of datasets) {
      for (const layer of ['bronze', 'quarantine'] as const) {
        const table = `${layer}.${dataset}`;
        const terms = await contentTerms(session, table);
        const rows = await session.all<{ h: string; n: string | number }>(
          `SELECT hash(${terms.join(', ')})::VARCHAR AS h, count(*) AS n FROM ${table} GROUP BY 1`,
        );
        out[table] = new Map(rows.map((r) => [r.h, Number(r.n)]));
      }
    }
    return out;
  });
}

export interface Reconciliation {
  /** Records in the input files. */
  read: number;
  accepted: number;
  quarantined: number;
  /** Records an adapter skipped on purpose (from ingest results, once they report it). */
  skipped: number;
  /** Rows of the reference missing here, and rows here beyond the reference (0 without one). */
  lost: number;
  doubled: number;
  /** Per dataset: read, bronze, quarantine. */
  datasets: Record<string, { read: number; bronze: number; quarantine: number }>;
  /** read === accepted + quarantined + skipped for every dataset, and nothing lost or doubled. */
  ok: boolean;
  problems: string[];
}

/**
 * Records read = accepted (bronze rows) + quarantined (quarantine rows) + skipped, per dataset of
 * `inputs`; with a `reference` (rowMultiset of a clean lake), every row's multiplicity must match:
 * `lost` counts rows missing, `doubled` rows beyond the clean run. Without one, a surplus over the
 * records read counts as doubled and a shortfall as lost.
 */
export async function reconcile(
  lakeDir: LakeLocation,
  inputs: readonly InputFile[],
  reference?: RowMultiset,
  skippedByDataset: Record<string, number> = {},
): Promise<Reconciliation> {
  const datasets = [...new Set(inputs.map((i) => i.dataset))];
  const here = await rowMultiset(lakeDir, datasets);
  const r: Reconciliation = {
    read: 0,
    accepted: 0,
    quarantined: 0,
    skipped: 0,
    lost: 0,
    doubled: 0,
    datasets: {},
    ok: true,
    problems: [],
  };
  const total = (m: Map<string, number> | undefined) => [...(m?.values() ?? [])].reduce((a, b) => a + b, 0);
  for (const dataset of datasets) {
    const read = inputs.filter((i) => i.dataset === dataset).reduce((n, i) => n + i.records, 0);
    const bronze = total(here[`bronze.${dataset}`]);
    const quarantine = total(here[`quarantine.${dataset}`]);
    const skipped = skippedByDataset[dataset] ?? 0;
    r.datasets[dataset] = { read, bronze, quarantine };
    r.read += read;
    r.accepted += bronze;
    r.quarantined += quarantine;
    r.skipped += skipped;
    const got = bronze + quarantine + skipped;
    if (got !== read) {
      r.problems.push(
        `${dataset}: read ${read} != accepted ${bronze} + quarantined ${quarantine} + skipped ${skipped}`,
      );
    }
    if (!reference) {
      if (got > read) r.doubled += got - read;
      if (got < read) r.lost += read - got;
      continue;
    }
    for (const layer of ['bronze', 'quarantine']) {
      const table = `${layer}.${dataset}`;
      const want = reference[table] ?? new Map<string, number>();
      const have = here[table] ?? new Map<string, number>();
      let lost = 0;
      let doubled = 0;
      for (const [h, n] of want) lost += Math.max(0, n - (have.get(h) ?? 0));
      for (const [h, n] of have) doubled += Math.max(0, n - (want.get(h) ?? 0));
      if (lost || doubled)
        r.problems.push(`${table}: ${lost} row(s) lost, ${doubled} doubled against the clean run`);
      r.lost += lost;
      r.doubled += doubled;
    }
  }
  r.ok = r.problems.length === 0;
  return r;
}

/** Data files in the lake's layer folders and staging that no catalog row references. */
export async function orphanFiles(lakeDir: LakeLocation): Promise<string[]> {
  const { openLake } = await compiledLayers();
  const lake = openLake(lakeConfig(lakeDir));
  try {
    const referenced = await lake.catalog.referencedKeys();
    const out: string[] = [];
    for (const prefix of ['bronze', 'silver', 'gold', '_quarantine', '_staging']) {
      for (const obj of await lake.store.list(prefix)) if (!referenced.has(obj.key)) out.push(obj.key);
    }
    return out;
  } finally {
    await lake.close();
  }
}
