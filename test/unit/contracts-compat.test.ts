import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  compatibilityProblems,
  contractJsonSchemas,
  DATASETS,
  publishedJsonSchemas,
} from '../../contracts/index.js';

describe('published contract versions', () => {
  const published = publishedJsonSchemas();
  const current = contractJsonSchemas();

  it('every contract version in the code is published, and every published one still exists', () => {
    expect(Object.keys(current).sort()).toEqual(
      expect.arrayContaining(Object.values(DATASETS).map((d) => d.contractVersion)),
    );
    for (const version of Object.keys(published)) expect(current[version], version).toBeDefined();
    for (const version of Object.keys(current)) expect(published[version], version).toBeDefined();
  });

  it('no published version changed incompatibly (add a new version instead)', () => {
    for (const [version, schema] of Object.entries(published)) {
      expect(compatibilityProblems(schema, current[version]), version).toEqual([]);
    }
  });

  it('the check catches a removed column, a changed rule and a newly required column', () => {
    const base = published['trade.v1'];
    const loose = z.object({ symbol: z.string(), price: z.number(), tape: z.string().optional() });
    const strict = z.object({ symbol: z.string().max(4), tape: z.string() });
    expect(
      compatibilityProblems(z.toJSONSchema(loose, { io: 'input' }), z.toJSONSchema(strict, { io: 'input' })),
    ).toEqual(['symbol: changed', 'price: removed', 'tape: newly required']);
    expect(compatibilityProblems(base, base)).toEqual([]);
  });
});
