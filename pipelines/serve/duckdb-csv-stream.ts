import { execFile } from 'node:child_process';
import { constants, createReadStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import type { LakeSession } from '../../layers/index.js';
import { literal } from '../../layers/index.js';
import { reason, ServingError } from './errors.js';

const run = promisify(execFile);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let pipes = 0;

/** What streamCsvFromDuckdb measured: rows the consumer loaded and rows DuckDB wrote. */
export interface StreamedCsv {
  loaded: number;
  written: number;
}

/**
 * Stream the rows of `select` out of DuckDB as CSV (no header line) into `consume`, without a
 * temporary file: DuckDB's own CSV writer (fast, exact doubles and microsecond timestamps) writes
 * into a named pipe in `dir` while `consume` reads it, so memory and disk use stay flat whatever the
 * table size. `consume` returns the rows it loaded; the caller compares them with `written`.
 * DuckDB writes TIMESTAMPTZ as `2024-01-02 14:30:00.123456+00` and doubles in shortest round-trip
 * form; NULL is an empty field and an empty string is `""`: PostgreSQL reads all of them back exactly.
 */
export async function streamCsvFromDuckdb(
  session: LakeSession,
  select: string,
  dir: string,
  consume: (csv: Readable) => Promise<number>,
): Promise<StreamedCsv> {
  pipes += 1;
  const fifo = join(dir, `copy-${process.pid}-${pipes}.csv`);
  try {
    await run('mkfifo', ['-m', '600', fifo]);
  } catch (error) {
    throw new ServingError(`cannot create a named pipe in ${dir}: ${reason(error)}`, {
      cause: error,
      permanent: true,
    });
  }
  let settled = false;
  const copy = session
    .all<{ Count: string | number }>(
      `COPY (${select}) TO ${literal(fifo)} (FORMAT csv, HEADER false, USE_TMP_FILE false)`,
    )
    .finally(() => {
      settled = true;
    });
  const csv = createReadStream(fifo, { highWaterMark: 1 << 20 });
  // DuckDB failed before it opened the pipe: open it for writing, so the reader's open returns and sees EOF.
  copy.catch(async () => {
    while (!csv.closed && !csv.destroyed) {
      await unblock(fifo, constants.O_WRONLY);
      await pause(20);
    }
  });
  try {
    let loaded: number;
    try {
      loaded = await consume(csv);
    } catch (error) {
      csv.destroy();
      // DuckDB may still wait to open the pipe, or be writing: give it a reader that goes away,
      // so its write fails (EPIPE) and its COPY ends.
      while (!settled) {
        await unblock(fifo, constants.O_RDONLY);
        await Promise.race([copy.catch(() => undefined), pause(20)]);
      }
      throw error;
    }
    const [written] = await copy.catch((error: unknown) => {
      throw new ServingError(`cannot read the lake for serving: ${reason(error)}`, {
        cause: error,
        permanent: true,
      });
    });
    return { loaded, written: Number(written?.Count) };
  } finally {
    csv.destroy();
    await rm(fifo, { force: true });
  }
}

/** Open the pipe without blocking and close it again: ends a blocked open on the other side. */
async function unblock(fifo: string, mode: number): Promise<void> {
  try {
    const handle = await open(fifo, mode | constants.O_NONBLOCK);
    await pause(10);
    await handle.close();
  } catch {
    // No one on the other side (ENXIO), or the pipe is gone: nothing to unblock.
  }
}
