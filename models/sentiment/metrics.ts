import { SENTIMENT_CLASSES, type SentimentClass } from './labelled-data.js';

/** Accuracy, macro-F1 and the confusion matrix of predictions against gold labels. */
export interface ClassificationMetrics {
  n: number;
  accuracy: number;
  /** Mean F1 over the classes that occur in the gold labels (a binary set: negative and positive). */
  macroF1: number;
  /** confusion[gold][predicted], over SENTIMENT_CLASSES. */
  confusion: Record<SentimentClass, Record<SentimentClass, number>>;
}

export function classificationMetrics(
  gold: readonly SentimentClass[],
  predicted: readonly SentimentClass[],
): ClassificationMetrics {
  const confusion = Object.fromEntries(
    SENTIMENT_CLASSES.map((g) => [g, Object.fromEntries(SENTIMENT_CLASSES.map((p) => [p, 0]))]),
  ) as ClassificationMetrics['confusion'];
  let right = 0;
  gold.forEach((g, i) => {
    const p = predicted[i]!;
    confusion[g][p] += 1;
    if (g === p) right += 1;
  });
  const present = SENTIMENT_CLASSES.filter((c) => gold.includes(c));
  const f1s = present.map((c) => {
    const tp = confusion[c][c];
    const fp = SENTIMENT_CLASSES.reduce((s, g) => s + (g === c ? 0 : confusion[g][c]), 0);
    const fn = SENTIMENT_CLASSES.reduce((s, p) => s + (p === c ? 0 : confusion[c][p]), 0);
    return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  });
  return {
    n: gold.length,
    accuracy: gold.length ? right / gold.length : 0,
    macroF1: f1s.length ? f1s.reduce((a, b) => a + b, 0) / f1s.length : 0,
    confusion,
  };
}

/** The confusion matrix as Markdown (rows: gold label; columns: predicted), classes that occur only. */
export function confusionMarkdown(m: ClassificationMetrics): string {
  const used = SENTIMENT_CLASSES.filter(
    (c) =>
      SENTIMENT_CLASSES.some((g) => m.confusion[g][c] > 0) ||
      SENTIMENT_CLASSES.some((p) => m.confusion[c][p] > 0),
  );
  const lines = [
    `| gold \\ predicted | ${used.join(' | ')} |`,
    `| --- | ${used.map(() => '---:').join(' | ')} |`,
  ];
  for (const g of used) {
    if (SENTIMENT_CLASSES.every((p) => m.confusion[g][p] === 0)) continue;
    lines.push(`| ${g} | ${used.map((p) => m.confusion[g][p]).join(' | ')} |`);
  }
  return lines.join('\n');
}
