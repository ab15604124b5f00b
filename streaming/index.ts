/** The stream half: live feeds → micro-batches in bronze, live windows and alerts, Redis Streams scale-out. */
export { ALPACA_DEFAULT_URL, type AlpacaFeedOptions, alpacaFeed } from './feeds/alpaca.feed.js';
export { BINANCE_DEFAULT_URL, type BinanceFeedOptions, binanceFeed } from './feeds/binance.feed.js';
export type { Feed, FeedFrame, FeedRecord } from './feeds/feed.js';
export {
  LakeCommitter,
  type LakeCommitterOptions,
  LIVE_ALERTS_TABLE,
  type LivePublisher,
} from './lake-committer.js';
export * from './live-events.js';
export { type ClosedBar, LiveWindows, type WindowAlert } from './live-windows.js';
export {
  COMMITTER_GROUP,
  entryRecords,
  type RedisCommitterSummary,
  redisConnectorSink,
  runRedisCommitter,
} from './redis-streams.js';
export { type BatchSink, committerSink, runStream, type StreamSummary } from './stream-worker.js';
