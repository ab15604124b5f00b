import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openLake } from '../../layers/index.js';
import { createTestDatabase } from '../helpers/pg-database.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Open the lake in a separate process and print its id. */
function lakeIdInProcess(lakeUrl: string): Promise<string> {
  const code = `const { openLake } = await import('./layers/index.ts');
const lake = openLake({ lakeUrl: process.argv[1] });
process.stdout.write(await lake.catalog.lakeId());
await lake.close();`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', code, lakeUrl], { cwd: root });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += String(d);
    });
    child.stderr.on('data', (d) => {
      err += String(d);
    });
    child.on('error', reject);
    child.on('exit', (status) => (status === 0 ? resolve(out.trim()) : reject(new Error(err))));
  });
}

describe('lake identity', () => {
  it('is a UUID created once: the same id after reopening the lake', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'marketlake-lakeid-'));
    try {
      const first = openLake({ lakeUrl: dir });
      const id = await first.catalog.lakeId();
      expect(id).toMatch(UUID);
      expect(await first.catalog.lakeId()).toBe(id);
      await first.close();
      const again = openLake({ lakeUrl: dir });
      expect(await again.catalog.lakeId()).toBe(id);
      await again.close();
      // Another lake has another id.
      const other = await mkdtemp(join(tmpdir(), 'marketlake-lakeid-'));
      const lake = openLake({ lakeUrl: other });
      expect(await lake.catalog.lakeId()).not.toBe(id);
      await lake.close();
      await rm(other, { recursive: true, force: true });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('two catalogs racing to create the id of a new lake agree (SQLite, in process)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'marketlake-lakeid-'));
    try {
      // Migrate first, so both reach the insert-if-absent with no id yet.
      const setup = openLake({ lakeUrl: dir });
      await setup.catalog.listTables();
      const lakes = [openLake({ lakeUrl: dir }), openLake({ lakeUrl: dir }), setup];
      await Promise.all(lakes.map((l) => l.catalog.listTables()));
      const ids = await Promise.all(lakes.map((l) => l.catalog.lakeId()));
      expect(new Set(ids).size).toBe(1);
      await Promise.all(lakes.map((l) => l.close()));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('processes opening a new lake at once get the same id (SQLite)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'marketlake-lakeid-'));
    try {
      const ids = await Promise.all([0, 1].map(() => lakeIdInProcess(dir)));
      expect(ids[0]).toMatch(UUID);
      expect(new Set(ids).size).toBe(1);
      const lake = openLake({ lakeUrl: dir });
      expect(await lake.catalog.lakeId()).toBe(ids[0]);
      await lake.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('catalogs opening a new PostgreSQL catalog at once get the same id, and keep it', async () => {
    const db = await createTestDatabase('ml_lakeid');
    const dir = await mkdtemp(join(tmpdir(), 'marketlake-lakeid-'));
    const lakes = [0, 1, 2, 3].map(() => openLake({ lakeUrl: dir, catalogUrl: db.url }));
    try {
      const ids = await Promise.all(lakes.slice(0, 3).map((l) => l.catalog.lakeId()));
      expect(ids[0]).toMatch(UUID);
      expect(new Set(ids).size).toBe(1);
      await Promise.all(lakes.slice(0, 3).map((l) => l.close()));
      expect(await lakes[3]!.catalog.lakeId()).toBe(ids[0]);
    } finally {
      await Promise.all(lakes.map((l) => l.close()));
      await db.drop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
