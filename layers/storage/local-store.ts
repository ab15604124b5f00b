import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { StorageError } from '../errors.js';
import { STAGING_PREFIX } from '../names.js';
import type { ObjectInfo, ObjectStore } from './object-store.js';

/** The lake as a folder on local disk. Renames within one file system are atomic. */
export class LocalObjectStore implements ObjectStore {
  readonly root: string;
  readonly displayUrl: string;
  readonly isLocal = true;

  constructor(root: string) {
    this.root = resolve(root);
    this.displayUrl = this.root;
  }

  /** Absolute path of a key; refuses keys that would leave the lake folder. */
  pathOf(key: string): string {
    const full = resolve(this.root, key);
    if (full !== this.root && !full.startsWith(this.root + sep)) {
      throw new StorageError(`key escapes the lake: ${key}`, { permanent: true });
    }
    return full;
  }

  localDirs(): string[] {
    // Staging folders are inside the lake.
    return [this.root];
  }

  async createStagingDir(): Promise<string> {
    // Inside the lake so the final move is a rename on the same file system.
    const dir = this.pathOf(`${STAGING_PREFIX}/${randomUUID()}`);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  async putFile(key: string, localPath: string): Promise<{ bytes: number; etag: string | null }> {
    const target = this.pathOf(key);
    await mkdir(dirname(target), { recursive: true });
    await rename(localPath, target);
    return { bytes: (await stat(target)).size, etag: null };
  }

  async localPathForRead(key: string): Promise<string> {
    return this.pathOf(key);
  }

  async readText(key: string): Promise<string | undefined> {
    try {
      return await readFile(this.pathOf(key), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StorageError(`cannot read ${key}`, { cause: err });
    }
  }

  async writeText(key: string, text: string): Promise<void> {
    const target = this.pathOf(key);
    await mkdir(dirname(target), { recursive: true });
    const tmp = `${target}.tmp-${randomUUID()}`;
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, target);
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const base = this.pathOf(prefix);
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(base, { recursive: true, withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new StorageError(`cannot list ${prefix}`, { cause: err });
    }
    const out: ObjectInfo[] = [];
    for (const e of entries) {
      if (!e.isFile()) continue;
      const full = join(e.parentPath, e.name);
      try {
        const s = await stat(full);
        out.push({
          key: relative(this.root, full).split(sep).join('/'),
          size: s.size,
          lastModified: s.mtime,
        });
      } catch {
        // Removed while listing.
      }
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true, recursive: true });
  }
}
