import { isAbsolute, join, resolve } from 'node:path';
import type { Catalog } from './catalog/catalog.js';
import type { CheckHistory } from './catalog/check-history.js';
import { LazyCatalog } from './catalog/lazy-catalog.js';
import type { RunLog } from './catalog/run-log.js';
import type { StreamGapLog } from './catalog/stream-gaps.js';
import { type Config, redactUrl } from './config.js';
import { ConfigError, UsageError } from './errors.js';
import { LocalObjectStore } from './storage/local-store.js';
import type { ObjectStore } from './storage/object-store.js';
import { S3ObjectStore } from './storage/s3-store.js';

/** The lake: its object store plus its catalog. */
export interface Lake {
  readonly store: ObjectStore;
  readonly catalog: Catalog;
  /** Run and task history (in the catalog database). */
  readonly runs: RunLog;
  /** Data-quality results per check, partition and run (in the catalog database). */
  readonly checks: CheckHistory;
  /** Gaps of live feeds (in the catalog database). */
  readonly streamGaps: StreamGapLog;
  /** Local root folder (embedded lake), used for embedded services such as PGlite. */
  readonly localRoot: string | undefined;
  /** Release the catalog connection. */
  close(): Promise<void>;
}

export type LakeConfig = Pick<Config, 'lakeUrl'> &
  Partial<
    Pick<Config, 'catalogUrl' | 'databaseUrl' | 's3Endpoint' | 'awsRegion' | 'cacheDir' | 'cacheMaxMb'>
  >;

/** Where the embedded catalog of a local lake lives. */
export const EMBEDDED_CATALOG_FILE = '_catalog/catalog.sqlite';

/** Open the lake named by `config.lakeUrl` (a folder, `file://...` or `s3://bucket/prefix`). */
export function openLake(config: LakeConfig): Lake {
  const url = config.lakeUrl;
  let store: ObjectStore;
  let localRoot: string | undefined;
  if (url.startsWith('s3://')) {
    store = new S3ObjectStore({
      url,
      ...(config.s3Endpoint ? { endpoint: config.s3Endpoint } : {}),
      region: config.awsRegion ?? 'us-east-1',
      ...(config.cacheDir ? { cacheDir: config.cacheDir } : {}),
      ...(config.cacheMaxMb ? { cacheMaxBytes: config.cacheMaxMb * 1024 * 1024 } : {}),
    });
  } else {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith('file://')) {
      throw new UsageError(`unsupported lake URL scheme: ${url.split(':')[0]}`);
    }
    const path = url.startsWith('file://') ? new URL(url).pathname : url;
    const local = new LocalObjectStore(isAbsolute(path) ? path : resolve(process.cwd(), path));
    store = local;
    localRoot = local.root;
  }
  const catalogUrl =
    config.catalogUrl ??
    (localRoot ? `sqlite:${join(localRoot, EMBEDDED_CATALOG_FILE)}` : config.databaseUrl);
  if (!catalogUrl) {
    throw new ConfigError(
      'an S3 lake needs a shared catalog: set CATALOG_URL (or DATABASE_URL) to a PostgreSQL URL',
    );
  }
  const description = catalogUrl.startsWith('sqlite:') ? catalogUrl : redactUrl(catalogUrl);
  const catalog = new LazyCatalog(catalogUrl, description);
  return {
    store,
    catalog,
    runs: catalog.runs,
    checks: catalog.checks,
    streamGaps: catalog.streamGaps,
    localRoot,
    close: async () => {
      await catalog.close();
      if (store instanceof S3ObjectStore) store.close();
    },
  };
}
