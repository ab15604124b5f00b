import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLogger, LakeSession, openLake } from '../layers/index.js';
import { runModels } from '../orchestrator/index.js';
import { type BenchResult, printResults } from './report.js';
import {
  algoseekFiles,
  DERIVATION_DAY,
  dailyAgreement,
  ingestAlgoseekTrades,
  type MinuteAgreement,
  minuteAgreement,
  totalAgreement,
} from './support/algoseek-bars.js';

const logger = createLogger({ level: 'silent', json: true });
const pct = (n: number, d: number) => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)}%`);

function printTable(rows: readonly MinuteAgreement[], noTrades: readonly string[]): void {
  const out = [
    '| day | symbol | vendor minutes | ours | eligibility build (O,H,L,C,V equal) | naive build | differing minutes by class |',
    '| --- | --- | ---: | ---: | ---: | ---: | --- |',
    ...rows.map(
      (r) =>
        `| ${r.day}${r.day === DERIVATION_DAY ? ' (derivation)' : ' (held out)'} | ${r.symbol} | ${r.vendorMinutes} | ${r.ourMinutes} | ${r.eligible} (${pct(r.eligible, r.vendorMinutes)}) | ${r.naive} (${pct(r.naive, r.vendorMinutes)}) | ${
          Object.entries(r.differences)
            .sort((a, b) => b[1] - a[1])
            .map(([k, n]) => `${k} ${n}`)
            .join(', ') || '-'
        } |`,
    ),
  ];
  for (const [label, part] of [
    [`derivation day ${DERIVATION_DAY}`, rows.filter((r) => r.day === DERIVATION_DAY)],
    ['held-out days', rows.filter((r) => r.day !== DERIVATION_DAY)],
    ['all days', rows],
  ] as const) {
    const t = totalAgreement(part);
    out.push(
      `| **${label}** | | ${t.vendor} | | ${t.eligible} (${pct(t.eligible, t.vendor)}) | ${t.naive} (${pct(t.naive, t.vendor)}) | |`,
    );
  }
  for (const d of noTrades)
    out.push(`| ${d} | all | vendor bars only: no trade files shipped for this day | | | | |`);
  process.stdout.write(`${out.join('\n')}\n`);
}

/**
 * Every AlgoSeek trade file of ../shared/data through ingestion and the models, then gold.fact_bars
 * (1m) against the vendor's own minute bars: per symbol and day, minutes equal in all five of open,
 * high, low, close and volume, for the eligibility build and the naive (every print) build, with
 * the differing minutes by class; the 1d bars against the vendor's daily bars. The figure is the
 * held-out days' agreement beside the issue's target (99%).
 */
export async function benchBars(): Promise<BenchResult[]> {
  const { trades, minuteBars } = algoseekFiles();
  const dir = await mkdtemp(join(tmpdir(), 'marketlake-bench-bars-'));
  const lake = openLake({ lakeUrl: join(dir, 'lake') });
  try {
    const started = performance.now();
    const prints = await ingestAlgoseekTrades(lake, trades);
    const session = await LakeSession.open(lake);
    try {
      const tasks = await runModels(session, logger, { selectors: ['+gold.fact_bars'] });
      const failed = tasks.filter((t) => t.status !== 'succeeded');
      if (failed.length) throw new Error(`bench: ${failed.map((t) => `${t.task}: ${t.error}`).join('; ')}`);
      const seconds = (performance.now() - started) / 1000;
      process.stdout.write(
        `${prints.toLocaleString('en-US')} AlgoSeek prints (${trades.length} files) ingested and modelled in ${seconds.toFixed(0)} s\n`,
      );
      const rows = await minuteAgreement(session, minuteBars);
      const tradedDays = new Set(trades.map((t) => t.day));
      const noTrades = [...new Set(minuteBars.map((b) => b.day))].filter((d) => !tradedDays.has(d));
      printTable(rows, noTrades);
      const daily = await dailyAgreement(session);
      process.stdout.write(
        `1d bars against the vendor's daily bars (open, high, low, close equal): eligibility ${daily.reduce((n, d) => n + d.eligibleFields, 0)} of ${daily.length * 4} fields, naive ${daily.reduce((n, d) => n + d.naiveFields, 0)}\n`,
      );
      for (const d of daily.filter((x) => x.eligibleFields < 4)) {
        process.stdout.write(
          `  ${d.day} ${d.symbol}: ours ${d.ours.join('/')} vendor ${d.vendor.join('/')}\n`,
        );
      }
      const held = totalAgreement(rows.filter((r) => r.day !== DERIVATION_DAY));
      const derived = totalAgreement(rows.filter((r) => r.day === DERIVATION_DAY));
      return [
        {
          name: 'AlgoSeek vendor minutes equal in open, high, low, close and volume, held-out days (eligibility build)',
          unit: '%',
          value: (100 * held.eligible) / held.vendor,
          limit: 99,
          limitName: 'issue #22 target',
          note: `derivation day ${DERIVATION_DAY}: ${pct(derived.eligible, derived.vendor)}; naive build: held out ${pct(held.naive, held.vendor)}, derivation ${pct(derived.naive, derived.vendor)}`,
        },
      ];
    } finally {
      session.close();
    }
  } finally {
    await lake.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** `npx tsx bench/bars.bench.ts`: this benchmark alone. */
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printResults(await benchBars());
}
