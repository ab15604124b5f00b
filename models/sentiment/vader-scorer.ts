import { createRequire } from 'node:module';

interface VaderModule {
  SentimentIntensityAnalyzer: { polarity_scores(text: string): { compound: number } };
}

const require = createRequire(import.meta.url);
// vader-sentiment is CommonJS without types: load it once, typed to the one call we make.
const vader = require('vader-sentiment') as VaderModule;
const pkg = require('vader-sentiment/package.json') as { name: string; version: string };

/** The scorer recorded with every score: npm package name and version. */
export const SENTIMENT_SCORER = Object.freeze({ name: pkg.name, version: pkg.version });

/**
 * Sentiment of a social post or headline in [-1, 1]: VADER's normalised compound score (a
 * lexicon and rule scorer tuned for social media text: emphasis, negation, emoticons, slang).
 * Conventional cut-offs: >= 0.05 positive, <= -0.05 negative, neutral in between.
 * Deterministic: the same text always gets the same score.
 */
export function sentimentScore(text: string): number {
  if (text.trim() === '') return 0;
  const compound = vader.SentimentIntensityAnalyzer.polarity_scores(text).compound;
  return Math.max(-1, Math.min(1, compound));
}

/** VADER's conventional label for a score. */
export function sentimentLabel(score: number): 'positive' | 'negative' | 'neutral' {
  if (score >= 0.05) return 'positive';
  if (score <= -0.05) return 'negative';
  return 'neutral';
}
