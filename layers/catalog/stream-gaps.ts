import type { Kysely } from 'kysely';
import type { CatalogDatabase } from './catalog-schema.js';

/** One gap of a live feed: no events between `gapFrom` and `gapTo` (a dropped connection). */
export interface StreamGap {
  gapId: number;
  source: string;
  dataset: string;
  /** Null: every symbol of the feed. */
  symbol: string | null;
  gapFrom: string;
  gapTo: string;
  recordedAt: string;
  /** Set by `backfill --gaps` once the range was loaded from the vendor's history. */
  filledAt: string | null;
}

export type NewStreamGap = Pick<StreamGap, 'source' | 'dataset' | 'symbol' | 'gapFrom' | 'gapTo'>;

/** Gaps of live feeds, kept in the catalog database (table `ml_stream_gaps`, migration 0005_stream). */
export interface StreamGapLog {
  record(gap: NewStreamGap): Promise<void>;
  /** Gaps, oldest first; only unfilled ones unless `all`. */
  list(options?: { all?: boolean }): Promise<StreamGap[]>;
  markFilled(gapId: number, filledAt?: string): Promise<void>;
}

export class SqlStreamGapLog implements StreamGapLog {
  constructor(private readonly db: Kysely<CatalogDatabase>) {}

  async record(gap: NewStreamGap): Promise<void> {
    await this.db
      .insertInto('ml_stream_gaps')
      .values({
        source: gap.source,
        dataset: gap.dataset,
        symbol: gap.symbol,
        gap_from: gap.gapFrom,
        gap_to: gap.gapTo,
        recorded_at: new Date().toISOString(),
        filled_at: null,
      })
      .execute();
  }

  async list(options: { all?: boolean } = {}): Promise<StreamGap[]> {
    let q = this.db.selectFrom('ml_stream_gaps').selectAll().orderBy('gap_from').orderBy('gap_id');
    if (!options.all) q = q.where('filled_at', 'is', null);
    const rows = await q.execute();
    return rows.map((r) => ({
      gapId: Number(r.gap_id),
      source: r.source,
      dataset: r.dataset,
      symbol: r.symbol,
      gapFrom: r.gap_from,
      gapTo: r.gap_to,
      recordedAt: r.recorded_at,
      filledAt: r.filled_at,
    }));
  }

  async markFilled(gapId: number, filledAt = new Date().toISOString()): Promise<void> {
    await this.db
      .updateTable('ml_stream_gaps')
      .set({ filled_at: filledAt })
      .where('gap_id', '=', gapId)
      .execute();
  }
}
