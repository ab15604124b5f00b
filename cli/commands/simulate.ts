import { UsageError } from '../../layers/index.js';
import {
  LIVE_ANOMALY_KINDS,
  type LiveAnomaly,
  startAlpacaSimulator,
  writeSimulatedFiles,
} from '../../pipelines/index.js';
import { type CommandContext, out } from '../context.js';
import { type SimulationFlags, simulationOptions } from './simulation-flags.js';

export interface SimulateFlags extends SimulationFlags {
  out: string;
  ws?: number;
  rate: number;
  speed: number;
  key: string;
  secret: string;
  maxTrades?: number;
  anomaly?: string[];
  lateShare: number;
  lateMs: number;
  startAt?: string;
}

function anomalies(specs: readonly string[] = []): LiveAnomaly[] {
  return specs.map((s) => {
    const [kind, symbol, minute] = s.split(':');
    if (!LIVE_ANOMALY_KINDS.includes(kind as LiveAnomaly['kind']) || !symbol || !/^\d+$/.test(minute ?? ''))
      throw new UsageError(
        `--anomaly ${s}: expected kind:SYMBOL:minute with kind one of ${LIVE_ANOMALY_KINDS.join(', ')}`,
      );
    return { kind: kind as LiveAnomaly['kind'], symbol, minute: Number(minute) };
  });
}

/** Write a simulated market as JSON Lines files (bounded memory), or serve it live (`--ws`). */
export async function simulateCommand(ctx: CommandContext, flags: SimulateFlags): Promise<number> {
  if (flags.ws !== undefined) {
    if (!(flags.rate >= 1 && flags.rate <= 200_000)) throw new UsageError('--rate must be within 1..200000');
    if (!(flags.speed > 0)) throw new UsageError('--speed must be > 0');
    const startMs = flags.startAt === undefined ? undefined : Date.parse(flags.startAt);
    if (startMs !== undefined && Number.isNaN(startMs))
      throw new UsageError('--start-at must be an ISO time');
    const sim = await startAlpacaSimulator({
      port: flags.ws,
      key: flags.key,
      secret: flags.secret,
      tradesPerSecond: flags.rate,
      speed: flags.speed,
      seed: flags.seed,
      anomalies: anomalies(flags.anomaly),
      lateShare: flags.lateShare,
      lateMaxMs: flags.lateMs,
      ...(startMs !== undefined ? { startMs } : {}),
      ...(flags.maxTrades !== undefined ? { maxTrades: flags.maxTrades } : {}),
    });
    ctx.logger.info({ url: sim.url, rate: flags.rate }, 'simulator listening');
    out(ctx.config.json ? JSON.stringify({ url: sim.url, port: sim.port }) : `listening on ${sim.url}`);
    await new Promise<void>((resolve) => {
      process.once('SIGTERM', resolve);
      process.once('SIGINT', resolve);
    });
    const stats = sim.stats();
    await sim.close();
    ctx.logger.info({ ...stats }, 'simulator stopped');
    if (ctx.config.json) out(JSON.stringify(stats));
    return 0;
  }
  const written = writeSimulatedFiles(simulationOptions(flags), flags.out);
  for (const f of written.files) {
    ctx.logger.info({ dataset: f.dataset, path: f.path, records: f.records }, 'simulated file written');
    if (!ctx.config.json) out(`${f.path}: ${f.records} records`);
  }
  if (ctx.config.json) out(JSON.stringify({ out: flags.out, tradingDays: written.tradingDays }));
  return 0;
}
