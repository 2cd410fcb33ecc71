import { AUDIO_FEATURES, type AudioFeature, type Track } from '../core/track.js'

/**
 * Used when a file has no value at all for a feature (the 170k release has no time_signature column), so
 * there is no median to take. These are typical values of popular music: 4/4 time, a mid-range tempo.
 */
export const FEATURE_FALLBACKS: Record<AudioFeature, number> = {
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

/**
 * Replaces each missing (NaN) feature by the median of that feature over the tracks that have it. The
 * median is taken over distinct tracks, not rows, so a track listed under many genres does not weigh more.
 * Returns, per feature name, how many values were replaced (features with none are left out).
 */
export function imputeMedians(tracks: Track[]): Record<string, number> {
  const missing = countMissing(tracks)
  const imputed: Record<string, number> = {}
  AUDIO_FEATURES.forEach((name, f) => {
    if (missing[f] === 0) return
    const fill = median(presentValues(tracks, f)) ?? FEATURE_FALLBACKS[name]
    for (const t of tracks) if (Number.isNaN(t.features[f])) t.features[f] = fill
    imputed[name] = missing[f]
  })
  return imputed
}

/** One pass over every track first, so a file with nothing missing costs no more than that. */
function countMissing(tracks: Track[]): Int32Array {
  const missing = new Int32Array(AUDIO_FEATURES.length)
  for (const t of tracks) {
    for (let f = 0; f < missing.length; f++) if (Number.isNaN(t.features[f])) missing[f]++
  }
  return missing
}

function presentValues(tracks: Track[], f: number): Float64Array {
  const values = new Float64Array(tracks.length)
  let n = 0
  for (const t of tracks) {
    const v = t.features[f]
    if (!Number.isNaN(v)) values[n++] = v
  }
  return values.subarray(0, n)
}

/** The middle value, or the mean of the two middle values; null for no values. */
export function median(values: Float64Array): number | null {
  if (values.length === 0) return null
  const sorted = Float64Array.from(values).sort()
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
