import { SegueError } from '../core/errors.js'
import { AUDIO_FEATURES, type AudioFeature } from '../core/track.js'

/**
 * The audio features moods are learnt from. The first six are the design's mood-bearing features; the others
 * are candidates that must earn their place by agreement with labelled moods (see `segue moods report`).
 */
export const BASE_MOOD_FEATURES: readonly AudioFeature[] = ['valence', 'energy', 'danceability', 'acousticness', 'tempo', 'loudness']
export const CANDIDATE_MOOD_FEATURES: readonly AudioFeature[] = ['instrumentalness', 'speechiness', 'mode', 'liveness']

/** An n x d row-major matrix of features (f64: sums over 90k rows stay exact enough). */
export interface FeatureMatrix {
  rows: number
  dims: number
  data: Float64Array
  names: readonly AudioFeature[]
}

/** Rows of audio features in AUDIO_FEATURES order (a Track's `features`) restricted to `names`. */
export function featureMatrix(all: readonly ArrayLike<number>[], names: readonly AudioFeature[]): FeatureMatrix {
  const cols = names.map((n) => featureIndex(n))
  const data = new Float64Array(all.length * cols.length)
  all.forEach((f, i) => cols.forEach((c, j) => { data[i * cols.length + j] = f[c] }))
  return { rows: all.length, dims: cols.length, data, names }
}

export function featureIndex(name: string): number {
  const j = (AUDIO_FEATURES as readonly string[]).indexOf(name)
  if (j < 0) throw new SegueError('E_BAD_ARGUMENT', `unknown audio feature '${name}': expected one of ${AUDIO_FEATURES.join(', ')}`)
  return j
}

/** Column means and standard deviations, learnt once (on the catalogue) and applied to any rows. */
export interface Standardiser {
  mean: Float64Array
  sd: Float64Array
}

export function fitStandardiser(m: FeatureMatrix): Standardiser {
  const mean = new Float64Array(m.dims)
  const sd = new Float64Array(m.dims)
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.dims; j++) mean[j] += m.data[i * m.dims + j]
  for (let j = 0; j < m.dims; j++) mean[j] /= Math.max(1, m.rows)
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.dims; j++) sd[j] += (m.data[i * m.dims + j] - mean[j]) ** 2
  // A constant column gets sd 1, so it standardises to zeros rather than NaN.
  for (let j = 0; j < m.dims; j++) sd[j] = Math.sqrt(sd[j] / Math.max(1, m.rows)) || 1
  return { mean, sd }
}

/** A standardised copy: (x - mean) / sd per column. */
export function standardise(m: FeatureMatrix, s: Standardiser): FeatureMatrix {
  const data = new Float64Array(m.data.length)
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.dims; j++) data[i * m.dims + j] = (m.data[i * m.dims + j] - s.mean[j]) / s.sd[j]
  }
  return { ...m, data }
}

/** The rows at `index`, in that order. */
export function pickRows(m: FeatureMatrix, index: ArrayLike<number>): FeatureMatrix {
  const data = new Float64Array(index.length * m.dims)
  for (let k = 0; k < index.length; k++) data.set(m.data.subarray(index[k] * m.dims, (index[k] + 1) * m.dims), k * m.dims)
  return { ...m, rows: index.length, data }
}
