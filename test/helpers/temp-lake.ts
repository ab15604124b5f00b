import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Lake, openLake } from '../../layers/index.js';

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
