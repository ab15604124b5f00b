import { isAbsolute, resolve } from 'node:path';
import type { Catalog } from './catalog/catalog.js';
import { ManifestCatalog } from './catalog/manifest-catalog.js';
import type { Config } from './config.js';
import { NotImplementedError, UsageError } from './errors.js';
import { LocalObjectStore } from './storage/local-store.js';
import type { ObjectStore } from './storage/object-store.js';

/** The lake: its object store plus its catalog. */
export interface Lake {
  readonly store: ObjectStore;
  readonly catalog: Catalog;
  /** Local root folder (embedded lake), used for embedded services such as PGlite. */
  readonly localRoot: string | undefined;
}

/** Open the lake named by `config.lakeUrl`. */
export function openLake(config: Pick<Config, 'lakeUrl'>): Lake {
  const url = config.lakeUrl;
  if (url.startsWith('s3://')) throw new NotImplementedError('an S3 lake (LAKE_URL=s3://...)', 'issue #3');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith('file://')) {
    throw new UsageError(`unsupported lake URL scheme: ${url.split(':')[0]}`);
  }
  const path = url.startsWith('file://') ? new URL(url).pathname : url;
  const root = isAbsolute(path) ? path : resolve(process.cwd(), path);
  const store = new LocalObjectStore(root);
  return { store, catalog: new ManifestCatalog(store), localRoot: store.root };
}
