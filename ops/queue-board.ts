import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { QUEUES } from '../layers/index.js';
import { type QueueTarget, redisConnection } from '../orchestrator/queue/connection.js';

/** The run and task queues of one lake, opened for looking at (the board, queue metrics). */
export interface LakeQueues {
  readonly runs: Queue;
  readonly tasks: Queue;
  close(): Promise<void>;
}

/** Open the run and task queues of a lake (see resolveQueueTarget) on one Redis connection. */
export function openLakeQueues(target: Pick<QueueTarget, 'redisUrl' | 'prefix'>): LakeQueues {
  const connection = redisConnection(target.redisUrl);
  // While Redis is away the queues retry quietly; readiness (/readyz) is what reports it.
  connection.on('error', () => {});
  const runs = new Queue(QUEUES.runs, { connection, prefix: target.prefix });
  const tasks = new Queue(QUEUES.tasks, { connection, prefix: target.prefix });
  for (const q of [runs, tasks]) q.on('error', () => {});
  return {
    runs,
    tasks,
    async close() {
      // While Redis is away a graceful close would wait for it: give it a moment, then cut.
      const closed = Promise.all([runs.close(), tasks.close()]).catch(() => {});
      await Promise.race([closed, new Promise((r) => setTimeout(r, 2_000).unref())]);
      connection.disconnect();
    },
  };
}

export interface QueueBoardOptions {
  /** Where the board lives on the server (default `/queues`). */
  basePath?: string;
  /**
   * Allow retrying, promoting, cleaning and removing jobs from the page (`--queue-admin`).
   * Default false: the board only shows the queues.
   */
  admin?: boolean;
}

/**
 * Mount bull-board for a lake's run and task queues on a Fastify app (the `ui` server, or the
 * worker's metrics server with `--queue-board`). Read-only unless `admin`. Register it before the
 * app starts listening.
 */
export async function registerQueueBoard(
  app: FastifyInstance,
  queues: Pick<LakeQueues, 'runs' | 'tasks'>,
  options: QueueBoardOptions = {},
): Promise<{ basePath: string }> {
  const basePath = (options.basePath ?? '/queues').replace(/\/+$/, '') || '/queues';
  const readOnlyMode = !options.admin;
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(basePath);
  createBullBoard({
    queues: [
      new BullMQAdapter(queues.runs, { readOnlyMode, allowRetries: !readOnlyMode, displayName: 'runs' }),
      new BullMQAdapter(queues.tasks, { readOnlyMode, allowRetries: !readOnlyMode, displayName: 'tasks' }),
    ],
    serverAdapter,
    options: { uiConfig: { boardTitle: 'marketlake queues' } },
  });
  await app.register(serverAdapter.registerPlugin(), { prefix: basePath });
  return { basePath };
}
