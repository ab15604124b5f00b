import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { badRecordPlan } from './bad-records.js';
import { planMarket, type SimulatedEvent, type SimulationOptions } from './market-simulator.js';

/** What {@link writeSimulatedFiles} wrote: one JSON Lines file per dataset. */
export interface SimulatedFiles {
  tradingDays: string[];
  files: { dataset: string; path: string; records: number }[];
}

const FLUSH_BYTES = 1 << 20;

/** A JSON Lines file written through a 1 MB buffer with synchronous writes: memory stays bounded. */
class LineFile {
  private readonly fd: number;
  private chunks: string[] = [];
  private size = 0;
  records = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  write(value: unknown): void {
    const line = `${JSON.stringify(value)}\n`;
    this.chunks.push(line);
    this.size += line.length;
    this.records += 1;
    if (this.size >= FLUSH_BYTES) this.flush();
  }

  private flush(): void {
    if (this.chunks.length) writeSync(this.fd, this.chunks.join(''));
    this.chunks = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/**
 * Write the market {@link simulateMarket} would return as JSON Lines files (symbol_refs, trades,
 * quotes, sentiment_posts), byte for byte the same records, in bounded memory at any size: events
 * go to disk as they are simulated. With a bad-record rate the simulation runs twice (a counting
 * pass first, so the same records are corrupted as in memory).
 */
export function writeSimulatedFiles(options: SimulationOptions, outDir: string): SimulatedFiles {
  mkdirSync(outDir, { recursive: true });
  const counting = planMarket(options);
  const o = counting.resolved;
  let plans:
    | { trades: ReturnType<typeof badRecordPlan>; quotes: ReturnType<typeof badRecordPlan> }
    | undefined;
  if (o.badRate > 0) {
    const n = { trades: 0, quotes: 0 };
    counting.posts((events) => {
      for (const e of events) n[e.dataset] += 1;
    });
    plans = {
      trades: badRecordPlan('trades', n.trades, o.badRate, o.seed),
      quotes: badRecordPlan('quotes', n.quotes, o.badRate, o.seed),
    };
  }
  const refs = new LineFile(join(outDir, 'symbol_refs.jsonl'));
  for (const r of counting.symbolRefs) refs.write(r);
  refs.close();
  const out = {
    trades: new LineFile(join(outDir, 'trades.jsonl')),
    quotes: new LineFile(join(outDir, 'quotes.jsonl')),
  };
  const posts = new LineFile(join(outDir, 'sentiment_posts.jsonl'));
  try {
    const written = planMarket(options).posts((events: Iterable<SimulatedEvent>) => {
      for (const e of events) {
        const file = out[e.dataset];
        const corrupt = plans?.[e.dataset].get(file.records);
        file.write(corrupt ? corrupt(e.record) : e.record);
      }
    });
    const postPlan = badRecordPlan('posts', written.length, o.badRate, o.seed);
    written.forEach((p, i) => {
      posts.write(postPlan.get(i)?.(p) ?? p);
    });
  } finally {
    out.trades.close();
    out.quotes.close();
    posts.close();
  }
  return {
    tradingDays: counting.tradingDays,
    files: [
      { dataset: 'symbol_refs', path: refs.path, records: refs.records },
      { dataset: 'trades', path: out.trades.path, records: out.trades.records },
      { dataset: 'quotes', path: out.quotes.path, records: out.quotes.records },
      { dataset: 'sentiment_posts', path: posts.path, records: posts.records },
    ],
  };
}
