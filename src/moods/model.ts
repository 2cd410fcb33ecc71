import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { decodeArtifact, saveArtifact } from '../core/artifact.js'
import { readFileSync } from 'node:fs'
import { AUDIO_FEATURES, type AudioFeature } from '../core/track.js'
import { nameClusters, sweepK, type KSweep, type NamedClusters } from './clusters.js'
import { crossValidate, scoresOf, type CvResult, type Scores } from './cv.js'
import { featureMatrix, fitStandardiser, pickRows, standardise, type FeatureMatrix, type Standardiser } from './features.js'
import { MOODS, type Mood } from './moods.js'
import { argmaxRows, fitSoftmax, predictProba, type SoftmaxModel, type SoftmaxOptions } from './softmax.js'

export interface MoodConfig {
  /** Features k-means clusters on (and the fallback classifier copies those clusters from). */
  features: AudioFeature[]
  /** Features the classifier learns from when given labelled tracks. */
  labelFeatures: AudioFeature[]
  softmax: SoftmaxOptions
  /** Seed of k-means, the silhouette sample and the CV folds. */
  seed: number
}

/**
 * Clusters use the six design features: on track-moods/moods.csv each candidate added to them (instrumentalness,
 * speechiness, mode, liveness, or all twelve) lowered the named clusters' agreement with the labels (accuracy
 * 0.457 with the six; 0.409 to 0.455 with a candidate). The labelled classifier uses all twelve audio features:
 * 5-fold CV macro-F1 0.493 against 0.464 with the six.
 */
export const DEFAULT_MOOD_CONFIG: MoodConfig = {
  features: ['valence', 'energy', 'danceability', 'acousticness', 'tempo', 'loudness'],
  labelFeatures: [...AUDIO_FEATURES],
  softmax: {},
  seed: 42,
}

/** A song-mood classifier: standardise with the catalogue's statistics, then softmax over MOODS. */
export interface SongMoodModel {
  features: AudioFeature[]
  standardiser: Standardiser
  softmax: SoftmaxModel
  /** What it learnt from: the k-means moods of the catalogue (the fallback) or a user's labelled tracks. */
  source: 'kmeans' | 'labels'
}

/** Probabilities (rows x 4, in MOODS order) of tracks given by their audio features in AUDIO_FEATURES order. */
export function moodProbabilities(model: SongMoodModel, features: readonly ArrayLike<number>[]): Float32Array {
  return predictProba(model.softmax, standardise(featureMatrix(features, model.features), model.standardiser))
}

export interface UnsupervisedMoods {
  sweep: KSweep
  clusters: NamedClusters
  standardiser: Standardiser
  /** The standardised catalogue matrix the clusters were fitted on. */
  matrix: FeatureMatrix
}

/** k-means over the catalogue's standardised mood features, k by silhouette, centres named by thresholds. */
export function clusterCatalogue(features: readonly ArrayLike<number>[], config: MoodConfig = DEFAULT_MOOD_CONFIG): UnsupervisedMoods {
  const raw = featureMatrix(features, config.features)
  const standardiser = fitStandardiser(raw)
  const matrix = standardise(raw, standardiser)
  const { sweep, fits } = sweepK(matrix, { seed: config.seed })
  return { sweep, clusters: nameClusters(fits.get(sweep.chosenK)!, raw, standardiser), standardiser, matrix }
}

/** The fallback classifier: softmax taught to reproduce the k-means moods (the design's song model). */
export function modelFromClusters(u: UnsupervisedMoods, config: MoodConfig = DEFAULT_MOOD_CONFIG): SongMoodModel {
  const softmax = fitSoftmax(u.matrix, u.clusters.moods, MOODS.length, config.softmax)
  return { features: config.features, standardiser: u.standardiser, softmax, source: 'kmeans' }
}

export interface LabelledData {
  /** Audio features of each labelled track (AUDIO_FEATURES order). */
  features: readonly ArrayLike<number>[]
  /** Each track's mood as an index into MOODS. */
  moods: Int32Array
}

/** A classifier fitted on labelled tracks, standardised with the catalogue's statistics of config.labelFeatures. */
export function modelFromLabels(data: LabelledData, standardiser: Standardiser, config: MoodConfig = DEFAULT_MOOD_CONFIG): SongMoodModel {
  const x = standardise(featureMatrix(data.features, config.labelFeatures), standardiser)
  return { features: config.labelFeatures, standardiser, softmax: fitSoftmax(x, data.moods, MOODS.length, config.softmax), source: 'labels' }
}

/** Folds of stratified cross-validation: 5 keeps ~300 tracks per test fold on the 1,520-track file. */
export const CV_FOLDS = 5

/** Stratified k-fold CV of the labelled classifier, with the majority-class baseline beside it. */
export function crossValidateLabels(data: LabelledData, standardiser: Standardiser, config: MoodConfig = DEFAULT_MOOD_CONFIG, folds = CV_FOLDS): CvResult {
  const x = standardise(featureMatrix(data.features, config.labelFeatures), standardiser)
  return crossValidate(data.moods, MOODS.length, folds, config.seed, (train, test) => {
    const model = fitSoftmax(pickRows(x, train), Int32Array.from(train, (r) => data.moods[r]), MOODS.length, config.softmax)
    return argmaxRows(predictProba(model, pickRows(x, test)), MOODS.length)
  })
}

/**
 * How well the threshold-named k-means moods agree with given labels: every labelled track goes to its nearest
 * centre (in standardised units) and takes that centre's mood.
 */
export function clusterAgreement(u: UnsupervisedMoods, data: LabelledData, features: readonly AudioFeature[]): Scores {
  const x = standardise(featureMatrix(data.features, features), u.standardiser)
  const dims = x.dims
  const predicted = new Int32Array(x.rows)
  const k = u.clusters.k
  for (let i = 0; i < x.rows; i++) {
    let best = 0
    let bestD = Infinity
    for (let c = 0; c < k; c++) {
      let d = 0
      for (let j = 0; j < dims; j++) d += (x.data[i * dims + j] - (u.clusters.centres[c * dims + j] - u.standardiser.mean[j]) / u.standardiser.sd[j]) ** 2
      if (d < bestD) { bestD = d; best = c }
    }
    predicted[i] = MOODS.indexOf(u.clusters.names[best])
  }
  return scoresOf(data.moods, predicted, MOODS.length)
}

// ---- artifact --------------------------------------------------------------------------------------------

const KIND = 'segue-moods'
const VERSION = 1

/** What the saved moods hold besides the model: each catalogue track's probabilities and what was measured. */
export interface SavedMoods {
  model: SongMoodModel
  /** tracks x 4 probabilities in MOODS order, in the catalogue's row order. */
  proba: Float32Array
  key: string
  meta: Record<string, unknown>
}

/** The version of the cluster naming rules (naming.ts): a change makes saved k-means moods stale. 2: one-to-one step. */
const NAMING_RULES = 2

/** The artifact key: the catalogue version, the config, and for a labelled model the labels' content hash. */
export function moodsKey(catalogueVersion: string, config: MoodConfig, labelsHash?: string): string {
  const configHash = createHash('sha256').update(JSON.stringify({ config, labels: labelsHash ?? null, naming: NAMING_RULES })).digest('hex').slice(0, 16)
  return `${catalogueVersion}:${configHash}`
}

export function saveMoods(path: string, saved: SavedMoods): void {
  const m = saved.model
  saveArtifact(
    path,
    { kind: KIND, version: VERSION, key: saved.key, meta: { ...saved.meta, features: m.features, source: m.source, classes: m.softmax.classes, dims: m.softmax.dims, loss: m.softmax.loss } },
    { weights: m.softmax.weights, mean: m.standardiser.mean, sd: m.standardiser.sd, proba: saved.proba },
  )
}

/** The saved moods, or null when absent or built from something else than `accept` allows. Damage throws E_ARTIFACT_CORRUPT. */
export function loadMoods(path: string, accept: (key: string, meta: Record<string, unknown>) => boolean): SavedMoods | null {
  if (!existsSync(path)) return null
  const art = decodeArtifact(readFileSync(path), { kind: KIND, version: VERSION }, path)
  const meta = art.header.meta
  if (!accept(art.header.key, meta)) return null
  const b = art.blobs
  const model: SongMoodModel = {
    features: meta.features as AudioFeature[],
    source: meta.source as SongMoodModel['source'],
    standardiser: { mean: b.mean as Float64Array, sd: b.sd as Float64Array },
    softmax: { classes: meta.classes as number, dims: meta.dims as number, weights: b.weights as Float64Array, loss: meta.loss as number },
  }
  return { model, proba: b.proba as Float32Array, key: art.header.key, meta }
}

export type { Mood }
