import { randomUUID } from 'node:crypto';
import { ident, type LakeSession } from '../../layers/index.js';
import type { ModelStep } from '../model.js';
import { SENTIMENT_SCORER, sentimentScore } from './vader-scorer.js';

interface PostText {
  source: string;
  post_id: string;
  content_hash: string;
  dt: string;
  text: string | null;
}

/**
 * The scoring step of `silver.sentiment_scores`: DuckDB cannot call JavaScript, so the model's SQL
 * selects the distinct post texts of the input range, this step scores each with VADER and appends
 * the scores to a temporary table, and that table becomes the model's output.
 */
export const sentimentScoresStep: ModelStep = {
  describe: () => `${SENTIMENT_SCORER.name} ${SENTIMENT_SCORER.version} compound score`,
  async run(session: LakeSession, inputSql: string) {
    const posts = await session.all<PostText>(inputSql);
    const table = `sentiment_scores_${randomUUID().replace(/-/g, '')}`;
    const qualified = `temp.main.${ident(table)}`;
    await session.connection.run(
      `CREATE TEMP TABLE ${ident(table)} (source VARCHAR, post_id VARCHAR, content_hash VARCHAR, dt VARCHAR, sentiment_score DOUBLE, scorer_name VARCHAR, scorer_version VARCHAR)`,
    );
    const appender = await session.connection.createAppender(table, 'main', 'temp');
    try {
      for (const p of posts) {
        appender.appendVarchar(p.source);
        appender.appendVarchar(p.post_id);
        appender.appendVarchar(p.content_hash);
        appender.appendVarchar(p.dt);
        appender.appendDouble(sentimentScore(p.text ?? ''));
        appender.appendVarchar(SENTIMENT_SCORER.name);
        appender.appendVarchar(SENTIMENT_SCORER.version);
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
