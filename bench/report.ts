/** One benchmark figure beside its limit, both measured in the same run on the same data. */
export interface BenchResult {
  name: string;
  unit: string;
  value: number;
  limit: number;
  limitName: string;
  /** True for times and latencies: the ratio printed is then limit / value (1.0 = as fast as the limit). */
  lowerIsBetter?: boolean;
  note?: string;
}

function fmt(n: number): string {
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  return n.toPrecision(3);
}

export function printResults(results: readonly BenchResult[]): void {
  for (const r of results) {
    const ratio = r.lowerIsBetter ? r.limit / r.value : r.value / r.limit;
    process.stdout.write(
      `${r.name}\n  marketlake ${fmt(r.value)} ${r.unit}   limit ${fmt(r.limit)} ${r.unit} (${r.limitName})   ratio ${ratio.toFixed(2)}${r.note ? `\n  ${r.note}` : ''}\n`,
    );
  }
}
