import { SegueError } from '../core/errors.js'
import { AUDIO_FEATURES, type AudioFeature, type Track } from '../core/track.js'
import { CONTINUOUS_AUDIO, FEATURE_GROUPS, type FeatureGroup, type PipelineConfig } from './config.js'
import { audioValue, layoutDims, slotGroup, slotWidth, writeRawRow, type EraParams, type Slot } from './layout.js'
import { fitNumeric } from './numeric-column.js'
import { quantileSorted, skewness, sortedCopy } from './stats.js'
import { fitVocabulary, type TermGroup } from './text-terms.js'

/** Everything a fitted pipeline holds; exactly what is saved and loaded. */
export interface FittedPipeline {
  config: PipelineConfig
  slots: Slot[]
  era: EraParams
  /** Per group, before its weight: 1 / sqrt(total training variance) for audio and era, 1 for term groups. */
  blockScale: Record<FeatureGroup, number>
}

/** Columns whose |skewness| exceeds this on training data are log-transformed under logTransform 'auto'. */
const AUTO_LOG_SKEW = 1

export function fitPipeline(tracks: readonly Track[], config: PipelineConfig): FittedPipeline {
  if (tracks.length === 0) throw new SegueError('E_BAD_ARGUMENT', 'FeaturePipeline.fit: tracks must not be empty')
  const era = fitEra(tracks)
  const slots = [
    ...audioSlots(tracks, config),
    ...termSlots('genre', tracks, config),
    ...termSlots('artist', tracks, config),
    ...eraSlots(tracks, config, era),
  ]
  return { config, slots, era, blockScale: fitBlockScales(slots, era, tracks) }
}

function audioColumn(tracks: readonly Track[], feature: AudioFeature): Float64Array {
  return Float64Array.from(tracks, (t) => audioValue(t, feature))
}

/** Audio block in AUDIO_FEATURES order, with key as its (sin, cos) pair. */
function audioSlots(tracks: readonly Track[], config: PipelineConfig): Slot[] {
  const logged = chooseLogColumns(tracks, config)
  return AUDIO_FEATURES.map((feature): Slot => {
    if (feature === 'key') return { kind: 'key-circle' }
    const continuous = (CONTINUOUS_AUDIO as readonly string[]).includes(feature)
    // mode and time_signature are categories: a log or a cap would merge or erase their few levels.
    const opts = { log: logged.has(feature), cap: continuous && config.capOutliers, scaler: config.scaler }
    return { kind: 'numeric', name: feature, group: 'audio', source: feature, params: fitNumeric(audioColumn(tracks, feature), opts) }
  })
}

function chooseLogColumns(tracks: readonly Track[], config: PipelineConfig): Set<string> {
  const { logTransform } = config
  if (logTransform === 'none') return new Set()
  if (logTransform === 'auto') {
    return new Set(CONTINUOUS_AUDIO.filter((f) => isSkewedNonNegative(audioColumn(tracks, f))))
  }
  for (const f of logTransform) {
    if (audioColumn(tracks, f as AudioFeature).some((v) => v < 0)) {
      throw new SegueError('E_BAD_ARGUMENT', `pipeline config: logTransform column '${f}' has negative training values; log1p needs x >= 0`)
    }
  }
  return new Set(logTransform)
}

function isSkewedNonNegative(values: Float64Array): boolean {
  return values.every((v) => v >= 0) && Math.abs(skewness(values)) > AUTO_LOG_SKEW
}

function termSlots(group: TermGroup, tracks: readonly Track[], config: PipelineConfig): Slot[] {
  const encoding = group === 'genre' ? config.genres : config.artists
  if (encoding === 'none') return []
  const cap = group === 'genre' ? config.maxGenreTerms : config.maxArtistTerms
  return [{ kind: 'terms', group, encoding, vocab: fitVocabulary(group, tracks, cap) }]
}

/** Median year (imputed for tracks without one) and the latest year (track age is counted from it). */
function fitEra(tracks: readonly Track[]): EraParams {
  const years = knownYears(tracks)
  if (years.length === 0) return { medianYear: 0, referenceYear: 0 }
  const sorted = sortedCopy(years)
  return { medianYear: quantileSorted(sorted, 0.5), referenceYear: sorted[sorted.length - 1] }
}

function knownYears(tracks: readonly Track[]): Float64Array {
  return Float64Array.from(tracks.filter((t) => t.releaseYear !== null && Number.isFinite(t.releaseYear)), (t) => t.releaseYear!)
}

/**
 * Era block: release year, and track age = referenceYear - year through log1p, because recency matters on a
 * log scale (1 vs 5 years old differ more than 41 vs 45). The reference is the latest training year, not the
 * clock, so fitting is deterministic. Both are fitted on tracks with a known year only; a track without one
 * takes the median year. No known years at all (the 114k catalogue) means no era block.
 * Popularity and duration are left out: popularity is a consumption signal that the popularity model and
 * reranking handle, and mixing it into "sounds like" distances would pull every query towards hits.
 */
function eraSlots(tracks: readonly Track[], config: PipelineConfig, era: EraParams): Slot[] {
  const years = knownYears(tracks)
  if (!config.engineered || years.length === 0) return []
  const ages = years.map((y) => era.referenceYear - y)
  const fit = (values: Float64Array, log: boolean) => fitNumeric(values, { log, cap: config.capOutliers, scaler: config.scaler })
  return [
    { kind: 'numeric', name: 'release_year', group: 'era', source: 'release_year', params: fit(years, false) },
    { kind: 'numeric', name: 'track_age', group: 'era', source: 'track_age', params: fit(ages, true) },
  ]
}

/**
 * Block scales, so that weights compare like with like. A dense block (audio, era) is divided by the square
 * root of its total variance (sum of its columns' variances) over the training tracks: two random training
 * tracks are then on average at squared distance 2 within it. A term block (genre, artist) keeps scale 1: its
 * rows already have unit L2 norm, so two tracks with no term in common are at squared distance 2 and two with
 * the same terms at 0. With equal weights, "a wholly different genre" thus costs what a typical audio
 * difference costs. (Dividing a term block by its variance instead would blow up sparse blocks: only 13% of
 * tracks carry a top-128 artist, and those few would be pushed far from all the rest.)
 */
function fitBlockScales(slots: readonly Slot[], era: EraParams, tracks: readonly Track[]): Record<FeatureGroup, number> {
  const dense = slots.filter((s) => s.kind !== 'terms')
  const variances = columnVariances(dense, era, tracks)
  const total = Object.fromEntries(FEATURE_GROUPS.map((g) => [g, 0])) as Record<FeatureGroup, number>
  let offset = 0
  for (const slot of dense) {
    const width = slotWidth(slot)
    for (let d = offset; d < offset + width; d++) total[slotGroup(slot)] += variances[d]
    offset += width
  }
  // Term groups (and a dense block without spread) sum to 0 here and keep scale 1.
  const scale = (v: number) => (v > 0 ? 1 / Math.sqrt(v) : 1)
  return Object.fromEntries(FEATURE_GROUPS.map((g) => [g, scale(total[g])])) as Record<FeatureGroup, number>
}

/** Population variance of every unweighted column, by Welford's update (stable without a second pass). */
function columnVariances(slots: readonly Slot[], era: EraParams, tracks: readonly Track[]): Float64Array {
  const dims = layoutDims(slots)
  const row = new Float64Array(dims)
  const mean = new Float64Array(dims)
  const m2 = new Float64Array(dims)
  tracks.forEach((track, i) => {
    writeRawRow(slots, era, track, row)
    for (let d = 0; d < dims; d++) {
      const delta = row[d] - mean[d]
      mean[d] += delta / (i + 1)
      m2[d] += delta * (row[d] - mean[d])
    }
  })
  return m2.map((v) => Math.max(0, v) / tracks.length)
}
