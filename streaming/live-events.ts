import { z } from 'zod';

/**
 * Live events: what the stream worker publishes as it commits, and what the web UI (and anyone
 * else) subscribes to. One shape for both transports: a Redis pub/sub channel when Redis is
 * configured, the in-process bus otherwise. The alert shape follows gold.fact_alerts, so a live
 * alert and the batch model's alert for the same bar compare field by field.
 */
export const ALERT_RULES = ['price_move_1m', 'volume_spike', 'high_low_swing_1m'] as const;

export const liveAlertSchema = z.object({
  symbol: z.string(),
  bar_start_at: z.iso.datetime({ offset: true }),
  rule: z.enum(ALERT_RULES),
  threshold: z.number(),
  observed_value: z.number(),
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  volume: z.number(),
});
export type LiveAlert = z.infer<typeof liveAlertSchema>;

/** A 1-minute bar as it closes (or updates) in the stream's window. */
export const liveBarSchema = z.object({
  symbol: z.string(),
  bar_start_at: z.iso.datetime({ offset: true }),
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  volume: z.number(),
  trade_count: z.number().int(),
  vwap: z.number().nullable(),
  final: z.boolean(),
});
export type LiveBar = z.infer<typeof liveBarSchema>;

/** A committed trade, as few fields as a live chart needs. */
export const liveTradeSchema = z.object({
  symbol: z.string(),
  event_at: z.iso.datetime({ offset: true }),
  price: z.number(),
  size: z.number(),
});
export type LiveTrade = z.infer<typeof liveTradeSchema>;

export const LIVE_KINDS = ['alerts', 'bars', 'trades'] as const;
export type LiveKind = (typeof LIVE_KINDS)[number];

export interface LiveEventMap {
  alerts: LiveAlert;
  bars: LiveBar;
  trades: LiveTrade;
}

/** The Redis pub/sub channel of one kind of live event, inside the lake's queue prefix. */
export function liveChannel(queuePrefix: string, kind: LiveKind): string {
  return `${queuePrefix}:live:${kind}`;
}
