import { PCA } from 'ml-pca'
import type { KSweep } from './clusters.js'
import type { Scores } from './cv.js'
import { featureMatrix, standardise, type FeatureMatrix } from './features.js'
import { seededSample } from './kmeans.js'
import type { SavedMoods } from './model.js'
import { MOOD_INFO, MOODS, type Mood } from './moods.js'
import type { ListenerMoodReport } from './survey.js'

/** Points on the PCA scatter: enough to show every cluster's shape, few enough for an SVG of a few hundred kB. */
export const SCATTER_POINTS = 3000
/** Bins per feature histogram. */
export const HISTOGRAM_BINS = 20

export interface ScatterPoint { id: string; pc1: number; pc2: number; mood: Mood }
export interface ConfusionChart { title: string; labels: string[]; counts: number[][] }
export interface Histogram { feature: string; mood: Mood; binStart: number[]; count: number[] }

/**
 * How any track lands on the scatter: its `features` (audio feature names) standardised by `mean` and `sd`,
 * then dotted with the first two principal axes. Places tracks outside the drawn sample (a cluster-map marker).
 */
export interface Projection { features: string[]; mean: number[]; sd: number[]; pc1: number[]; pc2: number[] }

/** The data behind every mood picture, ready for the chart layer (src/viz) to draw. */
export interface MoodChartData {
  moods: { name: Mood; colour: string; description: string }[]
  scatter: { explainedVariance: [number, number]; points: ScatterPoint[]; projection?: Projection }
  elbow: { k: number; inertia: number }[]
  silhouette: { k: number; silhouette: number }[]
  chosenK: number
  elbowK: number
  confusions: ConfusionChart[]
  distributions: Histogram[]
}

export interface ChartInputs {
  ids: readonly string[]
  features: readonly ArrayLike<number>[]
  saved: SavedMoods
  sweep: KSweep
  /** Confusion matrices to draw: the song model's CV, agreement of k-means moods with labels. */
  songScores?: { title: string; scores: Scores }[]
  listener?: ListenerMoodReport
}

export function moodChartData(input: ChartInputs): MoodChartData {
  const mood = topMoods(input.saved)
  const x = standardise(featureMatrix(input.features, input.saved.model.features), input.saved.model.standardiser)
  return {
    moods: MOODS.map((m) => ({ name: m, colour: MOOD_INFO[m].colour, description: MOOD_INFO[m].description })),
    scatter: pcaScatter(x, input.ids, mood, input.sweep.seed, input.saved.model),
    elbow: input.sweep.ks.map((k, i) => ({ k, inertia: input.sweep.inertia[i] })),
    silhouette: input.sweep.ks.map((k, i) => ({ k, silhouette: input.sweep.silhouette[i] })),
    chosenK: input.sweep.chosenK,
    elbowK: input.sweep.elbowK,
    confusions: confusions(input),
    distributions: distributions(input.features, input.saved.model.features, mood),
  }
}

function topMoods(saved: SavedMoods): Mood[] {
  const out: Mood[] = []
  for (let r = 0; r * MOODS.length < saved.proba.length; r++) {
    let best = 0
    for (let c = 1; c < MOODS.length; c++) if (saved.proba[r * MOODS.length + c] > saved.proba[r * MOODS.length + best]) best = c
    out.push(MOODS[best])
  }
  return out
}

/** First two principal components (ml-pca on the covariance of every row), drawn for a seeded sample. */
function pcaScatter(x: FeatureMatrix, ids: readonly string[], mood: Mood[], seed: number, model: SavedMoods['model']): MoodChartData['scatter'] {
  const pca = new PCA(covariance(x), { isCovarianceMatrix: true })
  const vectors = pca.getEigenvectors()
  const variance = pca.getExplainedVariance()
  const points: ScatterPoint[] = []
  for (const r of seededSample(x.rows, SCATTER_POINTS, seed)) {
    let pc1 = 0
    let pc2 = 0
    for (let j = 0; j < x.dims; j++) (pc1 += x.data[r * x.dims + j] * vectors.get(j, 0), pc2 += x.data[r * x.dims + j] * vectors.get(j, 1))
    points.push({ id: ids[r], pc1, pc2, mood: mood[r] })
  }
  const axis = (c: number) => Array.from({ length: x.dims }, (_, j) => vectors.get(j, c))
  const projection = { features: [...model.features], mean: Array.from(model.standardiser.mean), sd: Array.from(model.standardiser.sd), pc1: axis(0), pc2: axis(1) }
  return { explainedVariance: [variance[0], variance[1]], points, projection }
}

function covariance(x: FeatureMatrix): number[][] {
  const c = Array.from({ length: x.dims }, () => new Array<number>(x.dims).fill(0))
  for (let i = 0; i < x.rows; i++) {
    for (let a = 0; a < x.dims; a++) for (let b = a; b < x.dims; b++) c[a][b] += x.data[i * x.dims + a] * x.data[i * x.dims + b]
  }
  for (let a = 0; a < x.dims; a++) for (let b = a; b < x.dims; b++) c[b][a] = c[a][b] /= Math.max(1, x.rows - 1)
  return c
}

function confusions(input: ChartInputs): ConfusionChart[] {
  const out: ConfusionChart[] = (input.songScores ?? []).map((s) => ({ title: s.title, labels: [...MOODS], counts: s.scores.confusion }))
  for (const m of MOODS) {
    const r = input.listener?.perMood[m]
    if (r) out.push({ title: `listener mood ${m} (5-fold CV)`, labels: [`not ${m}`, m], counts: r.cv.model.confusion })
  }
  return out
}

/** Per feature and mood (each track's most likely mood), a histogram over the feature's catalogue range. */
function distributions(features: readonly ArrayLike<number>[], names: readonly string[], mood: Mood[]): Histogram[] {
  const raw = featureMatrix(features, names as never)
  const out: Histogram[] = []
  names.forEach((feature, j) => {
    let lo = Infinity
    let hi = -Infinity
    for (let i = 0; i < raw.rows; i++) (lo = Math.min(lo, raw.data[i * raw.dims + j]), hi = Math.max(hi, raw.data[i * raw.dims + j]))
    const width = (hi - lo) / HISTOGRAM_BINS || 1
    for (const m of MOODS) {
      const count = new Array<number>(HISTOGRAM_BINS).fill(0)
      for (let i = 0; i < raw.rows; i++) if (mood[i] === m) count[Math.min(HISTOGRAM_BINS - 1, Math.floor((raw.data[i * raw.dims + j] - lo) / width))]++
      out.push({ feature, mood: m, binStart: count.map((_, b) => lo + b * width), count })
    }
  })
  return out
}
