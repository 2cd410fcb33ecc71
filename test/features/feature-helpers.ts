import type { AudioFeature, Track } from '../../src/core/track.js'
import { makeTrack } from '../helpers/make-track.js'

export { makeTrack }

/** Tracks that differ only in one audio feature. */
export function tracksVarying(feature: AudioFeature, values: number[]): Track[] {
  return values.map((v) => makeTrack({ audio: { [feature]: v } }))
}

/** One column of an n x dims output matrix. */
export function column(matrix: Float32Array, dims: number, col: number): number[] {
  return Array.from({ length: matrix.length / dims }, (_, i) => matrix[i * dims + col])
}

export function assertClose(actual: readonly number[], expected: readonly number[], tol = 1e-6): void {
  if (actual.length !== expected.length || actual.some((a, i) => !(Math.abs(a - expected[i]) <= tol))) {
    throw new Error(`expected [${expected.join(', ')}] within ${tol}, got [${actual.join(', ')}]`)
  }
}

export function populationVariance(xs: readonly number[]): number {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length
  return xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length
}
