/** One benchmark figure beside its limit, both measured in the same run on the same data. */
export interface BenchResult {
  name: string;
  unit: string;
  value: number;
  limit: number;
  limitName: string;
  note?: string;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export function printResults(results: readonly BenchResult[]): void {
  for (const r of results) {
    const ratio = r.value / r.limit;
    process.stdout.write(
      `${r.name}\n  marketlake ${fmt(r.value)} ${r.unit}   limit ${fmt(r.limit)} ${r.unit} (${r.limitName})   ratio ${ratio.toFixed(2)}${r.note ? `\n  ${r.note}` : ''}\n`,
    );
  }
}
