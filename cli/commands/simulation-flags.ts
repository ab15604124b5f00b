import type { SimulationOptions } from '../../pipelines/index.js';

/** The simulator flags shared by `demo` and `simulate`. */
export interface SimulationFlags {
  days: number;
  seed: number;
  start: string;
  tradesPerDay: number;
  quotesPerDay: number;
  postsPerDay: number;
  badRate: number;
}

export function simulationOptions(flags: SimulationFlags): SimulationOptions {
  return {
    seed: flags.seed,
    startDate: flags.start,
    days: flags.days,
    tradesPerSymbolDay: flags.tradesPerDay,
    quotesPerSymbolDay: flags.quotesPerDay,
    postsPerSymbolDay: flags.postsPerDay,
    badRecordRate: flags.badRate,
  };
}
