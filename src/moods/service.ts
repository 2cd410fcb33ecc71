import { createHash } from 'node:crypto'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { SegueError, isSegueError } from '../core/errors.js'
import { TopKHeap } from '../kernels/top-k-heap.js'
import type { Track } from '../core/track.js'
import type { KSweep } from './clusters.js'
import type { CvResult, Scores } from './cv.js'
import { featureMatrix, fitStandardiser } from './features.js'
import { readLabels, type LabelsReport } from './labels.js'
import {
  DEFAULT_MOOD_CONFIG, clusterAgreement, clusterCatalogue, crossValidateLabels, loadMoods, modelFromClusters, modelFromLabels,
  moodProbabilities, moodsKey, saveMoods, type MoodConfig, type SavedMoods, type UnsupervisedMoods,
} from './model.js'
import { MOODS, type Mood } from './moods.js'

/** The catalogue moods are computed over: tracks in row order and the version artifacts are keyed by. */
export interface MoodCatalogue {
  readonly tracks: readonly Track[]
  readonly rowOf: ReadonlyMap<string, number>
  readonly version: string
}

export interface MoodsOptions {
  config?: MoodConfig
  /** Where notices go (a stale or damaged artifact being rebuilt). */
  warn?: (message: string) => void
}

export interface LoadedMoods {
  saved: SavedMoods
  origin: 'loaded' | 'built'
  ms: number
  /** The clusters, when they were computed on this call. */
  unsupervised?: UnsupervisedMoods
}

/**
 * The saved moods at `path` when they fit this catalogue: the k-means fallback under the current config, or a
 * model trained from labels on this catalogue version. Anything else (another catalogue, another config, a
 * damaged file) is rebuilt from k-means and saved atomically.
 */
export function ensureMoods(cat: MoodCatalogue, path: string, opts: MoodsOptions = {}): LoadedMoods {
  const config = opts.config ?? DEFAULT_MOOD_CONFIG
  const warn = opts.warn ?? (() => {})
  const expected = moodsKey(cat.version, config)
  const started = performance.now()
  const accept = (key: string, meta: Record<string, unknown>) => key === expected || (meta.source === 'labels' && key.startsWith(`${cat.version}:`))
  const loaded = loadOrWarn(path, accept, warn)
  if (loaded) return { saved: loaded, origin: 'loaded', ms: performance.now() - started }
  if (existsSync(path)) warn(`${path} was built for another catalogue or configuration; rebuilding the k-means moods`)
  const { saved, unsupervised } = buildFallback(cat, config, expected)
  saveMoods(path, saved)
  return { saved, origin: 'built', ms: performance.now() - started, unsupervised }
}

function loadOrWarn(path: string, accept: Parameters<typeof loadMoods>[1], warn: (m: string) => void): SavedMoods | null {
  try {
    return loadMoods(path, accept)
  } catch (err) {
    if (!isSegueError(err) || (err.code !== 'E_ARTIFACT_CORRUPT' && err.code !== 'E_ARTIFACT_VERSION')) throw err
    warn(`${err.message}; rebuilding it`)
    rmSync(path, { force: true })
    return null
  }
}

/** k-means moods of the catalogue and the classifier that copies them (the fallback when no labels are given). */
export function buildFallback(cat: MoodCatalogue, config: MoodConfig, key: string): { saved: SavedMoods; unsupervised: UnsupervisedMoods } {
  const features = cat.tracks.map((t) => t.features)
  const unsupervised = clusterCatalogue(features, config)
  const model = modelFromClusters(unsupervised, config)
  const proba = moodProbabilities(model, features)
  const meta = { sweep: unsupervised.sweep, clusters: { k: unsupervised.clusters.k, names: unsupervised.clusters.names, centres: Array.from(unsupervised.clusters.centres), thresholds: unsupervised.clusters.thresholds } }
  return { saved: { model, proba, key, meta }, unsupervised }
}

export interface TrainReport {
  labels: LabelsReport
  cv: CvResult
  /** How the threshold-named k-means moods agree with the labels. */
  agreement: Scores
  sweep: KSweep
  trainSeconds: number
}

/**
 * Trains the song-mood classifier on a labelled file and saves it at `path`, replacing what was there only
 * once everything (reading, CV, fitting) has succeeded: a bad file leaves the saved moods untouched.
 */
export async function trainMoods(cat: MoodCatalogue, path: string, labelsFile: string, opts: MoodsOptions & { mapping?: Record<string, Mood>; moodColumn?: string } = {}): Promise<TrainReport> {
  const config = opts.config ?? DEFAULT_MOOD_CONFIG
  const started = performance.now()
  const { rows, report } = await readLabels(labelsFile, cat, { features: config.labelFeatures, mapping: opts.mapping, moodColumn: opts.moodColumn })
  const data = { features: rows.map((r) => r.features), moods: Int32Array.from(rows, (r) => MOODS.indexOf(r.mood)) }
  const all = cat.tracks.map((t) => t.features)
  const standardiser = fitStandardiser(featureMatrix(all, config.labelFeatures))
  const cv = crossValidateLabels(data, standardiser, config)
  const unsupervised = clusterCatalogue(all, config)
  const agreement = clusterAgreement(unsupervised, data, config.features)
  const model = modelFromLabels(data, standardiser, config)
  const labelsHash = createHash('sha256').update(readFileSync(labelsFile)).digest('hex').slice(0, 16)
  const trainSeconds = (performance.now() - started) / 1000
  const meta = { labels: { file: labelsFile, sha256: labelsHash, rows: rows.length }, cv, agreement, sweep: unsupervised.sweep }
  saveMoods(path, { model, proba: moodProbabilities(model, all), key: moodsKey(cat.version, config, labelsHash), meta })
  return { labels: report, cv, agreement, sweep: unsupervised.sweep, trainSeconds }
}

export interface MoodTrack {
  track: Track
  mood: Mood
  probability: number
}

/**
 * The n tracks most likely to carry `mood` by the classifier's probabilities, leaving out ids in `exclude`.
 * Among equal probabilities the earlier catalogue row comes first. A bounded heap keeps the n best, so a
 * request costs one pass over the catalogue rather than a sort of it. Personal ranking builds on this later.
 */
export function tracksForMood(saved: SavedMoods, cat: MoodCatalogue, mood: Mood, n: number, exclude: ReadonlySet<string> = new Set()): MoodTrack[] {
  if (!Number.isInteger(n) || n < 1) throw new SegueError('E_BAD_ARGUMENT', `n must be a whole number of at least 1, got ${n}`)
  const c = MOODS.indexOf(mood)
  const p = (r: number) => saved.proba[r * MOODS.length + c]
  const kept = (r: number) => !exclude.has(cat.tracks[r].id)
  // First pass: the n-th best probability (the bar). Second: every row above it, then rows on it in catalogue order.
  const heap = new TopKHeap(n)
  for (let r = 0; r < cat.tracks.length; r++) if (-p(r) < heap.threshold() && kept(r)) heap.offer(-p(r), r)
  const bar = heap.count < n ? -Infinity : -heap.threshold()
  const above: number[] = []
  const on: number[] = []
  for (let r = 0; r < cat.tracks.length; r++) {
    if (p(r) > bar && kept(r)) above.push(r)
    else if (p(r) === bar && kept(r) && on.length < n) on.push(r)
  }
  const order = [...above.sort((a, b) => p(b) - p(a) || a - b), ...on].slice(0, n)
  return order.map((r) => ({ track: cat.tracks[r], mood, probability: p(r) }))
}

/** Each track's most likely mood and how many tracks each mood has. */
export function moodCounts(saved: SavedMoods): Record<Mood, number> {
  const counts = Object.fromEntries(MOODS.map((m) => [m, 0])) as Record<Mood, number>
  for (let r = 0; r * MOODS.length < saved.proba.length; r++) {
    let best = 0
    for (let c = 1; c < MOODS.length; c++) if (saved.proba[r * MOODS.length + c] > saved.proba[r * MOODS.length + best]) best = c
    counts[MOODS[best]]++
  }
  return counts
}
