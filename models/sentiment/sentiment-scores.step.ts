import { randomUUID } from 'node:crypto';
import { ident, type LakeSession } from '../../layers/index.js';
import type { ModelStep } from '../model.js';
import { loadFinanceModel } from './model-store.js';
import { type ScorerKind, scorerFor, sentimentScoring } from './scorer-config.js';
import { SENTIMENT_SCORER, sentimentScore } from './vader-scorer.js';

interface PostText {
  source: string;
  post_id: string;
  content_hash: string;
  dt: string;
  text: string | null;
}

/** A scorer as the step uses it: what it records with each score, and the score. */
interface Scorer {
  name: string;
  version: string;
  score(text: string): number;
}

const vader: Scorer = { ...SENTIMENT_SCORER, score: sentimentScore };

function describeScoring(): string {
  const c = sentimentScoring();
  const finance = `finance classifier ${c.financeModel}`;
  const label = (k: ScorerKind) =>
    k === 'vader' ? `${SENTIMENT_SCORER.name} ${SENTIMENT_SCORER.version}` : finance;
  const sources = Object.keys(c.sources)
    .sort()
    .map((s) => `${s}: ${label(c.sources[s]!)}`);
  return `sentiment score by ${label(c.default)}${sources.length ? `; ${sources.join('; ')}` : ''}`;
}

/**
 * The scoring step of `silver.sentiment_scores`: DuckDB cannot call JavaScript, so the model's SQL
 * selects the distinct post texts of the input range, this step scores each with the scorer chosen
 * for its source (marketlake.yaml `sentiment:`; VADER by default, or the finance classifier trained
 * into the lake) and appends the scores, with the scorer's name and version, to a temporary table
 * that becomes the model's output.
 */
export const sentimentScoresStep: ModelStep = {
  describe: describeScoring,
  async run(session: LakeSession, inputSql: string) {
    const config = sentimentScoring();
    const posts = await session.all<PostText>(inputSql);
    let finance: Scorer | undefined;
    if (posts.some((p) => scorerFor(config, p.source) === 'finance')) {
      const model = await loadFinanceModel(session.lake.store, config.financeModel);
      finance = { name: model.name, version: model.version, score: (t) => model.score(t) };
    }
    const table = `sentiment_scores_${randomUUID().replace(/-/g, '')}`;
    const qualified = `temp.main.${ident(table)}`;
    await session.connection.run(
      `CREATE TEMP TABLE ${ident(table)} (source VARCHAR, post_id VARCHAR, content_hash VARCHAR, dt VARCHAR, sentiment_score DOUBLE, scorer_name VARCHAR, scorer_version VARCHAR)`,
    );
    const appender = await session.connection.createAppender(table, 'main', 'temp');
    try {
      for (const p of posts) {
        const scorer = scorerFor(config, p.source) === 'finance' ? finance! : vader;
        appender.appendVarchar(p.source);
        appender.appendVarchar(p.post_id);
        appender.appendVarchar(p.content_hash);
        appender.appendVarchar(p.dt);
        appender.appendDouble(scorer.score(p.text ?? ''));
        appender.appendVarchar(scorer.name);
        appender.appendVarchar(scorer.version);
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    return {
      sql: `SELECT source, post_id, content_hash, CAST(dt AS DATE) AS dt, sentiment_score, scorer_name, scorer_version FROM ${qualified}`,
      cleanup: async () => {
        await session.connection.run(`DROP TABLE IF EXISTS ${qualified}`);
      },
    };
  },
};
