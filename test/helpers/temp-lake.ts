import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type Lake, LakeSession, openLake } from '../../layers/index.js';

/** A fresh lake folder per test; `cleanup` removes it. */
export async function tempLake(
  prefix = 'marketlake-test-',
): Promise<{ dir: string; lake: Lake; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const lake = openLake({ lakeUrl: dir });
  return {
    dir,
    lake,
    cleanup: async () => {
      await lake.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One temp lake and DuckDB session shared by the tests of a `describe` block: opened before the
 * first test, closed and removed after the last. Read `env` and `session` inside tests.
 */
export function sharedSession(): {
  readonly env: Awaited<ReturnType<typeof tempLake>>;
  readonly session: LakeSession;
} {
  const shared = {} as { env: Awaited<ReturnType<typeof tempLake>>; session: LakeSession };
  beforeAll(async () => {
    shared.env = await tempLake();
    shared.session = await LakeSession.open(shared.env.lake);
  });
  afterAll(async () => {
    shared.session?.close();
    await shared.env?.cleanup();
  });
  return shared;
}
