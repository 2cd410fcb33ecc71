import type { Track } from '../../core/track.js'
import { artistKey } from '../../data/link-artists.js'
import { recordingKeys, representativeRows } from '../../rerank/recording.js'

/** How much a listener likes an artist, by the artist's name as the catalogue writes it. */
export interface ArtistTaste {
  artist: string
  weight: number
}

export interface ArtistTracksOptions {
  n?: number
  /** At most this many tracks per artist, so one favourite does not fill the list (default 2). */
  perArtist?: number
  /** Track ids to leave out (already heard, disliked), with every other release of their recordings. */
  exclude?: ReadonlySet<string>
  /**
   * The artists whose tracks define the listener's sound (typically what they play most). Default: the
   * taste itself.
   */
  profile?: readonly ArtistTaste[]
  /** Catalogue rows that may be offered (a listener's list hygiene, say), judged on the release shown; default all. */
  accept?: (row: number) => boolean
}

export interface ArtistTrack {
  track: Track
  score: number
  /** The liked artist that led to this track. */
  artist: string
}

interface SparseRows {
  indptr: Int32Array
  indices: Int32Array
  squares: Float64Array
}

/** The catalogue seen by artist: each normalised artist name with its tracks' rows. */
export class ArtistCatalogue {
  private readonly rowsByArtist = new Map<string, number[]>()
  private readonly means = new Map<string, Float64Array>()
  /** rowsOf by the name as given, so a name is normalised (artistKey) once, not on every request. */
  private readonly rowsByName = new Map<string, readonly number[]>()
  private sparse?: SparseRows
  private recordings?: { keys: readonly string[]; reps: Int32Array; rowOfId: Map<string, number> }

  constructor(
    readonly tracks: readonly Track[],
    /** Feature vectors of the tracks, row-major, from the fitted pipeline. */
    readonly matrix: Float32Array,
    readonly dims: number,
    /** The catalogue's recordingKeys, where already at hand; computed on first use otherwise. */
    private readonly keys?: readonly string[],
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
    let rows = this.rowsByName.get(artist)
    if (!rows) this.rowsByName.set(artist, (rows = this.rowsByArtist.get(artistKey(artist)) ?? []))
    return rows
  }

  /**
   * Turns artist-level taste into track recommendations. The listener's sound is the weighted mean of the
   * feature vectors of the tracks of their profile artists (by default the taste); each candidate track (by a liked artist) scores
   * (artist weight / top weight) x (1 + cosine(track, sound)) / 2, so the most played artists lead and,
   * within an artist, the tracks closest to what the listener plays overall come first. Each recording
   * appears once (releases on compilations and remasters are one, rerank/recording.ts), scored by its best
   * release and shown as its most popular one.
   */
  recommend(taste: readonly ArtistTaste[], opts: ArtistTracksOptions = {}): ArtistTrack[] {
    const n = opts.n ?? 10
    const liked = taste.filter((t) => t.weight > 0 && this.rowsOf(t.artist).length > 0)
    if (liked.length === 0) return []
    const known = (opts.profile ?? liked).filter((t) => t.weight > 0 && this.rowsOf(t.artist).length > 0)
    const sound = this.profile(known.length > 0 ? known : liked)
    let soundSquare = 0
    for (let j = 0; j < this.dims; j++) soundSquare += sound[j] * sound[j]
    const top = Math.max(...liked.map((t) => t.weight))
    const { keys, reps } = this.recordingIndex()
    const excluded = this.excludedKeys(opts.exclude)
    const candidates: (ArtistTrack & { key: string })[] = []
    for (const t of liked) {
      const rows = this.rowsOf(t.artist)
      // A plain loop: Float64Array.from with a map function goes through the iterator protocol, several times slower.
      const scores = new Float64Array(rows.length)
      for (let i = 0; i < rows.length; i++) scores[i] = (t.weight / top) * (1 + this.cosine(rows[i], sound, soundSquare)) / 2
      const ok = (i: number) => !excluded.has(keys[rows[i]]) && (!opts.accept || opts.accept(reps[rows[i]]))
      for (const i of this.bestDistinct(rows, scores, keys, opts.perArtist ?? 2, ok)) {
        candidates.push({ track: this.tracks[reps[rows[i]]], artist: t.artist, score: scores[i], key: keys[rows[i]] })
      }
    }
    const seen = new Set<string>()
    return candidates
      .sort((a, b) => b.score - a.score || a.track.id.localeCompare(b.track.id))
      .filter((c) => !seen.has(c.key) && seen.add(c.key) !== undefined)
      .slice(0, n)
      .map(({ track, artist, score }) => ({ track, artist, score }))
  }

  /**
   * Indices of the `count` best rows (score, then track id) that pass `ok`, one per recording key: what sorting
   * all of an artist's rows and keeping the first of each key would give, by repeated scans (count is small,
   * and `ok` runs only on rows that would be taken).
   */
  private bestDistinct(rows: readonly number[], scores: Float64Array, keys: readonly string[], count: number, ok: (i: number) => boolean): number[] {
    const out: number[] = []
    const gone = new Uint8Array(rows.length)
    const taken = new Set<string>()
    while (out.length < count) {
      let best = -1
      for (let i = 0; i < rows.length; i++) {
        if (gone[i]) continue
        if (best < 0 || scores[i] > scores[best] || (scores[i] === scores[best] && this.tracks[rows[i]].id.localeCompare(this.tracks[rows[best]].id) < 0)) best = i
      }
      if (best < 0) break
      gone[best] = 1
      if (!ok(best)) continue
      if (taken.has(keys[rows[best]])) continue
      taken.add(keys[rows[best]])
      out.push(best)
    }
    return out
  }

  private recordingIndex(): { keys: readonly string[]; reps: Int32Array; rowOfId: Map<string, number> } {
    if (!this.recordings) {
      const keys = this.keys ?? recordingKeys(this.tracks)
      this.recordings = { keys, reps: representativeRows(this.tracks, keys), rowOfId: new Map(this.tracks.map((t, row) => [t.id, row])) }
    }
    return this.recordings
  }

  /** Recording keys of the excluded track ids (ids the catalogue lacks are ignored). */
  private excludedKeys(ids: ReadonlySet<string> | undefined): Set<string> {
    const { keys, rowOfId } = this.recordingIndex()
    const out = new Set<string>()
    for (const id of ids ?? []) {
      const row = rowOfId.get(id)
      if (row !== undefined) out.add(keys[row])
    }
    return out
  }

  private profile(liked: readonly ArtistTaste[]): Float64Array {
    const sound = new Float64Array(this.dims)
    for (const t of liked) {
      const mean = this.meanOf(t.artist)
      for (let j = 0; j < this.dims; j++) sound[j] += t.weight * mean[j]
    }
    return sound
  }

  /** The mean feature vector of an artist's tracks, computed once per artist (it does not depend on the listener). */
  private meanOf(artist: string): Float64Array {
    let mean = this.means.get(artist)
    if (mean) return mean
    mean = new Float64Array(this.dims)
    const rows = this.rowsOf(artist)
    for (const row of rows) {
      for (let j = 0; j < this.dims; j++) mean[j] += this.matrix[row * this.dims + j] / rows.length
    }
    this.means.set(artist, mean)
    return mean
  }

  /**
   * Cosine of a row and a vector whose squared length is `vv`, over the row's non-zero features only (about 14
   * of 255): the skipped terms are exact zeros, so it equals the dense sum bit for bit.
   */
  private cosine(row: number, v: Float64Array, vv: number): number {
    const { indptr, indices, squares } = this.sparseRows()
    let dot = 0
    for (let e = indptr[row]; e < indptr[row + 1]; e++) dot += this.matrix[row * this.dims + indices[e]] * v[indices[e]]
    return squares[row] > 0 && vv > 0 ? dot / Math.sqrt(squares[row] * vv) : 0
  }

  /** Each row's non-zero columns (CSR) and squared length, built on first use. */
  private sparseRows(): SparseRows {
    if (this.sparse) return this.sparse
    const { dims, matrix } = this
    const indptr = new Int32Array(this.tracks.length + 1)
    const squares = new Float64Array(this.tracks.length)
    const nonZero: number[] = []
    for (let row = 0; row < this.tracks.length; row++) {
      for (let j = 0; j < dims; j++) {
        const x = matrix[row * dims + j]
        squares[row] += x * x
        if (x !== 0) nonZero.push(j)
      }
      indptr[row + 1] = nonZero.length
    }
    return (this.sparse = { indptr, indices: Int32Array.from(nonZero), squares })
  }
}
