import { loadArtifact, saveArtifact, type Blob } from './core/artifact.js'
import { SegueError } from './core/errors.js'
import { AUDIO_FEATURES, type Track } from './core/track.js'
import { checkSparseRows, type SparseRows } from './index/exact-sparse.js'

/**
 * What the engine derives from a catalogue, saved so that later starts skip the work: the tracks in columns
 * (reading ~90k rows out of SQLite and parsing their JSON lists costs far more than slicing a few arrays), the
 * pipeline's output matrix in sparse rows (the 114k catalogue's 255-dim vectors hold ~14 non-zeros each, so
 * 8 MB instead of 91 MB to read and checksum), and each row's duplicate key.
 *
 * Blobs: text (utf-8, every string of the TEXT_COLUMNS one after another, each ended by a NUL; splitting one
 * decoded string is several times faster than JSON.parse), nulls (u8 per track: bit 0 album, bit 1 release
 * date), numbers (f64 columns, NaN for null), explicit (u8: 0, 1, 2 for null), features (f64, n x
 * AUDIO_FEATURES), list counts (u16), genre codes (u16 into meta.genres), the byte offset where each string of
 * the text blob starts (u32, one more than the strings, so a single string decodes alone), and the matrix as
 * indptr (i32, n + 1), cols (u16 or i32) and vals (f32).
 */
export const SNAPSHOT_ARTIFACT = { kind: 'catalogue-snapshot', version: 2 } as const

export interface CatalogueSnapshot {
  /** Plain objects; with `lazy` loading, an array-like that makes each track the first time it is read. */
  tracks: Track[]
  /** Every track's id, in row order. */
  ids: string[]
  /** The fitted pipeline's vectors, by their non-zero values. */
  rows: SparseRows
  dupKeys: string[]
  /** Every genre some track lists, in first-seen order. */
  genres: string[]
}

interface TextColumns {
  id: string[]
  name: string[]
  album: string[]
  releaseDate: string[]
  artists: string[]
  artistIds: string[]
  dupKeys: string[]
}

/** Column order in the text blob; every column but the lists has one entry per track. */
const TEXT_COLUMNS = ['id', 'name', 'album', 'releaseDate', 'dupKeys', 'artists', 'artistIds'] as const
const NUL = '\u0000'
const ALBUM_NULL = 1
const DATE_NULL = 2

const NUMBER_COLUMNS = ['popularity', 'durationMs', 'releaseYear', 'artistFollowers'] as const
const EXPLICIT_NULL = 2

export function saveSnapshot(path: string, key: string, s: CatalogueSnapshot): void {
  const { tracks } = s
  const n = tracks.length
  const genreCode = new Map(s.genres.map((g, i) => [g, i]))
  if (genreCode.size > 0xffff) throw new SegueError('E_BAD_ARGUMENT', `catalogue snapshot: ${genreCode.size} genres, at most 65,535 fit`)
  const text: TextColumns = { id: [], name: [], album: [], releaseDate: [], artists: [], artistIds: [], dupKeys: s.dupKeys }
  const numbers = new Float64Array(n * NUMBER_COLUMNS.length)
  const explicit = new Uint8Array(n)
  const nulls = new Uint8Array(n)
  const features = new Float64Array(n * AUDIO_FEATURES.length)
  const counts = new Uint16Array(n * 3)
  const genreCodes: number[] = []
  tracks.forEach((t, i) => {
    text.id.push(t.id)
    text.name.push(t.name)
    text.album.push(t.album ?? '')
    text.releaseDate.push(t.releaseDate ?? '')
    nulls[i] = (t.album === null ? ALBUM_NULL : 0) | (t.releaseDate === null ? DATE_NULL : 0)
    text.artists.push(...t.artists)
    text.artistIds.push(...t.artistIds)
    for (const g of t.genres) genreCodes.push(genreCode.get(g)!)
    counts.set([t.artists.length, t.artistIds.length, t.genres.length], i * 3)
    NUMBER_COLUMNS.forEach((c, j) => { numbers[i * NUMBER_COLUMNS.length + j] = t[c] ?? NaN })
    explicit[i] = t.explicit === null ? EXPLICIT_NULL : Number(t.explicit)
    features.set(t.features, i * AUDIO_FEATURES.length)
  })
  const encoded = encodeText(text)
  const blobs: Record<string, Blob> = {
    text: encoded.bytes,
    textStarts: encoded.starts,
    nulls,
    numbers,
    explicit,
    features,
    counts,
    genreCodes: Uint16Array.from(genreCodes),
    indptr: s.rows.indptr,
    cols: s.rows.cols,
    vals: s.rows.vals,
  }
  saveArtifact(path, { ...SNAPSHOT_ARTIFACT, key, meta: { tracks: n, dims: s.rows.dims, genres: s.genres } }, blobs)
}

export interface LoadSnapshotOptions {
  /**
   * Make each track (and duplicate key) only when it is first read. A one-shot command touches a few dozen of
   * ~90k tracks, and making them all (and the garbage collections that follow) is most of its start-up; a
   * server, which reads them all, loads eagerly.
   */
  lazy?: boolean
}

/** The snapshot saved under `key`; E_ARTIFACT_VERSION when it was built from something else, E_ARTIFACT_CORRUPT when damaged. */
export function loadSnapshot(path: string, key: string, opts: LoadSnapshotOptions = {}): CatalogueSnapshot {
  const { header, blobs } = loadArtifact(path, SNAPSHOT_ARTIFACT, { copy: false })
  if (header.key !== key) throw new SegueError('E_ARTIFACT_VERSION', `${path}: catalogue snapshot of '${header.key}', expected '${key}'`)
  const n = Number(header.meta.tracks)
  const dims = Number(header.meta.dims)
  const genres = header.meta.genres as string[]
  try {
    const rows: SparseRows = { size: n, dims, indptr: blobs.indptr as Int32Array, cols: blobs.cols as Uint16Array, vals: blobs.vals as Float32Array }
    checkSparseRows(rows)
    if (opts.lazy) return lazySnapshot(n, blobs, genres, rows)
    const text = decodeText(blobs.text as Uint8Array, n, counts(blobs))
    const tracks = readTracks(n, text, blobs, genres)
    const ids = text.all.slice(text.at.id, text.at.id + n)
    return { tracks, ids, rows, dupKeys: text.all.slice(text.at.dupKeys, text.at.dupKeys + n), genres }
  } catch (cause) {
    throw new SegueError('E_ARTIFACT_CORRUPT', `${path}: catalogue snapshot columns do not fit together (${(cause as Error).message})`, { cause })
  }
}

/** Each text column's place in the one split string array, so no column is copied out of it. */
interface TextOffsets {
  all: string[]
  at: Record<(typeof TEXT_COLUMNS)[number], number>
}

// One pass, plain locals and no closures: the loop runs once per start, mostly before the optimiser sees it,
// so every temporary it made would be garbage for 90k tracks.
function readTracks(n: number, text: TextOffsets, blobs: Record<string, Blob>, genres: string[]): Track[] {
  const numbers = blobs.numbers as Float64Array
  const nulls = blobs.nulls as Uint8Array
  const explicit = blobs.explicit as Uint8Array
  const features = blobs.features as Float64Array
  const counts = blobs.counts as Uint16Array
  const genreCodes = blobs.genreCodes as Uint16Array
  const w = NUMBER_COLUMNS.length
  const f = AUDIO_FEATURES.length
  if (nulls.length !== n || numbers.length !== n * w || features.length !== n * f || counts.length !== n * 3) {
    throw new Error('column lengths differ from the track count')
  }
  const { all, at } = text
  const tracks = new Array<Track>(n)
  let a = at.artists
  let ai = at.artistIds
  let g = 0
  for (let i = 0; i < n; i++) {
    const na = counts[3 * i]
    const nai = counts[3 * i + 1]
    const ng = counts[3 * i + 2]
    const trackGenres = new Array<string>(ng)
    for (let j = 0; j < ng; j++) trackGenres[j] = genres[genreCodes[g + j]]
    g += ng
    tracks[i] = {
      id: all[at.id + i],
      name: all[at.name + i],
      artists: all.slice(a, (a += na)),
      artistIds: nai === 0 ? [] : all.slice(ai, (ai += nai)),
      album: nulls[i] & ALBUM_NULL ? null : all[at.album + i],
      genres: trackGenres,
      popularity: nullIfNaN(numbers[i * w]),
      durationMs: nullIfNaN(numbers[i * w + 1]),
      explicit: explicit[i] === EXPLICIT_NULL ? null : explicit[i] === 1,
      releaseYear: nullIfNaN(numbers[i * w + 2]),
      releaseDate: nulls[i] & DATE_NULL ? null : all[at.releaseDate + i],
      artistFollowers: nullIfNaN(numbers[i * w + 3]),
      features: features.subarray(i * f, (i + 1) * f),
    }
  }
  if (a !== at.artistIds || ai !== all.length - 1 || g !== genreCodes.length) throw new Error('list counts do not add up')
  return tracks
}

function nullIfNaN(x: number): number | null {
  return x === x ? x : null
}

function encodeText(text: TextColumns): { bytes: Uint8Array; starts: Uint32Array } {
  const parts: string[] = []
  for (const c of TEXT_COLUMNS) {
    for (const v of text[c]) if (v.includes(NUL)) throw new SegueError('E_BAD_ARGUMENT', `catalogue snapshot: a ${c} holds a NUL character`)
    for (const v of text[c]) parts.push(v, NUL)
  }
  const buf = Buffer.from(parts.join(''), 'utf8')
  const starts = new Uint32Array(parts.length / 2 + 1)
  // indexOf is a native byte search: far faster than a loop over the ~10 MB of text.
  for (let k = 1, b = buf.indexOf(0); b >= 0; b = buf.indexOf(0, b + 1)) starts[k++] = b + 1
  return { bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), starts }
}

/** How many artists and artist ids all tracks list together. */
function counts(blobs: Record<string, Blob>): { artists: number; artistIds: number } {
  const c = blobs.counts as Uint16Array
  let [artists, artistIds] = [0, 0]
  for (let i = 0; i < c.length; i += 3) {
    artists += c[i]
    artistIds += c[i + 1]
  }
  return { artists, artistIds }
}

function decodeText(bytes: Uint8Array, n: number, lists: { artists: number; artistIds: number }): TextOffsets {
  const all = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8').split(NUL)
  const sizes = { id: n, name: n, album: n, releaseDate: n, dupKeys: n, ...lists }
  const at = {} as TextOffsets['at']
  let next = 0
  for (const c of TEXT_COLUMNS) {
    at[c] = next
    next += sizes[c]
  }
  // The blob ends with a NUL, so the split leaves one empty string after the last column.
  if (next !== all.length - 1) throw new Error(`text holds ${all.length - 1} strings, the columns ${next}`)
  return { all, at }
}

/**
 * A snapshot whose tracks and duplicate keys are made on first read (see LoadSnapshotOptions.lazy). Ids are
 * decoded at once (every command maps ids to rows); each other string is decoded alone from its byte range.
 * A made track is kept, so reading a row twice gives the same object, as an eager array does.
 */
function lazySnapshot(n: number, blobs: Record<string, Blob>, genres: string[], rows: SparseRows): CatalogueSnapshot {
  const bytes = blobs.text as Uint8Array
  const starts = blobs.textStarts as Uint32Array
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const lists = counts(blobs)
  const at = columnStarts(n, lists)
  if (starts.length !== at.end + 1) throw new Error(`text holds ${starts.length - 1} strings, the columns ${at.end}`)
  const str = (i: number) => buf.toString('utf8', starts[i], starts[i + 1] - 1)
  const ids = new Array<string>(n)
  for (let i = 0; i < n; i++) ids[i] = str(at.id + i)
  const listAt = listOffsets(n, blobs.counts as Uint16Array)
  const make = (row: number) => trackAt(row, { ids, str, at, listAt, blobs, genres })
  return { tracks: lazyArray(n, make), ids, rows, dupKeys: lazyArray(n, (row) => str(at.dupKeys + row)), genres }
}

/** Where each text column starts among the blob's strings, and how many strings there are. */
function columnStarts(n: number, lists: { artists: number; artistIds: number }): TextOffsets['at'] & { end: number } {
  const sizes = { id: n, name: n, album: n, releaseDate: n, dupKeys: n, ...lists }
  const at = {} as TextOffsets['at'] & { end: number }
  let next = 0
  for (const c of TEXT_COLUMNS) {
    at[c] = next
    next += sizes[c]
  }
  at.end = next
  return at
}

/** Per row, the index of its first artist, artist id and genre code (prefix sums of the list counts). */
function listOffsets(n: number, counts: Uint16Array): Int32Array {
  const out = new Int32Array(3 * (n + 1))
  for (let i = 0; i < n; i++) for (let j = 0; j < 3; j++) out[3 * (i + 1) + j] = out[3 * i + j] + counts[3 * i + j]
  return out
}

interface RowSource {
  ids: string[]
  str: (i: number) => string
  at: TextOffsets['at']
  listAt: Int32Array
  blobs: Record<string, Blob>
  genres: string[]
}

/** One track of the snapshot, made as readTracks makes it. */
function trackAt(i: number, src: RowSource): Track {
  const { str, at, listAt, blobs } = src
  const numbers = blobs.numbers as Float64Array
  const nulls = blobs.nulls as Uint8Array
  const explicit = blobs.explicit as Uint8Array
  const genreCodes = blobs.genreCodes as Uint16Array
  const w = NUMBER_COLUMNS.length
  const f = AUDIO_FEATURES.length
  const strings = (from: number, to: number) => Array.from({ length: to - from }, (_, j) => str(from + j))
  return {
    id: src.ids[i],
    name: str(at.name + i),
    artists: strings(at.artists + listAt[3 * i], at.artists + listAt[3 * i + 3]),
    artistIds: strings(at.artistIds + listAt[3 * i + 1], at.artistIds + listAt[3 * i + 4]),
    album: nulls[i] & ALBUM_NULL ? null : str(at.album + i),
    genres: Array.from(genreCodes.subarray(listAt[3 * i + 2], listAt[3 * i + 5]), (code) => src.genres[code]),
    popularity: nullIfNaN(numbers[i * w]),
    durationMs: nullIfNaN(numbers[i * w + 1]),
    explicit: explicit[i] === EXPLICIT_NULL ? null : explicit[i] === 1,
    releaseYear: nullIfNaN(numbers[i * w + 2]),
    releaseDate: nulls[i] & DATE_NULL ? null : str(at.releaseDate + i),
    artistFollowers: nullIfNaN(numbers[i * w + 3]),
    features: (blobs.features as Float64Array).subarray(i * f, (i + 1) * f),
  }
}

/**
 * An array of n values made by `make(row)` when first read and kept. Reads by index, length, iteration and
 * the array methods all work (the target is a real array, so Array.isArray holds); writes are refused.
 */
function lazyArray<T>(n: number, make: (row: number) => T): T[] {
  const made = new Array<T | undefined>(n)
  const get = (row: number) => made[row] ?? (made[row] = make(row))
  /** The row a property key names ('0' to String(n - 1)), else -1. */
  const rowOf = (prop: string) => {
    const row = prop.charCodeAt(0) - 48 <= 9 ? Number(prop) : NaN
    return Number.isInteger(row) && row >= 0 && row < n ? row : -1
  }
  return new Proxy(made as T[], {
    get(target, prop, receiver) {
      if (typeof prop === 'string') {
        const row = rowOf(prop)
        if (row >= 0) return get(row)
      }
      return Reflect.get(target, prop, receiver)
    },
    has: (target, prop) => Reflect.has(target, prop) || (typeof prop === 'string' && rowOf(prop) >= 0),
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  })
}
