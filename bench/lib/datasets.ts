// Real and synthetic feature matrices for benchmarks. Both are cached per process: the exact-knn and HNSW
// benchmarks each ask for them several times.
import { join } from 'node:path'
import { sharedDataDir } from '../../src/core/paths.js'
import { AUDIO_FEATURES } from '../../src/core/track.js'
import { readCatalogue } from '../../src/data/read-catalogue.js'
import { columnStats, synthesizeLike } from '../../src/data/synthetic.js'

export const AUDIO_DIMS = AUDIO_FEATURES.length
export const SYNTHETIC_ROWS = 600_000
const SYNTHETIC_SEED = 600

let real: Promise<Float32Array> | undefined
let synthetic: Promise<Float32Array> | undefined

/**
 * The 12 audio features (AUDIO_FEATURES order) of the real 114k catalogue, one row per distinct track
 * (89,741 rows), each column standard-scaled to mean 0 and standard deviation 1.
 */
export function loadRealAudioFeatures(): Promise<Float32Array> {
  real ??= readCatalogue(join(sharedDataDir(), 'spotify-tracks-114k', 'dataset.csv')).then(({ tracks }) => {
    const data = new Float32Array(tracks.length * AUDIO_DIMS)
    tracks.forEach((t, i) => data.set(t.features, i * AUDIO_DIMS))
    return standardScale(data, AUDIO_DIMS)
  })
  return real
}

/** 600,000 x 12 rows drawn from the real audio features by synthesizeLike (seeded, so identical every run). */
export function synthetic600k(): Promise<Float32Array> {
  synthetic ??= loadRealAudioFeatures().then((r) => synthesizeLike(r, AUDIO_DIMS, SYNTHETIC_ROWS, SYNTHETIC_SEED))
  return synthetic
}

/** Scales each column in place to mean 0, standard deviation 1 (constant columns become 0). */
function standardScale(data: Float32Array, dims: number): Float32Array {
  const { mean, std } = columnStats(data, dims)
  for (let i = 0; i < data.length; i++) {
    const c = i % dims
    data[i] = std[c] > 0 ? (data[i] - mean[c]) / std[c] : 0
  }
  return data
}
