import { AUDIO_FEATURES, type AudioFeature, type Track } from '../../src/core/track.js'
import { FEATURE_FALLBACKS } from '../../src/data/impute.js'

export type TrackPartial = Partial<Omit<Track, 'features'>> & {
  /** Audio values to change from typical ones (4/4, 120 bpm, mid energy...). */
  audio?: Partial<Record<AudioFeature, number>>
  features?: Track['features']
}

let counter = 0

/** A complete Track from the few fields a test cares about; ids count up unless given. */
export function makeTrack(partial: TrackPartial = {}): Track {
  const { audio, ...rest } = partial
  const values = { ...FEATURE_FALLBACKS, ...audio }
  const id = partial.id ?? `t${++counter}`
  return {
    id,
    name: `track ${id}`,
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
