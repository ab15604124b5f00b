import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const RELEASE =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
// Renew our lock; if the key is gone (Redis restarted without its data), take it back unless another
// holder took it first.
const RENEW = `local v = redis.call('get', KEYS[1])
if v == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
if v == false then redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;

/**
 * A lock with expiry in Redis (SET NX PX), renewed while held, released only by its owner.
 * If the holder dies, the lock expires and another worker can take the task. A holder that finds
 * its key gone (Redis restarted empty) sets it again at the next renewal.
 */
export async function acquireLock(
  redis: Redis,
  key: string,
  ttlMs: number,
): Promise<(() => Promise<void>) | undefined> {
  const token = randomUUID();
  const ok = await redis.set(key, token, 'PX', ttlMs, 'NX');
  if (ok !== 'OK') return undefined;
  const timer = setInterval(
    () => {
      redis.eval(RENEW, 1, key, token, String(ttlMs)).catch(() => {});
    },
    Math.max(500, Math.floor(ttlMs / 3)),
  );
  timer.unref();
  return async () => {
    clearInterval(timer);
    await redis.eval(RELEASE, 1, key, token);
  };
}
