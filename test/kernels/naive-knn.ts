import type { Metric, Neighbour } from '../../src/index/types.js'
import { Rng } from '../../src/core/rng.js'

/**
 * The answer exact search must give, computed the obvious way: every distance in f64 by a double loop, then
 * one full sort by (distance, row). Deliberately shares no code with the kernels.
 */
export function naiveKnn(data: Float32Array, dims: number, metric: Metric, query: Float32Array, k: number): Neighbour[] {
  return naiveDistances(data, dims, metric, query)
    .map((distance, index) => ({ index, distance }))
    .sort((a, b) => a.distance - b.distance || a.index - b.index)
    .slice(0, k)
}

/** The distance from `query` to every row. */
export function naiveDistances(data: Float32Array, dims: number, metric: Metric, query: Float32Array): number[] {
  const out: number[] = []
  for (let row = 0; row < data.length / dims; row++) {
    out.push(naiveDistance(data.subarray(row * dims, (row + 1) * dims), query, metric))
  }
  return out
}

function naiveDistance(a: Float32Array, b: Float32Array, metric: Metric): number {
  let dot = 0, na = 0, nb = 0, sq = 0, abs = 0
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i]
    na += a[i] * a[i]
    nb += b[i] * b[i]
    sq += (a[i] - b[i]) ** 2
    abs += Math.abs(a[i] - b[i])
  }
  if (metric === 'euclidean') return Math.sqrt(sq)
  if (metric === 'manhattan') return abs
  return na === 0 || nb === 0 ? 1 : 1 - dot / Math.sqrt(na * nb)
}

/** n x dims values, standard normal, from a seed. */
export function randomMatrix(n: number, dims: number, seed: number): Float32Array {
  const rng = new Rng(seed)
  return Float32Array.from({ length: n * dims }, () => rng.normal())
}

/** n x dims small integers in [0, levels): many rows coincide, so many distances tie exactly. */
export function tiedMatrix(n: number, dims: number, levels: number, seed: number): Float32Array {
  const rng = new Rng(seed)
  return Float32Array.from({ length: n * dims }, () => rng.int(levels))
}
