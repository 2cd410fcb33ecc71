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

/** Genres of the quadrant CSV: each mood's even rows carry the first, odd rows the second (two sounds per mood). */
export const CSV_GENRES = { Happy: ['pop', 'dance'], Energetic: ['metal', 'punk'], Calm: ['folk', 'ambient'], Sad: ['blues', 'sad'] } as const

/**
 * The quadrant catalogue as a 114k-layout CSV: `perMood` tracks per mood, ids `<mood>NNN` padded to 22
 * characters, artist `<Mood> artist <i % 20>` (so an artist has perMood / 20 tracks, all of one genre),
 * popularity 20 + i % 60.
 */
export function quadrantCsv(perMood: number, seed = 7): string {
  const header = ',track_id,artists,album_name,track_name,popularity,duration_ms,explicit,danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,time_signature,track_genre'
  const lines = [header]
  const tracks = quadrantCatalogue(perMood, seed)
  const f = (t: Track, k: (typeof AUDIO_FEATURES)[number]) => t.features[AUDIO_FEATURES.indexOf(k)]
  tracks.forEach((t, r) => {
    const [mood, i] = [t.id.split('-')[0] as keyof typeof CSV_GENRES, Number(t.id.split('-')[1])]
    const cols = [r, csvId(mood, i), `${mood} artist ${i % 20}`, 'Album', `${mood} song ${i}`, 20 + (i % 60), 200000, 'False',
      f(t, 'danceability'), f(t, 'energy'), 5, f(t, 'loudness'), 1, 0.05, f(t, 'acousticness'), 0.01, 0.15, f(t, 'valence'), f(t, 'tempo'), 4, CSV_GENRES[mood][i % 2]]
    lines.push(cols.join(','))
  })
  return lines.join('\n') + '\n'
}

export function csvId(mood: string, i: number): string {
  return `${mood}${String(i).padStart(3, '0')}`.padEnd(22, 'x')
}
