import { AUDIO_FEATURES, type AudioFeature, type Track } from '../../src/core/track.js'

/** Audio values every test track starts from; tests override only the features they are about. */
const BASE_AUDIO: Record<AudioFeature, number> = {
  danceability: 0.5,
  energy: 0.5,
  key: 0,
  loudness: -10,
  mode: 1,
  speechiness: 0.05,
  acousticness: 0.5,
  instrumentalness: 0,
  liveness: 0.1,
  valence: 0.5,
  tempo: 120,
  time_signature: 4,
}

export type TrackPartial = Partial<Omit<Track, 'features'>> & { audio?: Partial<Record<AudioFeature, number>> }

let counter = 0

/** A complete Track from the few fields a test cares about. */
export function makeTrack(partial: TrackPartial = {}): Track {
  const { audio, ...rest } = partial
  const values = { ...BASE_AUDIO, ...audio }
  counter += 1
  return {
    id: `t${counter}`,
    name: `track ${counter}`,
    artists: [],
    artistIds: [],
    album: null,
    genres: [],
    popularity: null,
    durationMs: null,
    explicit: null,
    releaseYear: null,
    releaseDate: null,
    artistFollowers: null,
    features: Float64Array.from(AUDIO_FEATURES, (f) => values[f]),
    ...rest,
  }
}

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
