import { createHash } from 'node:crypto';
import { buildVocabulary, vectorize } from './features.js';
import {
  FINANCE_MODEL_FORMAT,
  FINANCE_SCORER_NAME,
  type FinanceModelArtifact,
  FinanceSentimentModel,
  modelVersion,
} from './finance-model.js';
import {
  HELD_OUT_PERCENT,
  type LabelledData,
  type LabelledText,
  SENTIMENT_CLASSES,
  type SentimentClass,
} from './labelled-data.js';
import { DEFAULT_TRAIN_OPTIONS, trainLogistic, weightsHash } from './logistic-regression.js';
import { type ClassificationMetrics, classificationMetrics } from './metrics.js';
import { TOKENIZER_VERSION } from './tokenizer.js';
import { sentimentScore } from './vader-scorer.js';

export interface SentimentTrainOptions {
  seed?: number;
  epochs?: number;
  learningRate?: number;
  l2?: number;
  /** Keep terms found in at least this many training texts (default 2). */
  minDf?: number;
  /** Train on this share (by hash of the text) of the training rows, e.g. for a quick test (default 100). */
  trainSamplePercent?: number;
  /** Recorded with the model, e.g. `marketlake 0.1.0 (git 66da430)`. */
  codeVersion?: string;
}

/** One evaluation set: the finance model and VADER on exactly the same held-out rows. */
export interface SentimentEvaluation {
  evaluation: string;
  binary: boolean;
  finance: ClassificationMetrics;
  vader: ClassificationMetrics;
}

function inSample(text: string, percent: number): boolean {
  if (percent >= 100) return true;
  // A different hash from the held-out split's, so the sample is not tied to it.
  return createHash('sha256').update(`sample:${text}`).digest().readUInt32BE(0) % 100 < percent;
}

/**
 * VADER's label, as the project used it: on binary (bullish/bearish) sets the sign of the compound
 * score, a score of exactly 0 being no call (counted as neutral, i.e. wrong); on 3-class sets the
 * conventional ±0.05 cut-offs.
 */
export function vaderLabel(text: string, binary: boolean): SentimentClass {
  const s = sentimentScore(text);
  const cut = binary ? 0 : 0.05;
  if (binary ? s > cut : s >= cut) return 'positive';
  if (binary ? s < -cut : s <= -cut) return 'negative';
  return 'neutral';
}

/** The held-out evaluation sets: rows that were never trained on. */
export function evaluationSets(
  data: LabelledData,
): { name: string; binary: boolean; rows: LabelledText[] }[] {
  const test = data.rows.filter((r) => r.split === 'test');
  return [
    { name: 'StockEmotions validation', binary: true, rows: test.filter((r) => r.set === 'stockemotions') },
    {
      name: 'PhraseBank held-out (50Agree)',
      binary: false,
      rows: test.filter((r) => r.set === 'phrasebank'),
    },
    {
      name: 'PhraseBank held-out, all annotators agree',
      binary: false,
      rows: test.filter((r) => r.set === 'phrasebank' && r.allAgree),
    },
    { name: 'Surge AI held-out', binary: true, rows: test.filter((r) => r.set === 'surge') },
  ];
}

/** Score the held-out sets with the model and with VADER. */
export function evaluateSentiment(model: FinanceSentimentModel, data: LabelledData): SentimentEvaluation[] {
  return evaluationSets(data).map(({ name, binary, rows }) => {
    const gold = rows.map((r) => r.label);
    return {
      evaluation: name,
      binary,
      finance: classificationMetrics(
        gold,
        rows.map((r) => model.label(r.text, binary)),
      ),
      vader: classificationMetrics(
        gold,
        rows.map((r) => vaderLabel(r.text, binary)),
      ),
    };
  });
}

/**
 * Train the finance sentiment classifier on the training rows of the labelled sets (StockEmotions
 * train, PhraseBank and Surge AI minus their held-out 20%), evaluate it beside VADER on the held-out
 * rows, and return the model with its artifact. Deterministic: the same data and seed give
 * bit-identical weights and the same version.
 */
export function trainFinanceSentiment(
  data: LabelledData,
  options: SentimentTrainOptions = {},
): { model: FinanceSentimentModel; artifact: FinanceModelArtifact; evaluations: SentimentEvaluation[] } {
  const settings = {
    seed: options.seed ?? DEFAULT_TRAIN_OPTIONS.seed,
    epochs: options.epochs ?? DEFAULT_TRAIN_OPTIONS.epochs,
    learningRate: options.learningRate ?? DEFAULT_TRAIN_OPTIONS.learningRate,
    l2: options.l2 ?? DEFAULT_TRAIN_OPTIONS.l2,
    minDf: options.minDf ?? 2,
    heldOutPercent: HELD_OUT_PERCENT,
    trainSamplePercent: options.trainSamplePercent ?? 100,
  };
  const train = data.rows.filter((r) => r.split === 'train' && inSample(r.text, settings.trainSamplePercent));
  const vocabulary = buildVocabulary(
    train.map((r) => r.text),
    settings.minDf,
  );
  const rows = train.map((r) => vectorize(r.text, vocabulary));
  const labels = train.map((r) => SENTIMENT_CLASSES.indexOf(r.label));
  const logistic = trainLogistic(rows, labels, SENTIMENT_CLASSES.length, vocabulary.terms.length, settings);
  const hash = weightsHash(logistic);
  const version = modelVersion(settings, vocabulary.terms, hash);
  const model = new FinanceSentimentModel(version, vocabulary, logistic);
  const evaluations = evaluateSentiment(model, data);
  const trainRows: Record<string, number> = {};
  for (const r of train) trainRows[r.set] = (trainRows[r.set] ?? 0) + 1;
  const artifact: FinanceModelArtifact = {
    format: FINANCE_MODEL_FORMAT,
    name: FINANCE_SCORER_NAME,
    version,
    createdAt: new Date().toISOString(),
    codeVersion: options.codeVersion ?? 'unknown',
    tokenizer: TOKENIZER_VERSION,
    classes: [...SENTIMENT_CLASSES],
    settings,
    trainingData: data.files,
    trainRows,
    weightsHash: hash,
    vocabulary: [...vocabulary.terms],
    idf: Array.from(vocabulary.idf),
    weights: Array.from(logistic.weights),
    bias: Array.from(logistic.bias),
    metrics: evaluations,
  };
  return { model, artifact, evaluations };
}
