import { SegueError } from '../../core/errors.js'
import { Rng } from '../../core/rng.js'
import type { Interactions } from '../../data/interactions.js'
import { selectTopN } from '../../rerank/select.js'
import { solveSpd } from '../als/explain.js'
import { blobOf, mergeHistory } from '../als/factor-model.js'
import { nonNegative, positiveInt } from '../als/options.js'
import { FitGuard, yieldToEventLoop } from '../shared/fit-guard.js'
import { mergeOptions } from '../shared/options.js'
import type { FitOptions, FitReport, ModelArtifact, RatingPredictor, RecommendOptions, Recommender, Scored, UserRef } from '../types.js'

export const SVD_KIND = 'svd'
export const SVD_VERSION = 1

/** Options of biased SVD; the defaults are Surprise's. */
export interface SvdOptions {
  /** Latent factors (default 100). */
  factors: number
  /** SGD passes over the ratings (default 20). */
  epochs: number
  /** Learning rate of every parameter (default 0.005). */
  learningRate: number
  /** Penalty on biases and factors (default 0.02). */
  regularization: number
  /** Standard deviation of the normal factor initialisation (default 0.1). */
  initStd: number
}

export const SVD_DEFAULTS: SvdOptions = { factors: 100, epochs: 20, learningRate: 0.005, regularization: 0.02, initStd: 0.1 }

interface SvdState {
  users: number
  items: number
  k: number
  mean: number
  /** Lowest and highest training rating: predictions are clipped to them, as Surprise does. */
  lo: number
  hi: number
  userBias: Float32Array
  itemBias: Float32Array
  p: Float32Array
  q: Float32Array
  /** The training ratings (users x items CSR), for leaving out what a user has rated. */
  indptr: Int32Array
  indices: Int32Array
  ratings: Float32Array
}

/**
 * Explicit-rating matrix factorisation with biases (Funk; Koren, Bell & Volinsky 2009): r̂ = μ + b_u + b_i +
 * p_u·q_i, learnt by SGD over the ratings in user-major order, as Surprise's SVD. Rankings order items by
 * predicted rating. Deterministic for a seed. Given implicit data (play counts), it learns log(1 + plays) as
 * the rating, since raw counts in the tens of thousands make SGD at these learning rates diverge.
 */
export class SvdRecommender implements Recommender, RatingPredictor {
  readonly name = 'svd'
  readonly options: SvdOptions
  private state: SvdState | null = null
  private readonly guard = new FitGuard()

  constructor(options: Partial<SvdOptions> = {}) {
    this.options = mergeOptions<SvdOptions>('svd', SVD_DEFAULTS, options)
    positiveInt('factors', this.options.factors)
    positiveInt('epochs', this.options.epochs, true)
    for (const key of ['learningRate', 'regularization', 'initStd'] as const) nonNegative(key, this.options[key])
  }

  /** Learns from `data` (ratings); a failed or aborted fit keeps the previous model. */
  async fit(data: Interactions, opts: FitOptions = {}): Promise<FitReport> {
    return this.guard.run('svd', opts.signal, () => this.learn(data, opts))
  }

  private async learn(data: Interactions, opts: FitOptions): Promise<FitReport> {
    const t0 = performance.now()
    const s = initialState(data, this.options, new Rng(opts.seed ?? 0))
    const losses: number[] = []
    for (let epoch = 1; epoch <= this.options.epochs; epoch++) {
      if (opts.signal?.aborted) throw new SegueError('E_INTERRUPTED', `svd: fit aborted after ${epoch - 1} epochs`)
      const rmse = sgdEpoch(s, this.options.learningRate, this.options.regularization)
      if (!Number.isFinite(rmse)) {
        throw new SegueError('E_BAD_ARGUMENT', `svd: training error became NaN or infinite in epoch ${epoch}; try a smaller learningRate or a larger regularization`)
      }
      losses.push(rmse)
      opts.onProgress?.({ iteration: epoch, total: this.options.epochs, seconds: (performance.now() - t0) / 1000, loss: rmse })
      await yieldToEventLoop()
    }
    this.state = s
    return { seconds: (performance.now() - t0) / 1000, iterations: this.options.epochs, loss: losses }
  }

  /** Predicted rating; an unknown user or item contributes no bias or factors (μ alone when both are unknown). */
  predict(user: number | undefined, item: number | undefined): number {
    const s = this.fitted()
    const u = user !== undefined && Number.isInteger(user) && user >= 0 && user < s.users ? user : -1
    const i = item !== undefined && Number.isInteger(item) && item >= 0 && item < s.items ? item : -1
    let r = s.mean + (u >= 0 ? s.userBias[u] : 0) + (i >= 0 ? s.itemBias[i] : 0)
    if (u >= 0 && i >= 0) r += dotRows(s.p, u, s.q, i, s.k)
    return Math.min(s.hi, Math.max(s.lo, r))
  }

  recommend(user: UserRef, opts: RecommendOptions = {}): Scored[] {
    const s = this.fitted()
    const { vector, bias, seen } = this.resolve(user)
    const scores = new Float32Array(s.items)
    for (let i = 0; i < s.items; i++) {
      let d = 0
      for (let f = 0; f < s.k; f++) d += vector[f] * s.q[i * s.k + f]
      scores[i] = s.mean + bias + s.itemBias[i] + d
    }
    return selectTopN(scores, { n: opts.n ?? 10, exclude: opts.excludeSeen === false ? undefined : seen, filter: opts.filter })
  }

  async recommendMany(users: readonly number[], opts: RecommendOptions = {}): Promise<Scored[][]> {
    return users.map((user) => this.recommend({ user }, opts))
  }

  /** Items whose factor vectors point the same way (cosine), the item itself left out. */
  similarItems(item: number, n = 10): Scored[] {
    const s = this.fitted()
    this.checkItem(item)
    const norm = (i: number) => Math.sqrt(dotRows(s.q, i, s.q, i, s.k))
    const self = norm(item)
    const scores = Float32Array.from({ length: s.items }, (_, i) => {
      const d = norm(i) * self
      return d > 0 ? dotRows(s.q, i, s.q, item, s.k) / d : -Infinity
    })
    return selectTopN(scores, { n, exclude: [item] })
  }

  save(): ModelArtifact {
    const s = this.fitted()
    return {
      kind: SVD_KIND,
      version: SVD_VERSION,
      meta: { options: this.options, users: s.users, items: s.items, factors: s.k, mean: s.mean, lo: s.lo, hi: s.hi },
      blobs: { userBias: s.userBias, itemBias: s.itemBias, p: s.p, q: s.q, indptr: s.indptr, indices: s.indices, ratings: s.ratings },
    }
  }

  static load(a: ModelArtifact): SvdRecommender {
    if (a.kind !== SVD_KIND) throw new SegueError('E_ARTIFACT_CORRUPT', `expected an '${SVD_KIND}' artifact, got '${a.kind}'`)
    if (a.version !== SVD_VERSION) throw new SegueError('E_ARTIFACT_VERSION', `svd artifact version ${a.version}, this segue reads ${SVD_VERSION}`)
    const meta = a.meta as { options: SvdOptions; users: number; items: number; factors: number; mean: number; lo: number; hi: number }
    const model = new SvdRecommender(meta.options)
    const f32 = (name: string) => blobOf(a, name, Float32Array)
    const i32 = (name: string) => blobOf(a, name, Int32Array)
    model.state = {
      users: meta.users, items: meta.items, k: meta.factors, mean: meta.mean, lo: meta.lo, hi: meta.hi,
      userBias: f32('userBias'), itemBias: f32('itemBias'), p: f32('p'), q: f32('q'), indptr: i32('indptr'), indices: i32('indices'), ratings: f32('ratings'),
    }
    return model
  }

  /**
   * A known user's factors and bias, or a new one's fitted to their ratings (history with weights = ratings,
   * default the global mean + 1) against the fixed item side: the bias is the shrunk mean residual, the factors
   * a ridge regression on what remains.
   */
  private resolve(user: UserRef): { vector: ArrayLike<number>; bias: number; seen: Int32Array } {
    const s = this.fitted()
    if ('user' in user) {
      const u = user.user
      if (!Number.isInteger(u) || u < 0 || u >= s.users) throw new SegueError('E_NOT_FOUND', `svd: unknown user ${u} (dense ids run 0..${s.users - 1})`)
      return { vector: s.p.subarray(u * s.k, (u + 1) * s.k), bias: s.userBias[u], seen: s.indices.subarray(s.indptr[u], s.indptr[u + 1]) }
    }
    const weights = user.weights ?? Array.from({ length: user.history.length }, () => Math.min(s.hi, s.mean + 1))
    const { items, values } = mergeHistory(user.history, weights, s.items)
    return { ...foldInRatings(s, items, values, this.options.regularization), seen: items }
  }

  private fitted(): SvdState {
    if (!this.state) throw new SegueError('E_BAD_ARGUMENT', 'svd: the model is not fitted yet (call fit or load it first)')
    return this.state
  }

  private checkItem(item: number): void {
    const s = this.fitted()
    if (!Number.isInteger(item) || item < 0 || item >= s.items) throw new SegueError('E_NOT_FOUND', `svd: unknown item ${item} (dense ids run 0..${s.items - 1})`)
  }
}

function initialState(data: Interactions, o: SvdOptions, rng: Rng): SvdState {
  const m = data.matrix
  if (m.data.length === 0) throw new SegueError('E_BAD_ARGUMENT', 'svd: there are no ratings to learn from')
  const ratings = data.kind === 'implicit' ? m.data.map((v) => Math.log1p(Math.max(0, v))) : m.data
  let sum = 0, lo = Infinity, hi = -Infinity
  for (const r of ratings) {
    sum += r
    lo = Math.min(lo, r)
    hi = Math.max(hi, r)
  }
  const normal = (n: number) => Float32Array.from({ length: n }, () => rng.normal() * o.initStd)
  return {
    users: m.rows, items: m.cols, k: o.factors, mean: sum / ratings.length, lo, hi,
    userBias: new Float32Array(m.rows), itemBias: new Float32Array(m.cols), p: normal(m.rows * o.factors), q: normal(m.cols * o.factors),
    indptr: m.indptr, indices: m.indices, ratings,
  }
}

/** One pass of Surprise's SGD; returns the training RMSE measured before each step. */
function sgdEpoch(s: SvdState, lr: number, reg: number): number {
  const { k, p, q, userBias, itemBias } = s
  let sq = 0
  for (let u = 0; u < s.users; u++) {
    const uo = u * k
    for (let e = s.indptr[u]; e < s.indptr[u + 1]; e++) {
      const i = s.indices[e]
      const io = i * k
      const err = s.ratings[e] - (s.mean + userBias[u] + itemBias[i] + dotRows(p, u, q, i, k))
      sq += err * err
      userBias[u] += lr * (err - reg * userBias[u])
      itemBias[i] += lr * (err - reg * itemBias[i])
      for (let f = 0; f < k; f++) {
        const pf = p[uo + f], qf = q[io + f]
        p[uo + f] += lr * (err * qf - reg * pf)
        q[io + f] += lr * (err * pf - reg * qf)
      }
    }
  }
  return Math.sqrt(sq / s.ratings.length)
}

function dotRows(a: Float32Array, ra: number, b: Float32Array, rb: number, k: number): number {
  let d = 0
  for (let f = 0; f < k; f++) d += a[ra * k + f] * b[rb * k + f]
  return d
}

/** Bias then ridge-regressed factors for a new user's ratings, item side fixed. */
function foldInRatings(s: SvdState, items: Int32Array, ratings: Float32Array, reg: number): { vector: Float64Array; bias: number } {
  const k = s.k
  let resid = 0
  items.forEach((i, e) => (resid += ratings[e] - s.mean - s.itemBias[i]))
  // Shrunk towards zero like a regularised bias: a single rating moves it little.
  const bias = resid / (items.length + 1 + reg * 25)
  const a = new Float64Array(k * k)
  const b = new Float64Array(k)
  for (let d = 0; d < k; d++) a[d * k + d] = reg * Math.max(1, items.length)
  items.forEach((i, e) => {
    const t = ratings[e] - s.mean - bias - s.itemBias[i]
    for (let r = 0; r < k; r++) {
      b[r] += t * s.q[i * k + r]
      for (let c = 0; c < k; c++) a[r * k + c] += s.q[i * k + r] * s.q[i * k + c]
    }
  })
  return { vector: items.length ? solveSpd(a, b, k) : new Float64Array(k), bias }
}

