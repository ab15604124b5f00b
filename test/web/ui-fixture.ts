import { createLogger, LakeSession, loadConfig } from '../../layers/index.js';
import { runDemo } from '../../orchestrator/index.js';
import { LakeReader, PostgresReader } from '../../web/index.js';
import { createTestDatabase } from '../helpers/pg-database.js';
import { tempLake } from '../helpers/temp-lake.js';

/** One simulated session of 10 symbols: small enough for the main suite, with alerts in it. */
export const SESSION = '2024-03-04';
export const SIMULATION = {
  seed: 11,
  startDate: SESSION,
  days: 1,
  tradesPerSymbolDay: 600,
  quotesPerSymbolDay: 40,
  postsPerSymbolDay: 3,
};

export interface UiFixture {
  env: Awaited<ReturnType<typeof tempLake>>;
  databaseUrl: string;
  /** A trusted session of the test itself, to read gold independently of the API. */
  session: LakeSession;
  lakeReader: LakeReader;
  pgReader: PostgresReader;
  close(): Promise<void>;
}

/**
 * A lake built by the demo pipeline, its gold also served to a fresh PostgreSQL database, and both
 * readers the API uses.
 */
export async function openUiFixture(prefix: string): Promise<UiFixture> {
  const env = await tempLake(`marketlake-${prefix}-`);
  const db = await createTestDatabase(prefix);
  const config = loadConfig({ LAKE_URL: env.dir, DATABASE_URL: db.url });
  const summary = await runDemo(config, env.lake, createLogger({ level: 'silent' }), {
    simulation: SIMULATION,
  });
  if (summary.status !== 'succeeded') throw new Error(`demo failed: ${JSON.stringify(summary.models)}`);
  const session = await LakeSession.open(env.lake);
  const lakeReader = await LakeReader.open(env.lake, { refreshMs: 200 });
  const pgReader = new PostgresReader(db.url);
  return {
    env,
    databaseUrl: db.url,
    session,
    lakeReader,
    pgReader,
    close: async () => {
      await lakeReader.close();
      await pgReader.close();
      session.close();
      await env.cleanup();
      await db.drop();
    },
  };
}
