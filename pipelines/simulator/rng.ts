import { type RandomGenerator, unsafeUniformIntDistribution, xoroshiro128plus } from 'pure-rand';

const TWO_POW_26 = 67_108_864;
const TWO_POW_53 = 9_007_199_254_740_992;

/** FNV-1a over a string: a stable 32-bit hash used to derive independent sub-streams. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

/**
 * A small seeded random number generator over pure-rand's xoroshiro128plus.
 * It mutates its generator in place (pure-rand's `unsafe*` API) for speed; the sequence
 * depends only on the seed, so the same seed always yields the same numbers.
 */
export class SeededRng {
  private readonly gen: RandomGenerator;
  private spareNormal: number | undefined;

  /** Seed with a 32-bit integer (other numbers are truncated with `| 0`). */
  constructor(seed: number) {
    this.gen = xoroshiro128plus(seed | 0);
    // The first outputs of a freshly seeded xoroshiro are poorly mixed: skip them.
    for (let i = 0; i < 16; i++) this.gen.unsafeNext();
  }

  /**
   * An independent stream for `seed` and a label path, e.g. `derive(42, 'AAPL', 'events')`:
   * adding a symbol or a dataset never shifts the numbers another stream produces.
   */
  static derive(seed: number, ...labels: readonly (string | number)[]): SeededRng {
    return new SeededRng(fnv1a(`${seed}\u0000${labels.join('\u0000')}`));
  }

  /** Uniform float in [0, 1) with 53 random bits. */
  float(): number {
    const hi = this.gen.unsafeNext() >>> 5;
    const lo = this.gen.unsafeNext() >>> 6;
    return (hi * TWO_POW_26 + lo) / TWO_POW_53;
  }

  /** Standard normal (or `mean`, `sd`) via Box-Muller; the second value of each pair is kept. */
  normal(mean = 0, sd = 1): number {
    const spare = this.spareNormal;
    if (spare !== undefined) {
      this.spareNormal = undefined;
      return mean + sd * spare;
    }
    const u1 = 1 - this.float(); // (0, 1]: log stays finite
    const u2 = this.float();
    const radius = Math.sqrt(-2 * Math.log(u1));
    const angle = 2 * Math.PI * u2;
    this.spareNormal = radius * Math.sin(angle);
    return mean + sd * radius * Math.cos(angle);
  }

  /** Exponential with the given rate (mean `1 / rate`). */
  exponential(rate: number): number {
    return -Math.log(1 - this.float()) / rate;
  }

  /** Uniform integer in [min, max], both inclusive, without modulo bias. */
  int(min: number, max: number): number {
    return unsafeUniformIntDistribution(min, max, this.gen);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick() needs a non-empty array');
    return items[this.int(0, items.length - 1)] as T;
  }

  /** One element of `items`, chosen with the matching (non-negative, not all zero) `weights`. */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    let target = this.float() * total;
    for (let i = 0; i < items.length; i++) {
      target -= weights[i] ?? 0;
      if (target < 0) return items[i] as T;
    }
    return items[items.length - 1] as T;
  }
}
