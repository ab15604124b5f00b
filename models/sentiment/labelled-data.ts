import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';

/** The classifier's classes, in column order. Bullish/bearish posts count as positive/negative. */
export const SENTIMENT_CLASSES = ['negative', 'neutral', 'positive'] as const;
export type SentimentClass = (typeof SENTIMENT_CLASSES)[number];

export const LABELLED_SETS = ['stockemotions', 'phrasebank', 'surge'] as const;
export type LabelledSet = (typeof LABELLED_SETS)[number];

export interface LabelledText {
  set: LabelledSet;
  text: string;
  label: SentimentClass;
  /** train rows fit the model; test rows are only ever scored. */
  split: 'train' | 'test';
  /** PhraseBank: every annotator agreed (the sentence is in Sentences_AllAgree). */
  allAgree?: boolean;
}

export interface LabelledFile {
  set: LabelledSet;
  path: string;
  sha256: string;
  rows: number;
}

export interface LabelledData {
  rows: LabelledText[];
  files: LabelledFile[];
}

/** Share of PhraseBank and Surge AI rows held out, chosen by a hash of the text. */
export const HELD_OUT_PERCENT = 20;

/** Default location of the labelled sets (read in place, never copied). */
export const DEFAULT_LABELLED_DIR = '../shared/data/social-sentiment';

/**
 * Held out or not, from sha256 of the text: the same text is always on the same side, so a
 * sentence repeated in a file can never be trained on and tested on at once.
 */
export function isHeldOut(text: string, percent = HELD_OUT_PERCENT): boolean {
  const h = createHash('sha256').update(text).digest();
  return h.readUInt32BE(0) % 100 < percent;
}

function read(path: string, set: LabelledSet, files: LabelledFile[], rows: number): Buffer {
  const bytes = readFileSync(path);
  files.push({ set, path, sha256: createHash('sha256').update(bytes).digest('hex'), rows });
  return bytes;
}

function phrasebank(bytes: Buffer): { text: string; label: SentimentClass }[] {
  // ISO-8859-1, one `sentence@label` per line.
  return bytes
    .toString('latin1')
    .split(/\r?\n/)
    .filter((l) => l.includes('@'))
    .map((l) => {
      const at = l.lastIndexOf('@');
      return { text: l.slice(0, at), label: l.slice(at + 1).trim() as SentimentClass };
    });
}

/**
 * The labelled sets under `dir` (../shared/data/social-sentiment), with their splits:
 * - StockEmotions: `train_stockemo.csv` trains, `val_stockemo.csv` tests (the `original` text,
 *   with cashtags and emoji; bullish → positive, bearish → negative);
 * - Financial PhraseBank `Sentences_50Agree.txt` (every sentence, majority label) and Surge AI:
 *   20% held out by hash of the text; PhraseBank rows also in `Sentences_AllAgree.txt` are flagged.
 */
export function loadLabelledData(dir = DEFAULT_LABELLED_DIR): LabelledData {
  const files: LabelledFile[] = [];
  const rows: LabelledText[] = [];
  for (const [file, split] of [
    ['train_stockemo.csv', 'train'],
    ['val_stockemo.csv', 'test'],
  ] as const) {
    const path = join(dir, 'stockemotions', file);
    const bytes = readFileSync(path);
    const records = parse(bytes, { columns: true }) as { senti_label: string; original: string }[];
    read(path, 'stockemotions', files, records.length);
    for (const r of records) {
      rows.push({
        set: 'stockemotions',
        text: r.original,
        label: r.senti_label === 'bullish' ? 'positive' : 'negative',
        split,
      });
    }
  }
  const pbDir = join(dir, 'financial-phrasebank');
  const allAgreeBytes = readFileSync(join(pbDir, 'Sentences_AllAgree.txt'));
  const allAgree = new Set(phrasebank(allAgreeBytes).map((r) => r.text));
  const pbPath = join(pbDir, 'Sentences_50Agree.txt');
  const pb = phrasebank(readFileSync(pbPath));
  read(pbPath, 'phrasebank', files, pb.length);
  for (const r of pb) {
    rows.push({
      set: 'phrasebank',
      ...r,
      split: isHeldOut(r.text) ? 'test' : 'train',
      allAgree: allAgree.has(r.text),
    });
  }
  const surgePath = join(dir, 'surge-ai', 'sentiment.csv');
  const surge = parse(readFileSync(surgePath), { columns: true }) as Record<string, string>[];
  read(surgePath, 'surge', files, surge.length);
  for (const r of surge) {
    const text = r['Tweet Text'] ?? '';
    rows.push({
      set: 'surge',
      text,
      label: r.Sentiment === 'Positive' ? 'positive' : 'negative',
      split: isHeldOut(text) ? 'test' : 'train',
    });
  }
  return { rows, files };
}
