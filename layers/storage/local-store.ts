import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { StorageError } from '../errors.js';
import { STAGING_PREFIX } from '../names.js';
import type { ObjectStore } from './object-store.js';

/** The lake as a folder on local disk. Renames within one file system are atomic. */
export class LocalObjectStore implements ObjectStore {
  readonly root: string;
  readonly displayUrl: string;

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

  async createStagingDir(): Promise<string> {
    const dir = this.pathOf(`${STAGING_PREFIX}/${randomUUID()}`);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  async putFile(key: string, localPath: string): Promise<{ bytes: number }> {
    const target = this.pathOf(key);
    await mkdir(dirname(target), { recursive: true });
    await rename(localPath, target);
    return { bytes: (await stat(target)).size };
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

  async writeTextAtomic(key: string, text: string): Promise<void> {
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

  async writeTextIfAbsent(key: string, text: string): Promise<boolean> {
    const target = this.pathOf(key);
    await mkdir(dirname(target), { recursive: true });
    // Write aside, then hard-link: link() is atomic and fails if the name exists, so a reader
    // never sees a half-written object and two writers cannot both win.
    const tmp = `${target}.tmp-${randomUUID()}`;
    await writeFile(tmp, text, { flush: true });
    try {
      await link(tmp, target);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw new StorageError(`cannot create ${key}`, { cause: err });
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async list(prefix: string): Promise<string[]> {
    const base = this.pathOf(prefix);
    try {
      const entries = await readdir(base, { recursive: true, withFileTypes: true });
      return entries
        .filter((e) => e.isFile())
        .map((e) => relative(this.root, join(e.parentPath, e.name)).split(sep).join('/'))
        .sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new StorageError(`cannot list ${prefix}`, { cause: err });
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true, recursive: true });
  }
}
