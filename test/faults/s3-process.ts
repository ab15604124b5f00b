import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './postgres-server.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * s3rver in a child process on a fixed port with a persistent data folder, so the "S3 server"
 * can be killed and started again under a running command (the in-process helper of
 * test/helpers/s3-server.ts cannot be restarted cleanly). Objects survive a restart.
 */
export interface S3Process {
  readonly port: number;
  readonly endpoint: string;
  readonly bucket: string;
  /** s3rver's data folder (objects as files, under `<dir>/<bucket>/`). */
  readonly directory: string;
  /** Environment for a marketlake process talking to this server. */
  readonly env: Record<string, string>;
  readonly running: boolean;
  start(): Promise<void>;
  /** SIGKILL by default: connections in flight are cut, like a crashed server. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  restart(downMs?: number): Promise<void>;
  destroy(): Promise<void>;
}

const SCRIPT = `
const S3rver = require('s3rver');
const [port, directory, bucket] = process.argv.slice(1);
new S3rver({ address: '127.0.0.1', port: Number(port), silent: true, directory, configureBuckets: [{ name: bucket }] })
  .run()
  .then(() => process.stdout.write('ready\\n'), (err) => { console.error(err); process.exit(1); });
`;

export async function startS3Process(bucket = 'lake'): Promise<S3Process> {
  const directory = mkdtempSync(join(tmpdir(), 'marketlake-s3proc-'));
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const start = async () => {
    if (child) return;
    const deadline = Date.now() + 20_000;
    // The port may still be in TIME_WAIT/closing right after a kill: retry briefly.
    for (;;) {
      const proc = spawn(process.execPath, ['-e', SCRIPT, String(port), directory, bucket], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      proc.stderr?.on('data', (d: Buffer) => {
        err += d.toString();
      });
      const ok = await new Promise<boolean>((resolve) => {
        proc.stdout?.on('data', (d: Buffer) => {
          if (d.toString().includes('ready')) resolve(true);
        });
        proc.once('exit', () => resolve(false));
      });
      if (ok) {
        child = proc;
        proc.once('exit', () => {
          if (child === proc) child = undefined;
        });
        return;
      }
      if (Date.now() > deadline) throw new Error(`s3rver did not start: ${err}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const stop = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const proc = child;
    if (!proc) return;
    child = undefined;
    await new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill(signal);
    });
  };
  await start();
  return {
    port,
    endpoint,
    bucket,
    directory,
    env: {
      S3_ENDPOINT: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    },
    get running() {
      return child !== undefined;
    },
    start,
    stop,
    async restart(downMs = 2_000) {
      await stop();
      await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    async destroy() {
      await stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * A TCP proxy in front of a server (the S3 endpoint the CLI is given) that can fire a fault at
 * a precise moment: `arm(pattern, fault)` waits for `pattern` in the client's bytes (e.g.
 * `PUT /lake/pfx/bronze/`), forwards only a little past it (a request cut mid-body), then runs
 * `fault` (kill the server, wait, start it again). Connections opened while the server is down
 * are dropped, as a client would see them.
 */
export interface FaultProxy {
  readonly port: number;
  readonly endpoint: string;
  /** Resolves when the pattern was seen and `fault` finished. */
  arm(pattern: string, fault: () => Promise<void>): Promise<void>;
  /** Times the armed pattern fired so far. */
  readonly fired: number;
  close(): Promise<void>;
}

export async function startFaultProxy(targetPort: number): Promise<FaultProxy> {
  const { createServer, connect } = await import('node:net');
  let armed: { pattern: Buffer; fault: () => Promise<void>; done: (err?: unknown) => void } | undefined;
  let fired = 0;
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(upstream);
    let tail = Buffer.alloc(0);
    let cut = false;
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
    upstream.on('data', (d: Buffer) => {
      if (!cut) client.write(d);
    });
    client.on('data', (d: Buffer) => {
      if (cut) return;
      const trigger = armed;
      if (trigger) {
        const seen = Buffer.concat([tail, d]);
        const at = seen.indexOf(trigger.pattern);
        if (at >= 0) {
          armed = undefined;
          fired += 1;
          // Forward the request line and a little more, then stop: the request is cut mid-way.
          const upTo = Math.max(0, at - tail.length + trigger.pattern.length + 200);
          upstream.write(d.subarray(0, Math.min(d.length, upTo)));
          cut = true;
          trigger.fault().then(
            () => trigger.done(),
            (err: unknown) => trigger.done(err),
          );
          return;
        }
        tail = seen.subarray(Math.max(0, seen.length - trigger.pattern.length));
      }
      upstream.write(d);
    });
  });
  const port = await new Promise<number>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : 0);
    });
  });
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    get fired() {
      return fired;
    },
    arm(pattern, fault) {
      return new Promise<void>((resolve, reject) => {
        armed = {
          pattern: Buffer.from(pattern),
          fault,
          done: (err) => (err ? reject(err) : resolve()),
        };
      });
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
