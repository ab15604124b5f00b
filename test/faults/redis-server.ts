import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';

/**
 * A private redis-server for fault tests: no persistence (`--save '' --appendonly no`), so a
 * restart comes back EMPTY, like a Redis whose data was lost. Loopback only, its own temp folder,
 * a free port (or the one given). The shared Redis on 6379 is never touched.
 */
export interface RedisServer {
  /** `redis://[:password@]127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Start it again after `stop` (same port). */
  start(): Promise<void>;
  /** Stop it (SIGTERM, or SIGKILL for a crash) and wait for the process to exit. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Stop, stay down `downMs`, start again on the same port: all data is gone. */
  restart(options?: { downMs?: number; signal?: 'SIGTERM' | 'SIGKILL' }): Promise<void>;
  /** Stop for good and remove its folder. */
  destroy(): Promise<void>;
  /** What the server printed (for failure messages). */
  log(): string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** PING until the server answers (any reply: PONG, or NOAUTH when a password is set). */
async function waitReady(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.setTimeout(1_000);
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (d) => {
        socket.destroy();
        resolve(/^[+-]/.test(String(d)));
      });
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`private redis-server on ${port} not ready`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Start a private redis-server (see RedisServer). `password` sets `--requirepass`. */
export async function startRedis(port?: number, options: { password?: string } = {}): Promise<RedisServer> {
  const chosen = port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'marketlake-redis-'));
  let child: ChildProcess | undefined;
  let output = '';
  const args = [
    '--port',
    String(chosen),
    '--save',
    '',
    '--appendonly',
    'no',
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    ...(options.password ? ['--requirepass', options.password] : []),
  ];
  const start = async () => {
    if (child && child.exitCode === null && child.signalCode === null) return;
    const proc = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.stdout?.on('data', (d) => {
      output += String(d);
    });
    proc.stderr?.on('data', (d) => {
      output += String(d);
    });
    const exited = new Promise<never>((_, reject) =>
      proc.once('exit', (code) =>
        reject(new Error(`redis-server exited (${code}) on start:\n${output.slice(-2_000)}`)),
      ),
    );
    exited.catch(() => {});
    await Promise.race([waitReady(chosen), exited]);
  };
  const stop = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill(signal);
    });
  };
  await start();
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
  return {
    url: `redis://${auth}127.0.0.1:${chosen}`,
    port: chosen,
    start,
    stop,
    async restart({ downMs = 1_500, signal = 'SIGTERM' } = {}) {
      await stop(signal);
      await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    async destroy() {
      await stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => output,
  };
}
