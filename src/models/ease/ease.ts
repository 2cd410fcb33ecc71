import type { Blob } from '../../core/artifact.js'
import { nnz, type Csr } from '../../core/csr.js'
import type { Interactions } from '../../data/interactions.js'
import { BaseRecommender, type FittedBase, type TrainResult } from '../shared/base.js'
import { progressTicker } from '../shared/fit-guard.js'
import { assertFinite } from '../shared/finite.js'
import { mergeOptions, requireRange, savedOptions } from '../shared/options.js'
import { itemPopularity } from '../shared/popularity-vector.js'
import { requireItem, scaleMatrix, type Profile, type ValueScale } from '../shared/profile.js'
import { savedBlob } from '../shared/saved.js'
import type { Explainable, Explanation, FitOptions, ModelArtifact, Scored, UserRef } from '../types.js'
import { easeWeightsByUsers, usersWithKeptItems } from './by-users.js'
import { spdMatrix, type SpdBackend } from './spd-inverse.js'

export interface EaseOptions {
  /** L2 regularisation λ added to the diagonal of XᵀX (Steck used a few hundred on binary data). */
  lambda: number
  /**
   * Items with fewer users are left out of the dense model (scored -Infinity, so backfill ranks them).
   * The cost is cubic in the smaller of the items kept and the users (see solveWeights). HetRec Last.fm,
   * 80% split: minUsers 2 keeps 5,958 items, 3 keeps 3,922, 4 keeps 2,962, with P@10 0.1875 / 0.1873 /
   * 0.1873: the rare items hardly matter, the default takes 3. With its 1,892 users every choice fits in
   * seconds (the Woodbury form); `npm run bench -- eval` times minUsers 2 on all of HetRec.
   */
  minUsers: number
  /**
   * At most this many items enter the dense model: when more have minUsers users, the maxItems most used are
   * kept (ties to the lower id) and the rest are never scored by EASE (-Infinity, so only popularity backfill
   * can list them). Memory is 4 bytes x items² for B, plus 16 x items² (direct inverse) or 16 x users² (Woodbury)
   * while fitting. Default 4,000 (64 MB of B; the items³ solve of the MPD sample's 4,000 took 4.8 CPU seconds,
   * bench/ease.bench.ts): all of the 3,922 items of HetRec's 80% split fit, all of HetRec keeps 4,000 of its 4,614 items with 3 or more listeners, and
   * the MPD playlist sample (202,008 tracks) keeps its 4,000 most used tracks rather than being refused. The cap
   * is set by fit time and memory, not tuned for score: on the sample's held-out part 4,000 tracks give NDCG@10
   * 0.134 (popularity 0.013), 10,000 give 0.148 but take 2.3x as long to fit.
   */
  maxItems: number
  /** How play counts enter X (EASE is defined on binary data). */
  scale: ValueScale
}

export const EASE_DEFAULTS: Required<EaseOptions> = { lambda: 200, minUsers: 3, maxItems: 4_000, scale: 'binary' }

interface EaseState extends FittedBase {
  /** Dense item id of each kept item. */
  kept: Int32Array
  /** Position among kept items of each item, -1 when pruned. */
  slot: Int32Array
  /** kept x kept, row-major: B[j][i] is how much item j speaks for item i. */
  weights: Float32Array
}

/**
 * EASE (Steck 2019): B = I - P diag(1/diag(P)) with P = (XᵀX + λI)⁻¹, i.e. the closed-form item-item linear
 * model with a zero diagonal; score(u) = x_u B. Explains a score by the terms x_uj B[j][i]. Not Incremental:
 * a new batch needs the cubic solve again (fold-in of a new history needs nothing, it is just x B).
 */
export class EaseRecommender extends BaseRecommender<EaseState> implements Explainable {
  readonly name = 'ease'
  readonly opts: Required<EaseOptions>
  protected readonly scale: ValueScale

  constructor(options: Partial<EaseOptions> = {}) {
    super()
    this.opts = mergeOptions(this.name, EASE_DEFAULTS, options)
    requireRange(this.name, 'lambda', this.opts.lambda, Number.MIN_VALUE)
    requireRange(this.name, 'minUsers', this.opts.minUsers, 1, Infinity, true)
    requireRange(this.name, 'maxItems', this.opts.maxItems, 1, Infinity, true)
    this.scale = this.opts.scale
  }

  static load(saved: ModelArtifact): EaseRecommender {
    return new EaseRecommender(savedOptions(saved)).restore(saved)
  }

  explain(user: UserRef, item: number, top = 5): Explanation {
    const state = this.fitted()
    requireItem(item, state.data.matrix.cols, this.name)
    const profile = this.profile(state, user)
    const because: Scored[] = []
    const i = state.slot[item]
    const n = state.kept.length
    for (let t = 0; t < profile.items.length && i >= 0; t++) {
      const j = state.slot[profile.items[t]]
      const c = j < 0 ? 0 : profile.weights[t] * state.weights[j * n + i]
      if (c !== 0) because.push({ item: profile.items[t], score: c })
    }
    because.sort((a, b) => b.score - a.score || a.item - b.item)
    return { item, because: because.slice(0, top) }
  }

  protected async train(data: Interactions, opts: FitOptions): Promise<TrainResult<EaseState>> {
    const x = scaleMatrix(data.matrix, this.scale)
    const popularity = itemPopularity(data.matrix)
    const { kept, slot } = keepItems(popularity, this.opts.minUsers, this.opts.maxItems)
    const n = kept.length
    const weights = await solveWeights(x, slot, n, this.opts.lambda, (total) => progressTicker(this.name, total, opts).tick)
    assertFinite(weights, this.name, 'the weight matrix B', 'raise lambda (the Gram matrix is near singular)')
    return { state: { data, popularity, kept, slot, weights }, iterations: 1 }
  }

  protected scoreProfile(state: EaseState, profile: Profile): Float32Array {
    const n = state.kept.length
    const local = new Float32Array(n)
    for (let t = 0; t < profile.items.length; t++) {
      const j = state.slot[profile.items[t]]
      if (j < 0) continue
      const w = profile.weights[t]
      const row = state.weights.subarray(j * n, (j + 1) * n)
      for (let i = 0; i < n; i++) local[i] += w * row[i]
    }
    return scatter(local, state)
  }

  protected similarScores(state: EaseState, item: number): Float32Array {
    const j = state.slot[item]
    const n = state.kept.length
    const scores = new Float32Array(state.slot.length).fill(-Infinity)
    if (j >= 0) for (let i = 0; i < n; i++) scores[state.kept[i]] = state.weights[j * n + i]
    return scores
  }

  protected restoreState(base: FittedBase, saved: ModelArtifact): EaseState {
    const kept = savedBlob(saved, 'kept', Int32Array)
    const weights = savedBlob(saved, 'weights', Float32Array, kept.length * kept.length)
    const slot = new Int32Array(base.data.matrix.cols).fill(-1)
    kept.forEach((item, i) => (slot[item] = i))
    return { ...base, kept, slot, weights }
  }

  protected blobs(state: EaseState): Record<string, Blob> {
    return { kept: state.kept, weights: state.weights }
  }

  protected options(): Record<string, unknown> {
    return { ...this.opts }
  }
}

/** Items with at least minUsers users, at most the maxItems most used of them (ties to the lower id), ids ascending. */
export function keepItems(popularity: Float32Array, minUsers: number, maxItems: number): { kept: Int32Array; slot: Int32Array } {
  let candidates: number[] = []
  popularity.forEach((count, item) => {
    if (count >= minUsers) candidates.push(item)
  })
  if (candidates.length > maxItems) {
    candidates = candidates.sort((a, b) => popularity[b] - popularity[a] || a - b).slice(0, maxItems).sort((a, b) => a - b)
  }
  const slot = new Int32Array(popularity.length).fill(-1)
  candidates.forEach((item, i) => (slot[item] = i))
  return { kept: Int32Array.from(candidates), slot }
}

/**
 * B by whichever closed form costs less: the items x items inverse (about items³ multiply-adds), or, with
 * fewer users than items, the Woodbury form (users³ + nnz x items; see by-users.ts). Both give the same B up to
 * rounding.
 */
async function solveWeights(x: Csr, slot: Int32Array, n: number, lambda: number, ticker: (total: number) => (done: number) => Promise<void>): Promise<Float32Array> {
  const m = usersWithKeptItems(x, slot)
  if (m ** 3 + nnz(x) * n < n ** 3) return easeWeightsByUsers(x, slot, n, lambda, ticker(3 * m + n))
  return easeWeightsDense(x, slot, n, lambda, ticker(3 * n))
}

/**
 * B through the direct inverse of XᵀX + λI (items x items, f64); `backend` picks the inverse's kernels. The
 * Gram matrix is built where the inverse runs (see spdMatrix), so it is never copied.
 */
export async function easeWeightsDense(x: Csr, slot: Int32Array, n: number, lambda: number, tick: (done: number) => Promise<void>, backend: SpdBackend = 'auto'): Promise<Float32Array> {
  const g = spdMatrix(n, backend)
  gramMatrix(x, slot, n, lambda, g.a)
  return easeWeights(await g.invert(tick), n)
}

/** XᵀX + λI over the kept items, dense f64, accumulated user by user (each user adds its items²) into g (zeros). */
export function gramMatrix(x: Csr, slot: Int32Array, n: number, lambda: number, g: Float64Array = new Float64Array(n * n)): Float64Array {
  const cols: number[] = []
  const vals: number[] = []
  for (let u = 0; u < x.rows; u++) {
    cols.length = 0
    vals.length = 0
    for (let p = x.indptr[u]; p < x.indptr[u + 1]; p++) {
      const j = slot[x.indices[p]]
      if (j < 0) continue
      cols.push(j)
      vals.push(x.data[p])
    }
    for (let a = 0; a < cols.length; a++) for (let b = 0; b < cols.length; b++) g[cols[a] * n + cols[b]] += vals[a] * vals[b]
  }
  for (let i = 0; i < n; i++) g[i * n + i] += lambda
  return g
}

/** B[j][i] = -P[j][i] / P[i][i], zero diagonal (Steck's closed form), narrowed to f32 for scoring. */
export function easeWeights(p: Float64Array, n: number): Float32Array {
  const b = new Float32Array(n * n)
  for (let j = 0; j < n; j++) {
    const rj = j * n
    for (let i = 0; i < n; i++) b[rj + i] = i === j ? 0 : -p[rj + i] / p[i * n + i]
  }
  return b
}

/** Kept-item scores placed at their dense ids; pruned items stay -Infinity for backfill. */
function scatter(local: Float32Array, state: EaseState): Float32Array {
  const scores = new Float32Array(state.slot.length).fill(-Infinity)
  for (let i = 0; i < local.length; i++) scores[state.kept[i]] = local[i]
  return scores
}
