import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type * as S3Sdk from '@aws-sdk/client-s3';
import type * as S3Storage from '@aws-sdk/lib-storage';
import { isTransient, StorageError } from '../errors.js';
import { type RetryOptions, withRetry } from '../retry.js';
import { FileCache } from './file-cache.js';
import type { ObjectInfo, ObjectStore } from './object-store.js';

const require = createRequire(import.meta.url);
let sdk: { s3: typeof S3Sdk; storage: typeof S3Storage } | undefined;

/**
 * The AWS SDK, loaded when an S3 lake is first opened (synchronously: openLake is): it costs
 * about half a second of start-up, which commands on a local lake never pay.
 */
function awsSdk(): { s3: typeof S3Sdk; storage: typeof S3Storage } {
  sdk ??= {
    s3: require('@aws-sdk/client-s3') as typeof S3Sdk,
    storage: require('@aws-sdk/lib-storage') as typeof S3Storage,
  };
  return sdk;
}

export interface S3StoreOptions {
  /** `s3://bucket/prefix` */
  url: string;
  /** Custom endpoint (MinIO, s3rver); implies path-style addressing. */
  endpoint?: string;
  region?: string;
  /** Explicit credentials; default: the SDK's chain (AWS_ACCESS_KEY_ID, profiles, roles). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  cacheDir?: string;
  cacheMaxBytes?: number;
  /** Files above this size go up as multipart uploads. */
  multipartThreshold?: number;
  /** Retry of transient failures around each operation (default: withRetry's, MARKETLAKE_RETRY_SECONDS). */
  retry?: RetryOptions;
}

const MULTIPART_THRESHOLD = 16 * 1024 * 1024;

/** Parse `s3://bucket/prefix` into its bucket and key prefix (no leading or trailing slash). */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!m?.[1]) throw new StorageError(`not an s3://bucket/prefix URL: ${url}`, { permanent: true });
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix.split('/').some((p) => p === '..' || p === '.')) {
    throw new StorageError(`invalid S3 prefix: ${prefix}`, { permanent: true });
  }
  return { bucket: m[1], prefix };
}

/** The SDK's message, or the network error's code (the SDK passes `ECONNREFUSED` errors through). */
function describe(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown; name?: unknown };
  const message = typeof e?.message === 'string' && e.message ? e.message : String(e?.name ?? err);
  return typeof e?.code === 'string' && !message.includes(e.code) ? `${e.code}: ${message}` : message;
}

function isMissing(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    err instanceof awsSdk().s3.NoSuchKey ||
    err instanceof awsSdk().s3.NotFound ||
    e?.name === 'NotFound' ||
    e?.$metadata?.httpStatusCode === 404
  );
}

/** An upload the server stored with another size: sent again (a cut connection can leave a part). */
class SizeMismatchError extends StorageError {
  constructor(message: string) {
    super(message, { permanent: false });
  }
}

/** Size mismatches are retried this many times at most (a server that always alters bodies fails fast). */
const MAX_SIZE_MISMATCHES = 3;

/**
 * The lake in an S3 bucket. Writes: DuckDB writes into a local staging folder, files go up through
 * the SDK (multipart past 16 MiB) and are checked by size. Reads: objects are staged into a bounded
 * local cache keyed by key and ETag. The SDK retries throttling and 5xx a few times at once; around
 * that, every operation is retried with exponential backoff for MARKETLAKE_RETRY_SECONDS (30 s), so
 * a server restart or a cut connection costs a wait, not the command. An upload is a whole PUT
 * (or a multipart upload completed at once): a retry sends the whole file again to the same key.
 */
export class S3ObjectStore implements ObjectStore {
  readonly displayUrl: string;
  readonly isLocal = false;
  readonly bucket: string;
  readonly prefix: string;
  private readonly sdk = awsSdk();
  private readonly client: S3Sdk.S3Client;
  private readonly cache: FileCache;
  private readonly multipartThreshold: number;
  private readonly retry: RetryOptions;

  constructor(options: S3StoreOptions) {
    const { bucket, prefix } = parseS3Url(options.url);
    this.bucket = bucket;
    this.prefix = prefix;
    this.displayUrl = `s3://${bucket}${prefix ? `/${prefix}` : ''}`;
    // The pinned SDK runs on Node 20; its notice about future releases needing Node 22 is not for users.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    this.client = new this.sdk.s3.S3Client({
      region: options.region ?? 'us-east-1',
      ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      // Without these, streamed bodies go up aws-chunked; some S3-compatible servers store the framing.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
      retryMode: 'standard',
    });
    this.retry = options.retry ?? {};
    this.cache = new FileCache(
      options.cacheDir ?? join(tmpdir(), 'marketlake-s3-cache'),
      options.cacheMaxBytes ?? 8 * 1024 ** 3,
    );
    this.multipartThreshold = options.multipartThreshold ?? MULTIPART_THRESHOLD;
  }

  private objectKey(key: string): string {
    if (key.split('/').some((p) => p === '..' || p === '.' || p === '') || key.startsWith('/')) {
      throw new StorageError(`key escapes the lake: ${key}`, { permanent: true });
    }
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  localDirs(): string[] {
    return [join(tmpdir(), 'marketlake-staging'), resolve(this.cache.dir)];
  }

  async createStagingDir(): Promise<string> {
    await mkdir(join(tmpdir(), 'marketlake-staging'), { recursive: true });
    return mkdtemp(join(tmpdir(), 'marketlake-staging', 'w-'));
  }

  async putFile(key: string, localPath: string): Promise<{ bytes: number; etag: string | null }> {
    const Key = this.objectKey(key);
    const { size } = await stat(localPath);
    let mismatches = 0;
    try {
      const etag = await withRetry(
        async () => {
          if (size > this.multipartThreshold) {
            const upload = new this.sdk.storage.Upload({
              client: this.client,
              params: { Bucket: this.bucket, Key, Body: createReadStream(localPath) },
              partSize: this.multipartThreshold,
              queueSize: 2,
            });
            await upload.done();
          } else {
            await this.client.send(
              new this.sdk.s3.PutObjectCommand({ Bucket: this.bucket, Key, Body: await readFile(localPath) }),
            );
          }
          const head = await this.client.send(
            new this.sdk.s3.HeadObjectCommand({ Bucket: this.bucket, Key }),
          );
          if (head.ContentLength !== size) {
            mismatches += 1;
            throw new SizeMismatchError(
              `upload of ${key} stored ${head.ContentLength} bytes, expected ${size}`,
            );
          }
          return head.ETag ?? null;
        },
        {
          ...this.retry,
          retryable: (err) =>
            err instanceof SizeMismatchError ? mismatches < MAX_SIZE_MISMATCHES : isTransient(err),
        },
      );
      await rm(localPath, { force: true });
      return { bytes: size, etag };
    } catch (err) {
      // A cut upload may have left part of an object at the key: nothing references it, remove it
      // if the server lets us (vacuum removes it otherwise).
      await this.client
        .send(new this.sdk.s3.DeleteObjectCommand({ Bucket: this.bucket, Key }))
        .catch(() => undefined);
      if (err instanceof StorageError) throw err;
      throw new StorageError(`cannot upload ${key} to ${this.displayUrl}: ${describe(err)}`, { cause: err });
    }
  }

  async localPathForRead(key: string, etag?: string | null): Promise<string> {
    const Key = this.objectKey(key);
    let tag = etag ?? undefined;
    if (!tag) {
      const head = await withRetry(
        () => this.client.send(new this.sdk.s3.HeadObjectCommand({ Bucket: this.bucket, Key })),
        this.retry,
      );
      tag = head.ETag ?? 'none';
    }
    const path = this.cache.pathFor(Key, tag);
    const hit = await this.cache.hit(path);
    if (hit) return hit;
    await this.cache.ensureDir();
    const tmp = `${path}.tmp-${randomUUID()}`;
    try {
      await withRetry(async () => {
        const got = await this.client.send(
          new this.sdk.s3.GetObjectCommand({ Bucket: this.bucket, Key, IfMatch: tag }),
        );
        await pipeline(got.Body as Readable, createWriteStream(tmp));
      }, this.retry);
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw new StorageError(`cannot stage ${key} from ${this.displayUrl}: ${describe(err)}`, { cause: err });
    }
    await this.cache.added(path);
    return path;
  }

  async readText(key: string): Promise<string | undefined> {
    const Key = this.objectKey(key);
    try {
      return await withRetry(async () => {
        const got = await this.client.send(new this.sdk.s3.GetObjectCommand({ Bucket: this.bucket, Key }));
        return await got.Body!.transformToString('utf8');
      }, this.retry);
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw new StorageError(`cannot read ${key}`, { cause: err });
    }
  }

  async writeText(key: string, text: string): Promise<void> {
    const Key = this.objectKey(key);
    try {
      await withRetry(
        () =>
          this.client.send(
            new this.sdk.s3.PutObjectCommand({ Bucket: this.bucket, Key, Body: Buffer.from(text, 'utf8') }),
          ),
        this.retry,
      );
    } catch (err) {
      throw new StorageError(`cannot write ${key}`, { cause: err });
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const full = prefix ? `${this.objectKey(prefix)}/` : this.prefix ? `${this.prefix}/` : '';
    const strip = this.prefix ? this.prefix.length + 1 : 0;
    const out: ObjectInfo[] = [];
    let token: string | undefined;
    do {
      const ContinuationToken = token;
      const page = await withRetry(
        () =>
          this.client.send(
            new this.sdk.s3.ListObjectsV2Command({ Bucket: this.bucket, Prefix: full, ContinuationToken }),
          ),
        this.retry,
      ).catch((err: unknown) => {
        throw new StorageError(`cannot list ${prefix || '/'} in ${this.displayUrl}: ${describe(err)}`, {
          cause: err,
        });
      });
      for (const o of page.Contents ?? []) {
        if (!o.Key) continue;
        out.push({ key: o.Key.slice(strip), size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(key: string): Promise<void> {
    const Key = this.objectKey(key);
    try {
      await withRetry(
        () => this.client.send(new this.sdk.s3.DeleteObjectCommand({ Bucket: this.bucket, Key })),
        this.retry,
      );
    } catch (err) {
      if (!isMissing(err)) throw new StorageError(`cannot delete ${key}`, { cause: err });
    }
  }

  /** Release the SDK's sockets. */
  close(): void {
    this.client.destroy();
  }
}
