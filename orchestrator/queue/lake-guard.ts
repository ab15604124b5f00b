import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import type { Logger } from '../../layers/index.js';
import type { QueueTarget } from './connection.js';
import { queueTimings } from './connection.js';
import type { Refusals } from './messages.js';

/**
 * Whether a job belongs to this worker's lake. A job names its lake (`lakeId`); a job without one
 * (queued by a version before lake ids, or made by a job scheduler registered before them) is taken
 * only from the lake's own default prefix (`marketlake-<lake id>`), which no other lake's workers
 * listen on; under a shared QUEUE_PREFIX nobody can tell whose it is, so it is refused.
 */
export function ownsJob(
  data: { lakeId?: string | undefined },
  me: Pick<QueueTarget, 'lakeId' | 'ownPrefix'>,
) {
  return data.lakeId === undefined ? me.ownPrefix : data.lakeId === me.lakeId;
}

/**
 * Hand a job of another lake back without running it: back to `delayed` (a worker of its lake takes
 * it from there), with a delay doubling per refusal. A job refused `foreignMaxRefusals` times over at
 * least `foreignMaxMs` fails for good: no worker of its lake is there to take it. Always throws.
 */
export async function refuseJob(
  job: Job<{ lakeId?: string; refusals?: Refusals }>,
  token: string | undefined,
  me: Pick<QueueTarget, 'lakeId' | 'prefix'>,
  logger: Logger,
): Promise<never> {
  const t = queueTimings();
  const theirs = job.data.lakeId;
  const count = (job.data.refusals?.count ?? 0) + 1;
  const since = job.data.refusals?.since ?? Date.now();
  const fields = {
    queue: `${me.prefix}:${job.queueName}`,
    jobId: job.id,
    jobLakeId: theirs ?? null,
    workerLakeId: me.lakeId,
    refusals: count,
  };
  if (count > t.foreignMaxRefusals && Date.now() - since >= t.foreignMaxMs) {
    const minutes = Math.round((Date.now() - since) / 6_000) / 10;
    const message = theirs
      ? `no worker of lake ${theirs} took job ${job.id} (refused ${count - 1} times in ${minutes} min by workers of other lakes on queue prefix ${me.prefix})`
      : `job ${job.id} names no lake and sits under the shared queue prefix ${me.prefix}: no worker can tell it is its own (re-run \`marketlake schedule\` or re-queue it with this version)`;
    logger.warn(fields, 'job of another lake failed: no worker of its lake took it');
    throw new UnrecoverableError(message);
  }
  const refusals: Refusals = { count, since };
  await job.updateData({ ...job.data, refusals });
  const base = Math.min(t.foreignRetryMs * 2 ** Math.min(count - 1, 20), t.foreignRetryMaxMs);
  const delay = Math.round(base * (0.75 + Math.random() * 0.5));
  logger.warn(
    { ...fields, retryInMs: delay },
    theirs
      ? 'job of another lake refused: left for a worker of its lake'
      : 'job without a lake id under a shared queue prefix refused: left for others',
  );
  await job.moveToDelayed(Date.now() + delay, token);
  throw new DelayedError();
}
