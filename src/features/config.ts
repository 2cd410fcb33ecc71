import { SegueError } from '../core/errors.js'

/** The output groups; each is a contiguous block of the feature vector with its own weight. */
export const FEATURE_GROUPS = ['audio', 'genre', 'artist', 'era'] as const
export type FeatureGroup = (typeof FEATURE_GROUPS)[number]

export type ScalerKind = 'standard' | 'robust' | 'minmax'
export type TermEncoding = 'onehot' | 'tfidf' | 'none'

/**
 * Audio features that are continuous measurements: only these may be log-transformed or capped.
 * `key`, `mode` and `time_signature` are categorical and handled apart (see audio-columns.ts).
 */
export const CONTINUOUS_AUDIO = [
  'danceability',
  'energy',
  'loudness',
  'speechiness',
  'acousticness',
  'instrumentalness',
  'liveness',
  'valence',
  'tempo',
] as const

export interface PipelineConfig {
  /** standard = (x - mean) / std; robust = (x - median) / IQR; minmax = (x - min) / (max - min). */
  scaler: ScalerKind
  /**
   * log1p before capping and scaling. 'auto' picks the continuous audio columns that are non-negative on the
   * training data with |skewness| > 1 (on the 114k catalogue: speechiness 4.6, liveness 2.1,
   * instrumentalness 1.6; acousticness is 0.66 and loudness is negative, so neither).
   */
  logTransform: 'auto' | 'none' | string[]
  /** Clip continuous columns to [Q1 - 1.5 IQR, Q3 + 1.5 IQR] of the training data (after any log). */
  capOutliers: boolean
  genres: TermEncoding
  artists: TermEncoding
  /**
   * Share of each group in distances. Dense blocks are first normalised to total variance 1 and term rows to
   * unit norm (see fit.ts), then each block is multiplied by its weight; 0 removes the group from distances.
   */
  weights: Record<FeatureGroup, number>
  /** Adds the era block (release year and log track age) when the training tracks carry release years. */
  engineered: boolean
  /** Artist vocabulary: the artists on the most training tracks; others are ignored. */
  maxArtistTerms: number
  /** Genre vocabulary cap: 114 genres in the 114k layout, thousands of artist genres in the 600k layout. */
  maxGenreTerms: number
}

/**
 * Defaults, measured on the 114k catalogue: robust to its long tails through auto log + capping, then
 * standard scaling so every audio column has unit variance. Audio and genre weigh the same (genre labels are
 * the best human signal of style we have); artists and era count half, as the artist vocabulary covers only
 * the 128 most prolific artists (13% of tracks) and same-artist matches are capped later by reranking anyway.
 * Dims on the 114k catalogue: 13 audio + 114 genre + 128 artist = 255 (no release years there, so no era).
 */
export const DEFAULT_PIPELINE: PipelineConfig = Object.freeze({
  scaler: 'standard',
  logTransform: 'auto',
  capOutliers: true,
  genres: 'tfidf',
  artists: 'tfidf',
  weights: Object.freeze({ audio: 1, genre: 1, artist: 0.5, era: 0.5 }),
  engineered: true,
  maxArtistTerms: 128,
  maxGenreTerms: 128,
}) as PipelineConfig

/** Merges a partial config (weights merged key by key) over the defaults and validates every field. */
export function resolveConfig(partial: Partial<PipelineConfig> = {}): PipelineConfig {
  const config: PipelineConfig = {
    ...DEFAULT_PIPELINE,
    ...partial,
    weights: { ...DEFAULT_PIPELINE.weights, ...partial.weights },
  }
  validateConfig(config)
  return config
}

function badField(field: string, expected: string, got: unknown): SegueError {
  return new SegueError('E_BAD_ARGUMENT', `pipeline config: ${field} must be ${expected}, got ${JSON.stringify(got)}`)
}

function checkOneOf(field: string, value: unknown, allowed: readonly string[]): void {
  if (!allowed.includes(value as string)) throw badField(field, `one of ${allowed.join(', ')}`, value)
}

function checkCount(field: string, value: unknown): void {
  if (!Number.isInteger(value) || (value as number) < 0) throw badField(field, 'an integer >= 0', value)
}

export function validateConfig(config: PipelineConfig): void {
  checkOneOf('scaler', config.scaler, ['standard', 'robust', 'minmax'])
  checkOneOf('genres', config.genres, ['onehot', 'tfidf', 'none'])
  checkOneOf('artists', config.artists, ['onehot', 'tfidf', 'none'])
  if (typeof config.capOutliers !== 'boolean') throw badField('capOutliers', 'a boolean', config.capOutliers)
  if (typeof config.engineered !== 'boolean') throw badField('engineered', 'a boolean', config.engineered)
  checkCount('maxArtistTerms', config.maxArtistTerms)
  checkCount('maxGenreTerms', config.maxGenreTerms)
  validateWeights(config.weights)
  validateLogTransform(config.logTransform)
}

function validateWeights(weights: Record<string, unknown>): void {
  for (const [group, w] of Object.entries(weights)) {
    if (!(FEATURE_GROUPS as readonly string[]).includes(group)) throw badField(`weights.${group}`, 'absent (unknown group)', w)
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) throw badField(`weights.${group}`, 'a finite number >= 0', w)
  }
}

function validateLogTransform(value: unknown): void {
  if (value === 'auto' || value === 'none') return
  if (!Array.isArray(value)) throw badField('logTransform', "'auto', 'none' or a list of column names", value)
  for (const name of value) checkOneOf(`logTransform[${JSON.stringify(name)}]`, name, CONTINUOUS_AUDIO)
}
