/**
 * A writer process for the lakehouse tests: overwrites (or appends to) one partition of a test table
 * `iterations` times with `rows` rows labelled `label`. Configured by the environment (LAKE_URL,
 * CATALOG_URL, S3_*) like the real CLI; MARKETLAKE_CRASH_AT makes it kill itself mid-commit.
 * Usage: lake-writer <table> <partition> <label> <rows> <iterations> <overwrite|append>
 */
import {
  LakeSession,
  literal,
  loadConfig,
  openLake,
  parseTableName,
  writeTable,
} from '../../layers/index.js';

const [table, partition, label, rows, iterations, mode] = process.argv.slice(2);
const config = loadConfig();
const lake = openLake(config);
const session = await LakeSession.open(lake);
const ref = parseTableName(table!);
for (let i = 0; i < Number(iterations); i++) {
  const sql = `SELECT ${literal(label!)} AS label, range AS i, ${i} AS iteration, DATE ${literal(partition!)} AS dt FROM range(${Number(rows)})`;
  await writeTable(session, ref, sql, {
    operation: mode === 'append' ? 'append' : 'overwrite_partitions',
    partitionColumn: 'dt',
    partitions: [partition!],
  });
}
session.close();
await lake.close();
