/**
 * One record as a source adapter hands it to the bronze writer: a parsed value, or the raw
 * text and why it could not even be parsed (malformed JSON, truncated CSV row, ...), or why it
 * is not a record of the dataset at all (`skip`: a quote message in a trades feed, a control
 * message). Every record read ends up accepted, quarantined or skipped, never dropped unseen.
 */
export interface SourceRecord {
  /** 1-based line (or record number) in the source, for the quarantine. */
  line: number;
  /** Parsed value to validate against the contract. */
  value?: unknown;
  /** Raw text as read, when the source is text; kept verbatim in the quarantine. */
  raw?: string;
  /** Set when the adapter could not parse the record at all. */
  error?: string;
  /**
   * Set when the record is known not to belong to the dataset (another dataset's message, a
   * control or status message, an empty response): counted as skipped under this reason,
   * neither validated nor stored. Keep reasons to a small set of texts: they are counted per
   * reason (no per-record values such as ids or times).
   */
  skip?: string;
}

/** Turn in-memory values (simulator, tests) into source records. */
export function* fromValues(values: Iterable<unknown>): Generator<SourceRecord> {
  let line = 0;
  for (const value of values) {
    line += 1;
    yield { line, value };
  }
}
