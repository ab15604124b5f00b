import { terms, tokenize } from './tokenizer.js';

/** A sparse row: feature indices (ascending, distinct) and their values. */
export interface SparseVector {
  indices: Int32Array;
  values: Float64Array;
}

/** Term → column, with smoothed inverse document frequencies learned from the training texts. */
export interface Vocabulary {
  terms: readonly string[];
  idf: Float64Array;
  index: ReadonlyMap<string, number>;
}

/**
 * The vocabulary of a training set: unigrams and bigrams found in at least `minDf` texts, in
 * sorted order (so the same texts always give the same columns), with idf = ln((1 + n) / (1 + df)) + 1.
 */
export function buildVocabulary(texts: readonly string[], minDf = 2): Vocabulary {
  const df = new Map<string, number>();
  for (const text of texts) {
    for (const term of new Set(terms(tokenize(text)))) df.set(term, (df.get(term) ?? 0) + 1);
  }
  const kept = [...df].filter(([, n]) => n >= minDf).map(([t]) => t);
  kept.sort();
  const idf = new Float64Array(kept.length);
  const n = texts.length;
  kept.forEach((t, i) => {
    idf[i] = Math.log((1 + n) / (1 + df.get(t)!)) + 1;
  });
  return vocabularyOf(kept, idf);
}

/** A vocabulary from stored terms and idf values. */
export function vocabularyOf(list: readonly string[], idf: Float64Array): Vocabulary {
  return { terms: list, idf, index: new Map(list.map((t, i) => [t, i])) };
}

/**
 * TF-IDF of one text over the vocabulary: sublinear term frequency (1 + ln tf) times idf, scaled
 * to unit length. Terms outside the vocabulary are dropped.
 */
export function vectorize(text: string, vocabulary: Vocabulary): SparseVector {
  const counts = new Map<number, number>();
  for (const term of terms(tokenize(text))) {
    const i = vocabulary.index.get(term);
    if (i !== undefined) counts.set(i, (counts.get(i) ?? 0) + 1);
  }
  const indices = Int32Array.from(counts.keys()).sort();
  const values = new Float64Array(indices.length);
  let norm = 0;
  for (let k = 0; k < indices.length; k += 1) {
    const i = indices[k]!;
    const v = (1 + Math.log(counts.get(i)!)) * vocabulary.idf[i]!;
    values[k] = v;
    norm += v * v;
  }
  if (norm > 0) {
    const scale = 1 / Math.sqrt(norm);
    for (let k = 0; k < values.length; k += 1) values[k]! *= scale;
  }
  return { indices, values };
}
