/**
 * Where the lake's objects live. Keys are `/`-separated relative paths built by `names.ts`.
 * A local folder implements it today; the S3 implementation plugs in behind the same interface.
 */
export interface ObjectStore {
  /** Printable location (never with secrets). */
  readonly displayUrl: string;
  /** A fresh local folder for DuckDB to write into before `putFile`; the caller removes it. */
  createStagingDir(): Promise<string>;
  /** Move a finished local file to `key` (it is visible at `key` only complete). */
  putFile(key: string, localPath: string): Promise<{ bytes: number }>;
  /** A local path DuckDB can read for `key`. */
  localPathForRead(key: string): Promise<string>;
  readText(key: string): Promise<string | undefined>;
  /** Write text so a reader sees the old or the new content, never a part. */
  writeTextAtomic(key: string, text: string): Promise<void>;
  /** Create `key` only if it does not exist; false if it already did. */
  writeTextIfAbsent(key: string, text: string): Promise<boolean>;
  /** Keys under a prefix, recursively, sorted. */
  list(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
}
