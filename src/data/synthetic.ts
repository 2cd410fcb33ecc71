import { Rng } from '../core/rng.js'

/** Jitter added to each value, as a fraction of its column's standard deviation. */
const JITTER = 0.05

/**
 * Generates `n` rows (n x dims, row-major) that follow the distribution of `real` (m x dims).
 *
 * Method: a smoothed bootstrap. Each new row copies a real row drawn uniformly at random (with replacement) and
 * adds independent Gaussian noise to every value, with a standard deviation of 5% of that column's standard
 * deviation. Copying whole rows keeps each column's marginal distribution and the correlations between
 * columns as the real data has them; the small noise keeps repeated draws of one row from being exact
 * duplicates, so a large synthetic set does not tie everywhere. Deterministic for a given seed.
 */
export function synthesizeLike(real: Float32Array, dims: number, n: number, seed: number): Float32Array {
  const m = real.length / dims
  if (!Number.isInteger(m) || m === 0) throw new RangeError(`synthesizeLike: real must hold a positive whole number of ${dims}-value rows`)
  const noise = columnStats(real, dims).std.map((sd) => sd * JITTER)
  const rng = new Rng(seed)
  const out = new Float32Array(n * dims)
  for (let row = 0; row < n; row++) {
    const from = rng.int(m) * dims
    for (let c = 0; c < dims; c++) out[row * dims + c] = real[from + c] + noise[c] * rng.normal()
  }
  return out
}

/** Mean and population standard deviation of each column of `data` (n x dims), accumulated in f64. */
export function columnStats(data: Float32Array, dims: number): { mean: Float64Array; std: Float64Array } {
  const n = data.length / dims
  const mean = new Float64Array(dims)
  const sumSq = new Float64Array(dims)
  for (let i = 0; i < data.length; i++) mean[i % dims] += data[i] / n
  for (let i = 0; i < data.length; i++) sumSq[i % dims] += (data[i] - mean[i % dims]) ** 2
  return { mean, std: sumSq.map((s) => Math.sqrt(s / n)) }
}
