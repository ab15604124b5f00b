import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../layers/index.js';
import {
  confusionMarkdown,
  DEFAULT_LABELLED_DIR,
  listFinanceModels,
  loadLabelledData,
  type SentimentEvaluation,
  saveFinanceModel,
  trainFinanceSentiment,
} from '../../models/index.js';
import { type CommandContext, out } from '../context.js';
import { renderTable } from '../format.js';

export interface SentimentTrainFlags {
  data?: string;
  seed?: number;
  epochs?: number;
  samplePercent?: number;
  save?: boolean;
}

/** `marketlake <version> (git <sha>[+changes])`: what code trained a model. */
function codeVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  let version = 'unknown';
  try {
    version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {}
  try {
    const sha = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: dir, stdio: 'pipe' })
      .toString()
      .trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: dir, stdio: 'pipe' }).length > 0;
    return `marketlake ${version} (git ${sha}${dirty ? '+changes' : ''})`;
  } catch {
    return `marketlake ${version}`;
  }
}

const pct = (x: number) => (x * 100).toFixed(1);

/** The held-out metrics of both scorers, one row per evaluation set. */
export function evaluationRows(evaluations: readonly SentimentEvaluation[]) {
  return evaluations.map((e) => ({
    'held-out set': e.evaluation,
    rows: e.finance.n,
    'finance acc %': pct(e.finance.accuracy),
    'finance macro-F1 %': pct(e.finance.macroF1),
    'VADER acc %': pct(e.vader.accuracy),
    'VADER macro-F1 %': pct(e.vader.macroF1),
    'F1 gain (points)': ((e.finance.macroF1 - e.vader.macroF1) * 100).toFixed(1),
  }));
}

/**
 * `marketlake sentiment train`: fit the finance classifier on the labelled sets' training rows,
 * print accuracy, macro-F1 and confusion matrices beside VADER on the held-out rows, and store the
 * model in the lake (`_ml/sentiment/<version>/model.json`, `latest.json` pointing at it).
 */
export async function sentimentTrainCommand(
  ctx: CommandContext,
  flags: SentimentTrainFlags,
): Promise<number> {
  const dir = flags.data ?? DEFAULT_LABELLED_DIR;
  if (!existsSync(dir)) throw new UsageError(`labelled data folder not found: ${dir} (--data)`);
  const started = performance.now();
  const data = loadLabelledData(dir);
  const { artifact, evaluations } = trainFinanceSentiment(data, {
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
    ...(flags.epochs !== undefined ? { epochs: flags.epochs } : {}),
    ...(flags.samplePercent !== undefined ? { trainSamplePercent: flags.samplePercent } : {}),
    codeVersion: codeVersion(),
  });
  const key = flags.save === false ? null : await saveFinanceModel(ctx.lake.store, artifact);
  const ms = Math.round(performance.now() - started);
  if (ctx.config.json) {
    out(
      JSON.stringify(
        {
          version: artifact.version,
          key,
          weightsHash: artifact.weightsHash,
          trainRows: artifact.trainRows,
          vocabulary: artifact.vocabulary.length,
          settings: artifact.settings,
          evaluations,
          ms,
        },
        null,
        2,
      ),
    );
    return 0;
  }
  out(
    `finance sentiment model ${artifact.version} (${artifact.vocabulary.length} terms, weights sha256 ${artifact.weightsHash.slice(0, 16)}…)`,
  );
  out(
    `trained on ${Object.entries(artifact.trainRows)
      .map(([s, n]) => `${s} ${n}`)
      .join(', ')} rows in ${ms} ms; ${artifact.codeVersion}`,
  );
  out(renderTable(evaluationRows(evaluations)));
  for (const e of evaluations) {
    out(`\n${e.evaluation}: finance classifier`);
    out(confusionMarkdown(e.finance));
    out(`${e.evaluation}: VADER (same rows)`);
    out(confusionMarkdown(e.vader));
  }
  out(key ? `\nstored in the lake: ${key}` : '\nnot stored (--no-save)');
  return 0;
}

/** `marketlake sentiment list`: the models trained into this lake. */
export async function sentimentListCommand(ctx: CommandContext): Promise<number> {
  const models = await listFinanceModels(ctx.lake.store);
  const rows = models.map((m) => ({
    version: m.version,
    created_at: m.createdAt,
    seed: m.settings.seed,
    terms: m.vocabulary.length,
    code: m.codeVersion,
    ...Object.fromEntries(m.metrics.map((e) => [`${e.evaluation} F1 %`, pct(e.finance.macroF1)])),
  }));
  out(
    ctx.config.json
      ? JSON.stringify(rows, null, 2)
      : rows.length
        ? renderTable(rows)
        : 'no models trained into this lake',
  );
  return 0;
}
