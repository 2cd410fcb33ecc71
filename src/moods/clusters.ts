import { SegueError } from '../core/errors.js'
import type { FeatureMatrix, Standardiser } from './features.js'
import { kmeans, seededSample, silhouette, type KMeansResult } from './kmeans.js'
import { MOODS, type Mood } from './moods.js'
import { nameCentres, DEFAULT_THRESHOLDS, type Thresholds } from './naming.js'

export interface SweepOptions {
  /** The k values tried (default 2..10). */
  ks?: number[]
  seed?: number
  /** Rows in the fixed seeded sample the silhouette is measured on (it costs sample^2 distances). */
  silhouetteSample?: number
  /** The smallest k chosen: fewer clusters than moods would leave a mood without any track. */
  minK?: number
}

/** 2,000 rows: the silhouette of a k moves by under 0.01 between seeds at this size, and takes ~0.1 s per k. */
const SWEEP_DEFAULTS: Required<SweepOptions> = { ks: [2, 3, 4, 5, 6, 7, 8, 9, 10], seed: 42, silhouetteSample: 2000, minK: MOODS.length }

export interface KSweep {
  ks: number[]
  /** Within-cluster sum of squares per k (the elbow curve). */
  inertia: number[]
  /** Mean silhouette on the seeded sample per k. */
  silhouette: number[]
  /** The knee of the elbow curve: the k farthest below the line from its first to its last point. */
  elbowK: number
  /** The k with the best silhouette among k >= minK: the one used. */
  chosenK: number
  silhouetteSample: number
  seed: number
}

/** Runs k-means for each k and picks one by silhouette (k >= minK); the elbow's knee is reported beside it. */
export function sweepK(x: FeatureMatrix, opts: SweepOptions = {}): { sweep: KSweep; fits: Map<number, KMeansResult> } {
  const o = { ...SWEEP_DEFAULTS, ...opts }
  const sample = seededSample(x.rows, o.silhouetteSample, o.seed)
  const fits = new Map<number, KMeansResult>()
  const inertia: number[] = []
  const sil: number[] = []
  for (const k of o.ks) {
    const fit = kmeans(x, k, { seed: o.seed })
    fits.set(k, fit)
    inertia.push(fit.inertia)
    sil.push(silhouette(x, fit.assignment, k, sample))
  }
  const allowed = o.ks.map((k, i) => ({ k, s: sil[i] })).filter((e) => e.k >= o.minK)
  if (allowed.length === 0) throw new SegueError('E_BAD_ARGUMENT', `no k of ${o.ks.join(', ')} is at least ${o.minK}`)
  const chosenK = allowed.reduce((best, e) => (e.s > best.s ? e : best)).k
  return { sweep: { ks: o.ks, inertia, silhouette: sil, elbowK: elbowKnee(o.ks, inertia), chosenK, silhouetteSample: sample.length, seed: o.seed }, fits }
}

/** The k whose inertia lies farthest below the straight line joining the curve's ends (the "kneedle" knee). */
export function elbowKnee(ks: number[], inertia: number[]): number {
  const n = ks.length
  if (n < 3) return ks[0]
  const [x0, y0, x1, y1] = [ks[0], inertia[0], ks[n - 1], inertia[n - 1]]
  let best = 0
  let bestGap = -Infinity
  for (let i = 0; i < n; i++) {
    const line = y0 + ((y1 - y0) * (ks[i] - x0)) / (x1 - x0)
    if (line - inertia[i] > bestGap) { bestGap = line - inertia[i]; best = i }
  }
  return ks[best]
}

export interface NamedClusters {
  k: number
  /** Centres in the features' own units (unstandardised), k x dims. */
  centres: Float64Array
  names: Mood[]
  /** Each row's cluster. */
  assignment: Int32Array
  /** Each row's mood (index into MOODS) through its cluster's name. */
  moods: Int32Array
  thresholds: Thresholds
}

/** Names each cluster's centre by the threshold rules and gives every row its cluster's mood. */
export function nameClusters(fit: KMeansResult, x: FeatureMatrix, s: Standardiser, t: Thresholds = DEFAULT_THRESHOLDS): NamedClusters {
  const centres = new Float64Array(fit.centres.length)
  for (let c = 0; c < fit.k; c++) for (let j = 0; j < fit.dims; j++) centres[c * fit.dims + j] = fit.centres[c * fit.dims + j] * s.sd[j] + s.mean[j]
  const col = (name: string) => {
    const j = x.names.indexOf(name as never)
    if (j < 0) throw new SegueError('E_BAD_ARGUMENT', `clusters are named by valence and energy, but the features lack '${name}'`)
    return j
  }
  const names = nameCentres(centres, fit.dims, col('valence'), col('energy'), t)
  const moods = Int32Array.from(fit.assignment, (c) => MOODS.indexOf(names[c]))
  return { k: fit.k, centres, names, assignment: fit.assignment, moods, thresholds: t }
}
