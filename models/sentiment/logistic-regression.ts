import { createHash } from 'node:crypto';
import type { SparseVector } from './features.js';

/** Multinomial logistic regression over sparse rows: weights[feature * classes + class], bias[class]. */
export interface LogisticModel {
  classes: number;
  features: number;
  weights: Float64Array;
  bias: Float64Array;
}

export interface TrainOptions {
  /** Seed of the example order (the only randomness): the same seed gives the same weights. */
  seed: number;
  epochs: number;
  /** AdaGrad base step. */
  learningRate: number;
  /** L2 penalty per example, applied to the weights an example touches. */
  l2: number;
}

export const DEFAULT_TRAIN_OPTIONS: Readonly<TrainOptions> = Object.freeze({
  seed: 42,
  epochs: 12,
  learningRate: 0.3,
  l2: 1e-5,
});

/** mulberry32: a small, fast, seeded generator (enough to shuffle examples reproducibly). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Class probabilities of one row (softmax of the linear scores), written into `out`. */
export function predictProba(model: LogisticModel, x: SparseVector, out = new Float64Array(model.classes)) {
  const k = model.classes;
  for (let c = 0; c < k; c += 1) out[c] = model.bias[c]!;
  for (let j = 0; j < x.indices.length; j += 1) {
    const base = x.indices[j]! * k;
    const v = x.values[j]!;
    for (let c = 0; c < k; c += 1) out[c]! += model.weights[base + c]! * v;
  }
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < k; c += 1) if (out[c]! > max) max = out[c]!;
  let sum = 0;
  for (let c = 0; c < k; c += 1) {
    out[c] = Math.exp(out[c]! - max);
    sum += out[c]!;
  }
  for (let c = 0; c < k; c += 1) out[c]! /= sum;
  return out;
}

/**
 * Fit by stochastic gradient descent on the cross-entropy with AdaGrad steps, one example at a
 * time in an order shuffled by the seed; the L2 penalty shrinks only the weights an example
 * touches (the usual sparse approximation). Optional per-example weights balance sources.
 */
export function trainLogistic(
  rows: readonly SparseVector[],
  labels: readonly number[],
  classes: number,
  features: number,
  options: TrainOptions = DEFAULT_TRAIN_OPTIONS,
  exampleWeights?: readonly number[],
): LogisticModel {
  const model: LogisticModel = {
    classes,
    features,
    weights: new Float64Array(features * classes),
    bias: new Float64Array(classes),
  };
  const gsq = new Float64Array(features * classes).fill(1e-8);
  const bsq = new Float64Array(classes).fill(1e-8);
  const p = new Float64Array(classes);
  const random = seededRandom(options.seed);
  const order = Array.from(rows.keys());
  for (let epoch = 0; epoch < options.epochs; epoch += 1) {
    for (let i = order.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const r of order) {
      const x = rows[r]!;
      const w = exampleWeights?.[r] ?? 1;
      predictProba(model, x, p);
      const y = labels[r]!;
      for (let c = 0; c < classes; c += 1) {
        const g = w * (p[c]! - (c === y ? 1 : 0));
        bsq[c]! += g * g;
        model.bias[c]! -= (options.learningRate * g) / Math.sqrt(bsq[c]!);
        for (let j = 0; j < x.indices.length; j += 1) {
          const at = x.indices[j]! * classes + c;
          const gw = g * x.values[j]! + options.l2 * model.weights[at]!;
          gsq[at]! += gw * gw;
          model.weights[at]! -= (options.learningRate * gw) / Math.sqrt(gsq[at]!);
        }
      }
    }
  }
  return model;
}

/** sha256 of the weights and biases as bytes: equal hashes mean bit-identical models. */
export function weightsHash(model: LogisticModel): string {
  const h = createHash('sha256');
  h.update(new Uint8Array(model.weights.buffer, model.weights.byteOffset, model.weights.byteLength));
  h.update(new Uint8Array(model.bias.buffer, model.bias.byteOffset, model.bias.byteLength));
  return h.digest('hex');
}
