import { AUDIO_FEATURES, type Track } from '../../src/core/track.js'
import { Rng } from '../../src/core/rng.js'

/** A catalogue track with the given audio features (the rest at typical values). */
export function track(id: string, f: Partial<Record<(typeof AUDIO_FEATURES)[number], number>>, name = `song ${id}`, artist = `artist ${id}`): Track {
  const typical = { danceability: 0.5, energy: 0.5, key: 5, loudness: -8, mode: 1, speechiness: 0.05, acousticness: 0.3, instrumentalness: 0.01, liveness: 0.15, valence: 0.5, tempo: 120, time_signature: 4 }
  const all = { ...typical, ...f }
  return {
    id, name, artists: [artist], artistIds: [], album: null, genres: [], popularity: 50, durationMs: 200_000, explicit: false,
    releaseYear: null, releaseDate: null, artistFollowers: null, features: Float64Array.from(AUDIO_FEATURES, (k) => all[k]),
  }
}

/** The mood quadrants' corners: tracks of each sit tightly around one point of the valence-energy plane. */
export const CORNERS = {
  Happy: { valence: 0.85, energy: 0.85, danceability: 0.8, acousticness: 0.1, tempo: 128, loudness: -5 },
  Energetic: { valence: 0.15, energy: 0.9, danceability: 0.4, acousticness: 0.05, tempo: 150, loudness: -4 },
  Calm: { valence: 0.8, energy: 0.2, danceability: 0.55, acousticness: 0.8, tempo: 90, loudness: -14 },
  Sad: { valence: 0.1, energy: 0.15, danceability: 0.3, acousticness: 0.85, tempo: 70, loudness: -18 },
} as const

/** `perMood` tracks around each corner, with small seeded noise; ids are `<Mood>-<i>`. */
export function quadrantCatalogue(perMood: number, seed = 7): Track[] {
  const rng = new Rng(seed)
  const out: Track[] = []
  for (const [mood, c] of Object.entries(CORNERS)) {
    for (let i = 0; i < perMood; i++) {
      const j = (x: number, s: number) => x + (rng.next() - 0.5) * s
      out.push(track(`${mood}-${i}`, {
        valence: j(c.valence, 0.1), energy: j(c.energy, 0.1), danceability: j(c.danceability, 0.1), acousticness: j(c.acousticness, 0.1),
        tempo: j(c.tempo, 10), loudness: j(c.loudness, 2),
      }, `${mood} song ${i}`, `${mood} band`))
    }
  }
  return out
}
