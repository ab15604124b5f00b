import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface WorkerProcess {
  pid: number;
  child: ChildProcess;
  output(): string;
  /** SIGTERM and wait for a graceful exit. */
  stop(): Promise<number | null>;
}

/** Start `marketlake worker` processes (from source) with the given environment. */
export function startWorkers(env: Record<string, string>, count: number, concurrency = 1): WorkerProcess[] {
  return Array.from({ length: count }, () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'cli/main.ts',
        'worker',
        '--concurrency',
        String(concurrency),
        '--grace-seconds',
        '10',
      ],
      { cwd: root, env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let log = '';
    child.stdout?.on('data', (d) => {
      log += String(d);
    });
    child.stderr?.on('data', (d) => {
      log += String(d);
    });
    return {
      pid: child.pid!,
      child,
      output: () => log,
      stop: () =>
        new Promise<number | null>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
          child.once('exit', (code) => resolve(code));
          child.kill('SIGTERM');
        }),
    };
  });
}

/** Wait until `check` returns a value (polling), or fail after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
