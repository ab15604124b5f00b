import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Folder of the published JSON Schemas, one `<version>.schema.json` per contract version. */
export const PUBLISHED_DIR = fileURLToPath(new URL('./published/', import.meta.url));

/**
 * The JSON Schemas as published (committed) under contracts/published/. A published version is
 * frozen: a change that breaks it must ship as a new version (`trade.v2`) instead.
 */
export function publishedJsonSchemas(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const file of readdirSync(PUBLISHED_DIR).sort()) {
    const m = /^(.+)\.schema\.json$/.exec(file);
    if (m?.[1]) out[m[1]] = JSON.parse(readFileSync(`${PUBLISHED_DIR}${file}`, 'utf8'));
  }
  return out;
}

type Schema = {
  properties?: Record<string, Record<string, unknown>>;
  required?: string[];
  [key: string]: unknown;
};

/**
 * Why `next` cannot replace `published` under the same version, or [] when it is backward
 * compatible: no column removed, no column newly required, no type or rule changed for an
 * existing column (new optional columns are allowed).
 */
export function compatibilityProblems(published: unknown, next: unknown): string[] {
  const a = published as Schema;
  const b = next as Schema;
  const problems: string[] = [];
  const before = a.properties ?? {};
  const after = b.properties ?? {};
  for (const [name, prop] of Object.entries(before)) {
    const now = after[name];
    if (!now) problems.push(`${name}: removed`);
    else if (JSON.stringify(prop) !== JSON.stringify(now)) problems.push(`${name}: changed`);
  }
  const wasRequired = new Set(a.required ?? []);
  for (const name of b.required ?? []) if (!wasRequired.has(name)) problems.push(`${name}: newly required`);
  return problems;
}
