import type { ObjectStore } from '../../layers/index.js';

/** What a finished piece of backfill work left behind (kept in the lake under `_backfill/`). */
export interface LedgerEntry {
  key: string;
  source: string;
  dataset: string;
  finishedAt: string;
  /** Records read, accepted to bronze, quarantined (for a duplicate batch: 0). */
  read: number;
  accepted: number;
  quarantined: number;
  /** HTTP requests it took (0 for files). */
  requests: number;
  seconds: number;
  contentHashes: string[];
  /** Files: the sha256 of each input file (a changed file makes the day due again). */
  inputHashes?: string[];
}

const ROOT = '_backfill/done/';

/**
 * The record of finished work: one small JSON object per fetched unit or file day, written after
 * its batch committed. A rerun skips what is here (unless --force); the plan's estimates come from
 * it. Losing an entry is harmless: the work is redone and its batch is found to be a duplicate.
 */
export class BackfillLedger {
  constructor(private readonly store: ObjectStore) {}

  async get(key: string): Promise<LedgerEntry | undefined> {
    const text = await this.store.readText(ROOT + key);
    return text ? (JSON.parse(text) as LedgerEntry) : undefined;
  }

  async put(entry: LedgerEntry): Promise<void> {
    await this.store.writeText(ROOT + entry.key, JSON.stringify(entry));
  }

  /** Every entry under a key prefix (`alpaca/trades/`), for estimates. */
  async list(prefix: string): Promise<LedgerEntry[]> {
    const out: LedgerEntry[] = [];
    for (const o of await this.store.list(ROOT + prefix)) {
      const text = await this.store.readText(o.key);
      if (text) out.push(JSON.parse(text) as LedgerEntry);
    }
    return out;
  }
}
