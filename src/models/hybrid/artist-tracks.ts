import type { Track } from '../../core/track.js'
import { artistKey } from '../../data/link-artists.js'

/** How much a listener likes an artist, by the artist's name as the catalogue writes it. */
export interface ArtistTaste {
  artist: string
  weight: number
}

export interface ArtistTracksOptions {
  n?: number
  /** At most this many tracks per artist, so one favourite does not fill the list (default 2). */
  perArtist?: number
  /** Track ids to leave out (already heard, disliked). */
  exclude?: ReadonlySet<string>
  /**
   * The artists whose tracks define the listener's sound (typically what they play most). Default: the
   * taste itself.
   */
  profile?: readonly ArtistTaste[]
}

export interface ArtistTrack {
  track: Track
  score: number
  /** The liked artist that led to this track. */
  artist: string
}

/** The catalogue seen by artist: each normalised artist name with its tracks' rows. */
export class ArtistCatalogue {
  private readonly rowsByArtist = new Map<string, number[]>()

  constructor(
    readonly tracks: readonly Track[],
    /** Feature vectors of the tracks, row-major, from the fitted pipeline. */
    readonly matrix: Float32Array,
    readonly dims: number,
  ) {
    tracks.forEach((t, row) => {
      for (const a of t.artists) {
        const key = artistKey(a)
        const rows = this.rowsByArtist.get(key)
        if (rows) rows.push(row)
        else this.rowsByArtist.set(key, [row])
      }
    })
  }

  rowsOf(artist: string): readonly number[] {
    return this.rowsByArtist.get(artistKey(artist)) ?? []
  }

  /**
   * Turns artist-level taste into track recommendations. The listener's sound is the weighted mean of the
   * feature vectors of the tracks of their profile artists (by default the taste); each candidate track (by a liked artist) scores
   * (artist weight / top weight) x (1 + cosine(track, sound)) / 2, so the most played artists lead and,
   * within an artist, the tracks closest to what the listener plays overall come first.
   */
  recommend(taste: readonly ArtistTaste[], opts: ArtistTracksOptions = {}): ArtistTrack[] {
    const n = opts.n ?? 10
    const liked = taste.filter((t) => t.weight > 0 && this.rowsOf(t.artist).length > 0)
    if (liked.length === 0) return []
    const known = (opts.profile ?? liked).filter((t) => t.weight > 0 && this.rowsOf(t.artist).length > 0)
    const sound = this.profile(known.length > 0 ? known : liked)
    const top = Math.max(...liked.map((t) => t.weight))
    const candidates: ArtistTrack[] = []
    for (const t of liked) {
      const scored = this.rowsOf(t.artist)
        .filter((row) => !opts.exclude?.has(this.tracks[row].id))
        .map((row) => ({ track: this.tracks[row], artist: t.artist, score: (t.weight / top) * (1 + this.cosine(row, sound)) / 2 }))
        .sort((a, b) => b.score - a.score || a.track.id.localeCompare(b.track.id))
      candidates.push(...scored.slice(0, opts.perArtist ?? 2))
    }
    const seen = new Set<string>()
    return candidates
      .sort((a, b) => b.score - a.score || a.track.id.localeCompare(b.track.id))
      .filter((c) => !seen.has(c.track.id) && seen.add(c.track.id) !== undefined)
      .slice(0, n)
  }

  private profile(liked: readonly ArtistTaste[]): Float64Array {
    const sound = new Float64Array(this.dims)
    for (const t of liked) {
      const rows = this.rowsOf(t.artist)
      for (const row of rows) {
        for (let j = 0; j < this.dims; j++) sound[j] += (t.weight / rows.length) * this.matrix[row * this.dims + j]
      }
    }
    return sound
  }

  private cosine(row: number, v: Float64Array): number {
    let dot = 0
    let a = 0
    let b = 0
    for (let j = 0; j < this.dims; j++) {
      const x = this.matrix[row * this.dims + j]
      dot += x * v[j]
      a += x * x
      b += v[j] * v[j]
    }
    return a > 0 && b > 0 ? dot / Math.sqrt(a * b) : 0
  }
}
