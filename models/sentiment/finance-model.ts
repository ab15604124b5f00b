import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type SparseVector, type Vocabulary, vectorize, vocabularyOf } from './features.js';
import { SENTIMENT_CLASSES, type SentimentClass } from './labelled-data.js';
import { type LogisticModel, predictProba } from './logistic-regression.js';
import { TOKENIZER_VERSION } from './tokenizer.js';

/** Name recorded as `scorer_name` for scores of the finance classifier. */
export const FINANCE_SCORER_NAME = 'marketlake-finance-logreg';
export const FINANCE_MODEL_FORMAT = 'marketlake-sentiment-logreg/1';

const Metrics = z.object({
  n: z.number(),
  accuracy: z.number(),
  macroF1: z.number(),
  confusion: z.record(z.string(), z.record(z.string(), z.number())),
});

/**
 * Everything a trained finance sentiment model is, as stored in the lake (JSON): the parameters,
 * the vocabulary with its idf, the training settings and data hashes, the code version and the
 * held-out metrics. `version` is derived from the content, so a retrain with the same seed and
 * data gives the same version.
 */
export const FinanceModelArtifact = z.object({
  format: z.literal(FINANCE_MODEL_FORMAT),
  name: z.literal(FINANCE_SCORER_NAME),
  version: z.string().regex(/^lr-[0-9a-f]{12}$/),
  createdAt: z.string(),
  codeVersion: z.string(),
  tokenizer: z.string(),
  classes: z.array(z.enum(SENTIMENT_CLASSES)),
  settings: z.object({
    seed: z.number().int(),
    epochs: z.number().int(),
    learningRate: z.number(),
    l2: z.number(),
    minDf: z.number().int(),
    heldOutPercent: z.number(),
    trainSamplePercent: z.number(),
  }),
  trainingData: z.array(
    z.object({ set: z.string(), path: z.string(), sha256: z.string(), rows: z.number() }),
  ),
  trainRows: z.record(z.string(), z.number()),
  weightsHash: z.string(),
  vocabulary: z.array(z.string()),
  idf: z.array(z.number()),
  weights: z.array(z.number()),
  bias: z.array(z.number()),
  metrics: z.array(
    z.object({ evaluation: z.string(), finance: Metrics, vader: Metrics, binary: z.boolean() }),
  ),
});
export type FinanceModelArtifact = z.infer<typeof FinanceModelArtifact>;

/** Content version of a model: `lr-` and 12 hex of sha256 over its settings and parameters. */
export function modelVersion(
  settings: FinanceModelArtifact['settings'],
  vocabulary: readonly string[],
  weightsHash: string,
): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(settings));
  h.update(TOKENIZER_VERSION);
  h.update(vocabulary.join('\n'));
  h.update(weightsHash);
  return `lr-${h.digest('hex').slice(0, 12)}`;
}

/**
 * The finance sentiment classifier: TF-IDF of unigrams and bigrams (see tokenizer.ts) into a
 * 3-class logistic regression. Its score is P(positive) - P(negative), in [-1, 1], so it drops in
 * where VADER's compound score was (the same ±0.05 cut-offs give a label).
 */
export class FinanceSentimentModel {
  readonly name = FINANCE_SCORER_NAME;
  readonly version: string;
  readonly vocabulary: Vocabulary;
  readonly logistic: LogisticModel;
  private readonly p = new Float64Array(SENTIMENT_CLASSES.length);

  constructor(version: string, vocabulary: Vocabulary, logistic: LogisticModel) {
    this.version = version;
    this.vocabulary = vocabulary;
    this.logistic = logistic;
  }

  static fromArtifact(a: FinanceModelArtifact): FinanceSentimentModel {
    const vocabulary = vocabularyOf(a.vocabulary, Float64Array.from(a.idf));
    return new FinanceSentimentModel(a.version, vocabulary, {
      classes: a.classes.length,
      features: a.vocabulary.length,
      weights: Float64Array.from(a.weights),
      bias: Float64Array.from(a.bias),
    });
  }

  features(text: string): SparseVector {
    return vectorize(text, this.vocabulary);
  }

  /** [P(negative), P(neutral), P(positive)] (a shared buffer: copy it to keep it). */
  probabilities(text: string): Float64Array {
    return predictProba(this.logistic, this.features(text), this.p);
  }

  /** P(positive) - P(negative), in [-1, 1]; 0 for blank text. */
  score(text: string): number {
    if (text.trim() === '') return 0;
    const p = this.probabilities(text);
    return Math.max(-1, Math.min(1, p[2]! - p[0]!));
  }

  /** Most likely class; `binary` decides between negative and positive only (bullish/bearish sets). */
  label(text: string, binary = false): SentimentClass {
    const p = this.probabilities(text);
    if (binary) return p[2]! >= p[0]! ? 'positive' : 'negative';
    let best = 0;
    for (let c = 1; c < p.length; c += 1) if (p[c]! > p[best]!) best = c;
    return SENTIMENT_CLASSES[best]!;
  }
}
