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
 * AUDIO_FEATURES), list counts (u16), genre codes (u16 into meta.genres), and the matrix as indptr (i32,
 * n + 1), cols (u16 or i32) and vals (f32).
 */
export const SNAPSHOT_ARTIFACT = { kind: 'catalogue-snapshot', version: 1 } as const

export interface CatalogueSnapshot {
  tracks: Track[]
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
  const blobs: Record<string, Blob> = {
    text: encodeText(text),
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

/** The snapshot saved under `key`; E_ARTIFACT_VERSION when it was built from something else, E_ARTIFACT_CORRUPT when damaged. */
export function loadSnapshot(path: string, key: string): CatalogueSnapshot {
  const { header, blobs } = loadArtifact(path, SNAPSHOT_ARTIFACT, { copy: false })
  if (header.key !== key) throw new SegueError('E_ARTIFACT_VERSION', `${path}: catalogue snapshot of '${header.key}', expected '${key}'`)
  const n = Number(header.meta.tracks)
  const dims = Number(header.meta.dims)
  const genres = header.meta.genres as string[]
  try {
    const text = decodeText(blobs.text as Uint8Array, n, counts(blobs))
    const tracks = readTracks(n, text, blobs, genres)
    const rows: SparseRows = { size: n, dims, indptr: blobs.indptr as Int32Array, cols: blobs.cols as Uint16Array, vals: blobs.vals as Float32Array }
    checkSparseRows(rows)
    return { tracks, rows, dupKeys: text.all.slice(text.at.dupKeys, text.at.dupKeys + n), genres }
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

function encodeText(text: TextColumns): Uint8Array {
  const parts: string[] = []
  for (const c of TEXT_COLUMNS) {
    for (const v of text[c]) if (v.includes(NUL)) throw new SegueError('E_BAD_ARGUMENT', `catalogue snapshot: a ${c} holds a NUL character`)
    for (const v of text[c]) parts.push(v, NUL)
  }
  return new Uint8Array(Buffer.from(parts.join(''), 'utf8'))
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
