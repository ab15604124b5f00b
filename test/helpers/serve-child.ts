/**
 * A serving process for the kill tests: serves the named gold tables of the lake at LAKE_URL to
 * DATABASE_URL through serveGold (the CLI's code path) and prints the result as JSON.
 * MARKETLAKE_CRASH_AT makes it kill itself with SIGKILL at a serving crash point.
 * Usage: serve-child <table>[,<table>...] [full]
 */
import { LakeSession, loadConfig, openLake } from '../../layers/index.js';
import { openServingTarget, serveGold } from '../../pipelines/serve/index.js';

const [tables, mode] = process.argv.slice(2);
const config = loadConfig();
const lake = openLake(config);
const session = await LakeSession.open(lake);
const target = await openServingTarget({ databaseUrl: config.databaseUrl, pgliteDir: '' });
try {
  const served = await serveGold(session, target, tables!.split(','), mode === 'full' ? { full: true } : {});
  process.stdout.write(`${JSON.stringify(served)}\n`);
} finally {
  await target.close();
  session.close();
  await lake.close();
}
