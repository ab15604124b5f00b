/** One object in a listing. */
export interface ObjectInfo {
  key: string;
  size: number;
  lastModified: Date;
}

/**
 * Where the lake's objects live. Keys are `/`-separated relative paths built by `names.ts`.
 * Two implementations: a local folder and S3 (or MinIO); one shared test suite runs against both.
 */
export interface ObjectStore {
  /** Printable location (never with secrets). */
  readonly displayUrl: string;
  /** True when DuckDB reads objects in place (no staging copy needed). */
  readonly isLocal: boolean;
  /** A fresh local folder for DuckDB to write into before `putFile`; the caller removes it. */
  createStagingDir(): Promise<string>;
  /** Every local folder the lake's files pass through (DuckDB reads and writes only these in 'service' sessions). */
  localDirs(): string[];
  /** Move a finished local file to `key` (visible at `key` only complete). Returns its size and ETag. */
  putFile(key: string, localPath: string): Promise<{ bytes: number; etag: string | null }>;
  /** A local path DuckDB can read for `key` (staged through a bounded cache on S3; `etag` avoids a HEAD). */
  localPathForRead(key: string, etag?: string | null): Promise<string>;
  readText(key: string): Promise<string | undefined>;
  /** Write text so a reader sees the old or the new content, never a part. */
  writeText(key: string, text: string): Promise<void>;
  /** Objects under a prefix, recursively, sorted by key. */
  list(prefix: string): Promise<ObjectInfo[]>;
  /** Remove an object (no error if it is missing). */
  delete(key: string): Promise<void>;
}
