import { SegueError } from '../../core/errors.js'
import type { Track } from '../../core/track.js'
import { artistKey } from '../../data/link-artists.js'
import { toSparseRows, type SparseRows } from '../../index/exact-sparse.js'
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
  /** The same given as recording keys (the catalogue's recordingKeys of those tracks), in place of `exclude`. */
  excludeKeys?: { has(key: string): boolean }
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

/** ArtistCatalogue.score's result: the liked artists with tracks, and each one's scores in rowsOf order (read-only). */
export interface ArtistScores {
  readonly liked: readonly ArtistTaste[]
  readonly scores: readonly Float64Array[]
  /** From ranked(): each artist's row indices, best first. */
  readonly order?: readonly Int32Array[]
}

/** bestDistinct over rows already in its order: the first `count` that pass `ok`, one per recording key. */
function firstDistinct(order: Int32Array, rows: readonly number[], keys: readonly string[], count: number, ok: (i: number) => boolean): number[] {
  const out: number[] = []
  const taken = new Set<string>()
  for (let r = 0; r < order.length && out.length < count; r++) {
    const i = order[r]
    if (!ok(i) || taken.has(keys[rows[i]])) continue
    taken.add(keys[rows[i]])
    out.push(i)
  }
  return out
}

/** One artist's rows as scoring reads them: row i's non-zero features are cols/vals[ptr[i] .. ptr[i + 1]). */
interface PackedRows {
  ptr: Int32Array
  cols: Int32Array
  vals: Float32Array
  /** Squared length of each row's whole vector. */
  squares: Float64Array
  /** Each row's place among the artist's rows by track id (localeCompare; equal ids share a place). */
  idRank: Int32Array
}

/**
 * Cosine of an artist's row i and a vector whose squared length is `vv`, over the row's non-zero features only
 * (about 14 of 255): the skipped terms are exact zeros, so it equals the dense sum bit for bit.
 */
function packedCosine(p: PackedRows, i: number, v: Float64Array, vv: number): number {
  let dot = 0
  for (let e = p.ptr[i]; e < p.ptr[i + 1]; e++) dot += p.vals[e] * v[p.cols[e]]
  return p.squares[i] > 0 && vv > 0 ? dot / Math.sqrt(p.squares[i] * vv) : 0
}

/** The catalogue seen by artist: each normalised artist name with its tracks' rows. */
export class ArtistCatalogue {
  private readonly rowsByArtist = new Map<string, number[]>()
  private readonly means = new Map<string, Float64Array>()
  /** rowsOf by the name as given, so a name is normalised (artistKey) once, not on every request. */
  private readonly rowsByName = new Map<string, readonly number[]>()
  /** packedRows, by an artist's rows (rowsOf keeps one array per artist). */
  private readonly packed = new WeakMap<readonly number[], PackedRows>()
  private recordings?: { keys: readonly string[]; reps: Int32Array; rowOfId: ReadonlyMap<string, number> }
  /** The feature vectors by their non-zero values, each row's columns ascending (as toSparseRows lays them out). */
  readonly vectors: SparseRows

  constructor(
    readonly tracks: readonly Track[],
    /**
     * Feature vectors of the tracks, from the fitted pipeline: row-major dense, or the same by their non-zero
     * values (the engine's sparse rows, so no dense copy of the catalogue is made for the artist tables). Sparse
     * rows must list each row's columns ascending and hold no zeros, as toSparseRows makes them: means, lengths
     * and packed rows then equal the dense reading bit for bit (the skipped terms are exact zeros).
     */
    vectors: Float32Array | SparseRows,
    readonly dims: number,
    /** The catalogue's recordingKeys, where already at hand; computed on first use otherwise. */
    private readonly keys?: readonly string[],
    /** Track id -> row, where already at hand (the engine's rowOf); built on first use otherwise. */
    private readonly rowOfId?: ReadonlyMap<string, number>,
  ) {
    if (vectors instanceof Float32Array) {
      if (vectors.length !== tracks.length * dims) throw new SegueError('E_BAD_ARGUMENT', `artist catalogue: ${vectors.length} values for ${tracks.length} tracks of ${dims} dims`)
      this.vectors = toSparseRows(vectors, dims)
    } else {
      if (vectors.size !== tracks.length || vectors.dims !== dims) {
        throw new SegueError('E_BAD_ARGUMENT', `artist catalogue: sparse rows of ${vectors.size} x ${vectors.dims} for ${tracks.length} tracks of ${dims} dims`)
      }
      this.vectors = vectors
    }
    // Names repeat (an artist's every track credits them): each distinct name is normalised once, and its rows
    // are merged into its key's list at the end, in row order. A row is listed once per credit of the key, as
    // before (a row crediting "The X" and "X" is there twice and weighs twice in the artist's mean).
    const byName = new Map<string, number[]>()
    for (let row = 0; row < tracks.length; row++) {
      for (const a of tracks[row].artists) {
        const rows = byName.get(a)
        if (rows === undefined) byName.set(a, [row])
        else rows.push(row)
      }
    }
    for (const [name, rows] of byName) {
      const key = artistKey(name)
      const had = this.rowsByArtist.get(key)
      this.rowsByArtist.set(key, had ? mergeRows(had, rows) : rows)
    }
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
    return this.pick(this.score(taste, opts.profile), opts)
  }

  /**
   * recommend's first half, which depends on the taste and profile alone (a caller may keep it for several
   * lists that differ only in what they exclude or accept): every track of each liked artist, scored.
   */
  score(taste: readonly ArtistTaste[], profile?: readonly ArtistTaste[]): ArtistScores {
    const liked = taste.filter((t) => t.weight > 0 && this.rowsOf(t.artist).length > 0)
    if (liked.length === 0) return { liked, scores: [] }
    const known = (profile ?? liked).filter((t) => t.weight > 0 && this.rowsOf(t.artist).length > 0)
    const sound = this.profile(known.length > 0 ? known : liked)
    let soundSquare = 0
    for (let j = 0; j < this.dims; j++) soundSquare += sound[j] * sound[j]
    const top = Math.max(...liked.map((t) => t.weight))
    const scores = liked.map((t) => {
      const rows = this.rowsOf(t.artist)
      const packed = this.packedRows(rows)
      // A plain loop: Float64Array.from with a map function goes through the iterator protocol, several times slower.
      const out = new Float64Array(rows.length)
      for (let i = 0; i < rows.length; i++) out[i] = (t.weight / top) * (1 + packedCosine(packed, i, sound, soundSquare)) / 2
      return out
    })
    return { liked, scores }
  }

  /**
   * `scored` with each artist's rows in the order pick takes them (score, then track id): for a caller that
   * keeps a scoring for many picks, each pick then walks the order instead of scanning all rows for each track.
   */
  ranked(scored: ArtistScores): ArtistScores {
    const order = scored.liked.map((t, a) => {
      const scores = scored.scores[a]
      const { idRank } = this.packedRows(this.rowsOf(t.artist))
      return Int32Array.from(scores, (_, i) => i).sort((x, y) => scores[y] - scores[x] || idRank[x] - idRank[y] || x - y)
    })
    return { ...scored, order }
  }

  /** recommend's second half: the best distinct recordings of each scored artist that opts admits. */
  pick(scored: ArtistScores, opts: ArtistTracksOptions = {}): ArtistTrack[] {
    const n = opts.n ?? 10
    const { keys, reps } = this.recordingIndex()
    const excluded = opts.excludeKeys ?? this.excludedKeys(opts.exclude)
    const candidates: (ArtistTrack & { key: string })[] = []
    scored.liked.forEach((t, a) => {
      const rows = this.rowsOf(t.artist)
      const scores = scored.scores[a]
      const ok = (i: number) => !excluded.has(keys[rows[i]]) && (!opts.accept || opts.accept(reps[rows[i]]))
      const count = opts.perArtist ?? 2
      const best = scored.order ? firstDistinct(scored.order[a], rows, keys, count, ok) : this.bestDistinct(rows, scores, this.packedRows(rows).idRank, keys, count, ok)
      for (const i of best) {
        candidates.push({ track: this.tracks[reps[rows[i]]], artist: t.artist, score: scores[i], key: keys[rows[i]] })
      }
    })
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
  private bestDistinct(rows: readonly number[], scores: Float64Array, idRank: Int32Array, keys: readonly string[], count: number, ok: (i: number) => boolean): number[] {
    const out: number[] = []
    const gone = new Uint8Array(rows.length)
    const taken = new Set<string>()
    while (out.length < count) {
      let best = -1
      for (let i = 0; i < rows.length; i++) {
        if (gone[i]) continue
        if (best < 0 || scores[i] > scores[best] || (scores[i] === scores[best] && idRank[i] < idRank[best])) best = i
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

  private recordingIndex(): { keys: readonly string[]; reps: Int32Array; rowOfId: ReadonlyMap<string, number> } {
    if (!this.recordings) {
      const keys = this.keys ?? recordingKeys(this.tracks)
      const rowOfId = this.rowOfId ?? new Map(this.tracks.map((t, row) => [t.id, row]))
      this.recordings = { keys, reps: representativeRows(this.tracks, keys, rowOfId), rowOfId }
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
    const { indptr, cols, vals } = this.vectors
    // Only the non-zero values: the dense sum's other terms add exact zeros, so each mean is the same bit for bit.
    for (const row of rows) {
      for (let p = indptr[row]; p < indptr[row + 1]; p++) mean[cols[p]] += vals[p] / rows.length
    }
    this.means.set(artist, mean)
    return mean
  }

  /**
   * An artist's rows packed for scoring, built on first use and kept (they do not depend on the listener): each
   * row's non-zero features side by side, so a request reads a few cache lines per row instead of one per
   * feature of the dense matrix.
   */
  private packedRows(rows: readonly number[]): PackedRows {
    let packed = this.packed.get(rows)
    if (packed) return packed
    const { indptr, cols: allCols, vals: allVals } = this.vectors
    let nnz = 0
    for (const row of rows) nnz += indptr[row + 1] - indptr[row]
    const ptr = new Int32Array(rows.length + 1)
    const cols = new Int32Array(nnz)
    const vals = new Float32Array(nnz)
    const squares = new Float64Array(rows.length)
    let e = 0
    rows.forEach((row, i) => {
      for (let p = indptr[row]; p < indptr[row + 1]; p++) {
        const x = allVals[p]
        squares[i] += x * x
        cols[e] = allCols[p]
        vals[e++] = x
      }
      ptr[i + 1] = e
    })
    // Ties between equal scores go to the lower track id (localeCompare), as a rank worked out once.
    const byId = rows.map((_, i) => i).sort((a, b) => this.tracks[rows[a]].id.localeCompare(this.tracks[rows[b]].id))
    const idRank = new Int32Array(rows.length)
    byId.forEach((i, r) => (idRank[i] = r > 0 && this.tracks[rows[i]].id.localeCompare(this.tracks[rows[byId[r - 1]]].id) === 0 ? idRank[byId[r - 1]] : r))
    packed = { ptr, cols, vals, squares, idRank }
    this.packed.set(rows, packed)
    return packed
  }
}

/** Two ascending row lists as one, ascending (a row in both is there as often as in both together). */
function mergeRows(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = []
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    out.push(j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i++] : b[j++])
  }
  return out
}
