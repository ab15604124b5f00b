import type { DatasetName } from '../../contracts/index.js';
import type { SourceRecord } from '../../pipelines/index.js';

/** One record of a frame, bound for the dataset it belongs to. */
export interface FeedRecord {
  dataset: DatasetName;
  record: SourceRecord;
}

/** What a feed adapter made of one WebSocket frame. */
export interface FeedFrame {
  records: FeedRecord[];
  /** Non-data messages (status, subscription, heartbeats): counted, not stored. */
  control: number;
  /** The feed refused us for good (bad keys): stop, do not reconnect. */
  fatal?: string;
  /** A refusal worth a reconnect (connection limit, slow client). */
  retry?: string;
}

/**
 * A live feed: where to connect, what to say (auth, subscribe), how to read its frames. Adding a
 * feed means one file implementing this.
 */
export interface Feed {
  readonly name: string;
  readonly url: string;
  /** The dataset of a frame that cannot be read at all (its quarantine gets the raw text). */
  readonly primaryDataset: DatasetName;
  /** Called once the socket is open (send a subscription here if the feed needs no greeting). */
  onOpen(send: (text: string) => void): void;
  /** Read one frame; `send` answers the feed (auth after the greeting, subscribe after auth). */
  read(frame: string, send: (text: string) => void): FeedFrame;
}

/** Frames larger than this are not parsed: quarantined whole (truncated) with their size. */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;
/** Raw text kept of an unreadable frame. */
const MAX_RAW = 64 * 1024;

let recordNumber = 0;
/** A running record number for the quarantine's `source_line` (per process). */
export function nextRecordNumber(): number {
  recordNumber += 1;
  return recordNumber;
}

/** A frame that cannot be read: one quarantined record with the reason. */
export function unreadableFrame(feed: Feed, frame: string, reason: string): FeedFrame {
  const raw = frame.length > MAX_RAW ? `${frame.slice(0, MAX_RAW)}…(${frame.length} characters)` : frame;
  return {
    records: [{ dataset: feed.primaryDataset, record: { line: nextRecordNumber(), raw, error: reason } }],
    control: 0,
  };
}

/** Parse a frame's JSON, or say why it cannot be. */
export function parseFrame(frame: string): { value: unknown } | { error: string } {
  if (frame.length > MAX_FRAME_BYTES)
    return { error: `frame of ${frame.length} characters exceeds the ${MAX_FRAME_BYTES} limit` };
  try {
    return { value: JSON.parse(frame) };
  } catch (err) {
    return { error: `malformed JSON frame: ${(err as Error).message}` };
  }
}
