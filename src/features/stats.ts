/** Summary statistics over one column of training values, all in float64. */

export function mean(xs: Float64Array): number {
  let sum = 0
  for (let i = 0; i < xs.length; i++) sum += xs[i]
  return xs.length === 0 ? 0 : sum / xs.length
}

/** Population standard deviation (divides by n): the fitted data is the population we scale. */
export function std(xs: Float64Array): number {
  const m = mean(xs)
  let sq = 0
  for (let i = 0; i < xs.length; i++) sq += (xs[i] - m) ** 2
  return xs.length === 0 ? 0 : Math.sqrt(sq / xs.length)
}

/** Population skewness g1 = m3 / m2^1.5; 0 for a constant column. */
export function skewness(xs: Float64Array): number {
  const m = mean(xs)
  let m2 = 0
  let m3 = 0
  for (let i = 0; i < xs.length; i++) {
    const d = xs[i] - m
    m2 += d * d
    m3 += d * d * d
  }
  if (m2 === 0) return 0
  return m3 / xs.length / (m2 / xs.length) ** 1.5
}

/** A sorted copy, for taking several quantiles of one column. */
export function sortedCopy(xs: Float64Array): Float64Array {
  return Float64Array.from(xs).sort()
}

/**
 * Quantile q in [0, 1] of ascending values by linear interpolation between closest ranks (the "type 7"
 * rule of R and numpy's default), so results can be checked by hand: Q1 of [1, 2, 3, 4] is 1.75.
 */
export function quantileSorted(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.min(lo + 1, sorted.length - 1)
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo)
}
