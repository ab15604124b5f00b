/**
 * Test-only fault injection, driven by environment variables so it works across worker processes:
 * - MARKETLAKE_FAIL_TASK=`<task id>:<times>:<transient|permanent>` fails the task on its first
 *   `times` attempts with a transient (retried) or permanent (not retried) error.
 * - MARKETLAKE_SLOW_TASK=`<task id>:<ms>` makes the task wait before working (to kill a worker mid-task).
 */
import { MarketlakeError } from '../layers/index.js';

export class InjectedFault extends MarketlakeError {
  constructor(task: string, permanent: boolean) {
    super('INJECTED', `injected ${permanent ? 'permanent' : 'transient'} failure of ${task}`, { permanent });
  }
}

export async function injectFaults(taskId: string, attempt: number): Promise<void> {
  const slow = process.env.MARKETLAKE_SLOW_TASK?.split(':');
  if (slow && slow.slice(0, -1).join(':') === taskId)
    await new Promise((r) => setTimeout(r, Number(slow.at(-1))));
  const fail = process.env.MARKETLAKE_FAIL_TASK?.split(':');
  if (!fail || fail.length < 3) return;
  const kind = fail.at(-1);
  const times = Number(fail.at(-2));
  if (fail.slice(0, -2).join(':') === taskId && attempt <= times)
    throw new InjectedFault(taskId, kind === 'permanent');
}
