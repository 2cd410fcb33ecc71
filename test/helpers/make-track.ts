import { AUDIO_FEATURES, type Track } from '../../src/core/track.js'

/** A complete track with plausible defaults; tests override only what they assert on. */
export function makeTrack(id: string, over: Partial<Track> = {}): Track {
  return {
    id,
    name: `Song ${id}`,
    artists: [`Artist ${id}`],
    artistIds: [],
    album: null,
    genres: ['pop'],
    popularity: 50,
    durationMs: 200000,
    explicit: false,
    releaseYear: null,
    releaseDate: null,
    artistFollowers: null,
    features: new Float64Array(AUDIO_FEATURES.length).fill(0.5),
    ...over,
  }
}
