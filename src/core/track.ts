/** The audio features every supported catalogue layout carries, in a fixed order. */
export const AUDIO_FEATURES = [
  'danceability',
  'energy',
  'key',
  'loudness',
  'mode',
  'speechiness',
  'acousticness',
  'instrumentalness',
  'liveness',
  'valence',
  'tempo',
  'time_signature',
] as const

export type AudioFeature = (typeof AUDIO_FEATURES)[number]

/** One track of the catalogue, after reading, de-duplication and imputation. */
export interface Track {
  id: string
  name: string
  artists: string[]
  /** Artist ids where the source gives them (600k layout), else empty. */
  artistIds: string[]
  album: string | null
  /** All genres the track is listed under (114k layout) or its artists' genres (600k layout). */
  genres: string[]
  popularity: number | null
  durationMs: number | null
  explicit: boolean | null
  releaseYear: number | null
  /** As written in the source: YYYY, YYYY-MM or YYYY-MM-DD. */
  releaseDate: string | null
  /** Highest follower count among the track's artists, where known (600k layout). */
  artistFollowers: number | null
  /** Audio features in AUDIO_FEATURES order; never NaN after import (missing values are imputed). */
  features: Float64Array | number[]
}
