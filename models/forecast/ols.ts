/**
 * Least squares by Householder QR (no normal equations, so nearly collinear regressors such as
 * the daily, weekly and monthly realized variances keep their precision). `x` is row-major with
 * `cols` columns. Returns the coefficients, or null when a column is (numerically) a combination
 * of the others, e.g. a sentiment column that is zero throughout the window.
 */
export function leastSquares(
  x: Float64Array,
  y: Float64Array,
  rows: number,
  cols: number,
): Float64Array | null {
  if (rows < cols) return null;
  const a = Float64Array.from(x.subarray(0, rows * cols));
  const b = Float64Array.from(y.subarray(0, rows));
  const diag = new Float64Array(cols);
  let scale = 0;
  for (let j = 0; j < cols; j += 1) {
    let norm = 0;
    for (let i = j; i < rows; i += 1) norm += a[i * cols + j]! ** 2;
    norm = Math.sqrt(norm);
    scale = Math.max(scale, norm);
    if (norm === 0 || norm <= 1e-12 * scale) return null;
    const alpha = a[j * cols + j]! > 0 ? -norm : norm;
    a[j * cols + j]! -= alpha;
    // v = column j below the diagonal (with the diagonal shifted); H = I - 2 v v' / v'v.
    let vv = 0;
    for (let i = j; i < rows; i += 1) vv += a[i * cols + j]! ** 2;
    for (let k = j + 1; k < cols; k += 1) {
      let dot = 0;
      for (let i = j; i < rows; i += 1) dot += a[i * cols + j]! * a[i * cols + k]!;
      const f = (2 * dot) / vv;
      for (let i = j; i < rows; i += 1) a[i * cols + k]! -= f * a[i * cols + j]!;
    }
    let dot = 0;
    for (let i = j; i < rows; i += 1) dot += a[i * cols + j]! * b[i]!;
    const f = (2 * dot) / vv;
    for (let i = j; i < rows; i += 1) b[i]! -= f * a[i * cols + j]!;
    diag[j] = alpha;
  }
  for (let j = 0; j < cols; j += 1) if (Math.abs(diag[j]!) <= 1e-10 * scale) return null;
  const beta = new Float64Array(cols);
  for (let j = cols - 1; j >= 0; j -= 1) {
    let s = b[j]!;
    for (let k = j + 1; k < cols; k += 1) s -= a[j * cols + k]! * beta[k]!;
    beta[j] = s / diag[j]!;
  }
  return beta;
}
