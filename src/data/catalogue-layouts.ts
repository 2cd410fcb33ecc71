import { SegueError, assertUnreachable } from '../core/errors.js'
import { AUDIO_FEATURES, type AudioFeature, type Track } from '../core/track.js'
import { RowCells, YEAR_RULE, normaliseHeader, type NumericRule } from './row-cells.js'

export type CatalogueLayout = 'spotify-114k' | 'spotify-600k' | 'spotify-170k'

const UNIT: NumericRule = { min: 0, max: 1 }

/**
 * What each audio feature may hold. The bounds are those of the Spotify Web API with a margin where real
 * files step outside the documented range (the 114k file has time_signature 0 and loudness up to +4.5 dB).
 */
export const FEATURE_RULES: Record<AudioFeature, NumericRule> = {
  danceability: UNIT,
  energy: UNIT,
  key: { min: -1, max: 11, integer: true }, // -1: no key detected
  loudness: { min: -100, max: 20 },
  mode: { min: 0, max: 1, integer: true },
  speechiness: UNIT,
  acousticness: UNIT,
  instrumentalness: UNIT,
  liveness: UNIT,
  valence: UNIT,
  tempo: { min: 0, max: 1000 },
  time_signature: { min: 0, max: 7, integer: true },
}

export const POPULARITY_RULE: NumericRule = { min: 0, max: 100 }
export const DURATION_RULE: NumericRule = { min: 0, max: Number.MAX_SAFE_INTEGER }
export const FOLLOWERS_RULE: NumericRule = { min: 0, max: Number.MAX_SAFE_INTEGER }

const FEATURES_BUT_TIME_SIGNATURE = AUDIO_FEATURES.filter((f) => f !== 'time_signature')

/** The columns each layout must have, beyond which a file may carry any others (they are ignored). */
const LAYOUT_COLUMNS: Record<CatalogueLayout, readonly string[]> = {
  'spotify-114k': [
    'track_id', 'artists', 'album_name', 'track_name', 'popularity', 'duration_ms', 'explicit',
    ...AUDIO_FEATURES, 'track_genre',
  ],
  'spotify-600k': [
    'id', 'name', 'popularity', 'duration_ms', 'explicit', 'artists', 'id_artists', 'release_date', ...AUDIO_FEATURES,
  ],
  // The 170k release has no time_signature: it is imputed for every track.
  'spotify-170k': [
    'id', 'name', 'artists', 'year', 'release_date', 'popularity', 'duration_ms', 'explicit',
    ...FEATURES_BUT_TIME_SIGNATURE,
  ],
}

const LAYOUTS = Object.keys(LAYOUT_COLUMNS) as CatalogueLayout[]

/**
 * Which catalogue layout a header belongs to, by column names in any order. Throws E_INPUT_FORMAT naming
 * the file and the columns missing from the nearest layout.
 */
export function detectLayout(header: string[], file: string): CatalogueLayout {
  const present = new Set(normaliseHeader(header))
  const missing = (l: CatalogueLayout) => LAYOUT_COLUMNS[l].filter((c) => !present.has(c))
  const exact = LAYOUTS.find((l) => missing(l).length === 0)
  if (exact !== undefined) return exact
  const closest = LAYOUTS.reduce((best, l) => (missing(l).length < missing(best).length ? l : best))
  const lacks = missing(closest).map((c) => `'${c}'`).join(', ')
  throw new SegueError(
    'E_INPUT_FORMAT',
    `${file}: header does not match a known catalogue layout; the nearest, ${closest}, lacks column(s) ${lacks}`,
    { location: { file } },
  )
}

/** Reads the current row of `cells` into a track. Genres of the 600k layout are joined in later. */
export function readTrackRow(layout: CatalogueLayout, cells: RowCells): Track {
  switch (layout) {
    case 'spotify-114k':
      return read114k(cells)
    case 'spotify-600k':
      return readListRow(cells, cells.list('id_artists'))
    case 'spotify-170k':
      return readListRow(cells, [])
    default:
      return assertUnreachable(layout)
  }
}

/** Missing or absent features are NaN here; imputation fills them once the whole file is read. */
export function readFeatures(cells: RowCells): Float64Array {
  const features = new Float64Array(AUDIO_FEATURES.length)
  for (let i = 0; i < AUDIO_FEATURES.length; i++) {
    features[i] = cells.number(AUDIO_FEATURES[i], FEATURE_RULES[AUDIO_FEATURES[i]])
  }
  return features
}

/** The fields that differ in how each layout writes them; the rest are read alike by makeTrack. */
type LayoutFields = Pick<Track, 'id' | 'name' | 'artists' | 'artistIds' | 'album' | 'genres' | 'releaseYear' | 'releaseDate'>

/**
 * The 114k layout: artists are separated by ';'. One row of the real file (track 1kR4gIb7nGxHPI3D2ifs59)
 * has no artists, album or name; it is kept with an empty name, no artists and a null album, since its
 * audio features are intact and its id is valid.
 */
function read114k(cells: RowCells): Track {
  const genre = cells.trimmed('track_genre')
  return makeTrack(cells, {
    id: cells.required('track_id'),
    name: cells.text('track_name'),
    artists: splitNonEmpty(cells.text('artists'), ';'),
    artistIds: [],
    album: cells.text('album_name') || null,
    genres: genre === '' ? [] : [genre],
    releaseYear: null,
    releaseDate: null,
  })
}

/** The 600k and 170k layouts: artists as Python lists, a release date, and (170k) a year column. */
function readListRow(cells: RowCells, artistIds: string[]): Track {
  const date = cells.date('release_date')
  // The date is the more precise source; the 170k year column only fills in where the date is empty.
  const year = cells.has('year') ? cells.numberOrNull('year', YEAR_RULE) : null
  return makeTrack(cells, {
    id: cells.required('id'),
    name: cells.text('name'),
    artists: cells.list('artists'),
    artistIds,
    album: null,
    genres: [],
    releaseYear: date?.year ?? year,
    releaseDate: date?.text ?? null,
  })
}

/** Builds every track with the same literal, so all share one object shape whatever their layout. */
function makeTrack(cells: RowCells, f: LayoutFields): Track {
  return {
    id: f.id,
    name: f.name,
    artists: f.artists,
    artistIds: f.artistIds,
    album: f.album,
    genres: f.genres,
    popularity: cells.numberOrNull('popularity', POPULARITY_RULE),
    durationMs: cells.numberOrNull('duration_ms', DURATION_RULE),
    explicit: cells.bool('explicit'),
    releaseYear: f.releaseYear,
    releaseDate: f.releaseDate,
    artistFollowers: null,
    features: readFeatures(cells),
  }
}

function splitNonEmpty(text: string, sep: string): string[] {
  return text === '' ? [] : text.split(sep).filter((s) => s !== '')
}
