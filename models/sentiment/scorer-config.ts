import { z } from 'zod';

/** Scorers `silver.sentiment_scores` can use: VADER (general lexicon) or the trained finance classifier. */
export const SCORER_KINDS = ['vader', 'finance'] as const;
export type ScorerKind = (typeof SCORER_KINDS)[number];

/**
 * The `sentiment:` section of marketlake.yaml: which scorer scores each source's posts.
 *
 * ```yaml
 * sentiment:
 *   default: vader            # sources not listed
 *   sources:
 *     stocktwits: finance
 *     headlines: finance
 *   financeModel: latest      # or a version from `marketlake sentiment list`, e.g. lr-4e637152c9dc
 * ```
 * With `latest`, each build scores with the newest model trained into the lake and records its
 * version per row; pin a version to rescore everything (the model's definition changes) when you
 * move to another one.
 */
export const SentimentScoringConfig = z
  .object({
    default: z.enum(SCORER_KINDS).default('vader'),
    sources: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'source name'), z.enum(SCORER_KINDS))
      .default({}),
    financeModel: z
      .string()
      .regex(/^(latest|lr-[0-9a-f]{12})$/, "'latest' or a model version such as lr-4e637152c9dc")
      .default('latest'),
  })
  .strict();
export type SentimentScoringConfig = z.infer<typeof SentimentScoringConfig>;

const DEFAULT: SentimentScoringConfig = Object.freeze({
  default: 'vader',
  sources: {},
  financeModel: 'latest',
});
let current: SentimentScoringConfig = DEFAULT;

/**
 * Set the scorer choice of this process (loadProjectConfig does, from marketlake.yaml); without it
 * every source is scored with VADER.
 */
export function configureSentimentScoring(config: SentimentScoringConfig | undefined): void {
  current = Object.freeze({
    ...(config ?? DEFAULT),
    sources: Object.freeze({ ...(config ?? DEFAULT).sources }),
  });
}

export function sentimentScoring(): SentimentScoringConfig {
  return current;
}

/** Scorer of one source's posts. */
export function scorerFor(config: SentimentScoringConfig, source: string): ScorerKind {
  return config.sources[source] ?? config.default;
}
