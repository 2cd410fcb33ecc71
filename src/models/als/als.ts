import { transpose, type Csr } from '../../core/csr.js'
import { SegueError } from '../../core/errors.js'
import { Rng } from '../../core/rng.js'
import type { Interactions } from '../../data/interactions.js'
import { sharedF32, type SharedCsr } from '../../kernels/mf-pool.js'
import type { Explainable, Explanation, FitOptions, FitReport, Incremental, ModelArtifact, UserRef } from '../types.js'
import { yieldToEventLoop } from '../shared/fit-guard.js'
import { explainBasis, explainerNear, explainScore, scoreExplainer, type ExplainBasis } from './explain.js'
import { checkFinite, factorArtifact, factorMeta, FactorModel, mergeHistory, nextVersion, restoreState, shareCsr, type FoldedUser } from './factor-model.js'
import { alsOptions, confidenceOf, type AlsOptions } from './options.js'
import { alsLoss, mergeCsr, regularizedGram, solveRows, solveSide, trainingMatrices, type Runner } from './train.js'

export const ALS_KIND = 'als'
export const ALS_VERSION = 1
const REMEDIES = 'try a larger regularization, a smaller alpha, or confidence: "log" for heavy play counts'

/**
 * Implicit-feedback ALS (Hu, Koren & Volinsky 2008): plays become preferences p = 1 with confidence c = 1 + α·r
 * (or log-scaled), and users and items are solved in turn, each row by a few conjugate-gradient steps
 * warm-started from its previous factors (Takács, Pilászy & Tikk 2011), as the `implicit` library does.
 * Rows are independent within a half-step, so results do not depend on the thread count.
 */
export class AlsRecommender extends FactorModel implements Incremental, Explainable {
  readonly name = 'als'
  readonly options: AlsOptions
  /** Confidence-weighted training matrices (users x items, items x users), rebuilt from `seen` when absent. */
  private train: { users: SharedCsr; items: SharedCsr } | null = null
  /** The item factors' version each basis of explainBasis was made with. */
  private readonly bases = new WeakMap<ExplainBasis, number>()

  constructor(options: Partial<AlsOptions> = {}) {
    const o = alsOptions(options)
    super(o.backend, o.threads)
    this.options = o
  }

  protected foldInRegularization(): number {
    return this.options.regularization
  }

  protected confidence(r: number): number {
    return confidenceOf(this.options)(r)
  }

  protected async learn(data: Interactions, opts: FitOptions): Promise<FitReport> {
    const t0 = performance.now()
    const k = this.options.factors
    const m = data.matrix
    const rng = new Rng(opts.seed ?? 0)
    const seen = shareCsr(m)
    const userFactors = initialFactors(m.rows * k, rng)
    this.state = { users: m.rows, items: m.cols, k, userFactors, itemFactors: initialFactors(m.cols * k, rng), userVersion: nextVersion(), itemVersion: nextVersion(), seen }
    this.train = trainingMatrices(seen, m.cols, confidenceOf(this.options))
    const losses: number[] = []
    for (let it = 1; it <= this.options.iterations; it++) {
      if (opts.signal?.aborted) throw new SegueError('E_INTERRUPTED', `als: fit aborted after ${it - 1} iterations`)
      await this.iterate(it)
      await yieldToEventLoop()
      const loss = this.options.calculateLoss ? await this.loss() : undefined
      if (loss !== undefined) losses.push(loss)
      opts.onProgress?.({ iteration: it, total: this.options.iterations, seconds: (performance.now() - t0) / 1000, loss })
    }
    return { seconds: (performance.now() - t0) / 1000, iterations: this.options.iterations, loss: losses.length ? losses : undefined }
  }

  /** One full iteration: users against fixed items, then items against fixed users; NaN-checked. */
  async iterate(iteration = 0): Promise<void> {
    const s = this.fitted()
    const train = this.trainingSet()
    const run = this.runner()
    const steps = this.options.cgSteps
    const reg = this.options.regularization
    await solveSide(run, this.itemSide(), s.userFactors, train.users, await regularizedGram(run, this.itemSide(), reg), steps)
    s.userVersion = nextVersion()
    await solveSide(run, this.userSide(), s.itemFactors, train.items, await regularizedGram(run, this.userSide(), reg), steps)
    s.itemVersion = nextVersion()
    checkFinite('als', 'user factors', iteration, s.userFactors, REMEDIES)
    checkFinite('als', 'item factors', iteration, s.itemFactors, REMEDIES)
  }

  /** The weighted loss of the current factors (see alsLoss). */
  async loss(): Promise<number> {
    const s = this.fitted()
    const g = await regularizedGram(this.runner(), this.itemSide(), 0)
    return alsLoss(s.userFactors, s.itemFactors, s.k, this.trainingSet().users, g, this.options.regularization)
  }

  /**
   * Folds new interactions in without a full retrain: new items get factors solved against the current users,
   * then every user the batch touches is re-solved against the items (CG run to convergence). The batch must
   * use the same id maps as the fitted data (possibly grown).
   */
  async partialFit(batch: Interactions, _opts: FitOptions = {}): Promise<void> {
    const s = this.fitted()
    const merged = mergeCsr(toCsr(s.seen, s.users, s.items), batch.matrix)
    const k = s.k
    const oldItems = s.items
    s.userFactors = grow(s.userFactors, merged.rows * k)
    s.itemFactors = grow(s.itemFactors, merged.cols * k)
    Object.assign(s, { users: merged.rows, items: merged.cols, seen: shareCsr(merged), userVersion: nextVersion(), itemVersion: nextVersion() })
    this.train = trainingMatrices(s.seen, s.items, confidenceOf(this.options))
    const newItems = rowsWithEntries(transpose(batch.matrix)).filter((i) => i >= oldItems)
    const reg = this.options.regularization
    if (newItems.length > 0) {
      solveRows(this.hold(this.userSide()), s.itemFactors, k, this.train.items, newItems, await regularizedGram(this.here(), this.userSide(), reg), k)
      s.itemVersion = nextVersion()
    }
    const users = rowsWithEntries(batch.matrix)
    solveRows(this.hold(this.itemSide()), s.userFactors, k, this.train.users, users, this.foldInGram(), k)
    s.userVersion = nextVersion()
    checkFinite('als', 'factors after partialFit', 0, s.userFactors, REMEDIES)
  }

  /** The history items behind `item`'s score for `user`, with their exact share of the (folded-in) score. */
  explain(user: UserRef, item: number, top = 5): Explanation {
    const s = this.fitted()
    this.checkItem(item)
    const { vector, seen, values } = this.resolveUser(user)
    const conf = Float32Array.from(values, (r) => this.confidence(r))
    const score = this.hold(this.itemSide()).scores(vector, 1)[item]
    return { item, because: explainScore(this.foldInGram(), s.itemFactors, s.k, seen, conf, item, top, score) }
  }

  /** explain() for several items of one user at once: one fold-in, one scoring pass, one factorisation. */
  explainMany(user: UserRef, items: readonly number[], top = 5): Explanation[] {
    for (const item of items) this.checkItem(item)
    return this.explainFolded(this.foldUser(user), items, top)
  }

  /** explainMany() for a user from foldUser: the fold-in and the scores recommendFolded used are reused. */
  explainFolded(folded: FoldedUser, items: readonly number[], top = 5): Explanation[] {
    for (const item of items) this.checkItem(item)
    const explain = this.explainerFolded(folded)
    return items.map((item) => explain(item, top))
  }

  /**
   * explainFolded one item at a time, for callers that learn late which items they need: the factorisation
   * is done on the first call and shared by the later ones.
   */
  explainerFolded(folded: FoldedUser, scoreOf: (item: number) => number = (item) => folded.scores[item]): (item: number, top?: number) => Explanation {
    const s = this.fitted()
    let explain: ReturnType<typeof scoreExplainer> | undefined
    return (item, top = 5) => {
      this.checkItem(item)
      explain ??= scoreExplainer(this.foldInGram(), s.itemFactors, s.k, folded.seen, Float32Array.from(folded.values, (r) => this.confidence(r)))
      return { item, because: explain(item, top, scoreOf(item)) }
    }
  }

  /**
   * The factorisation explainerFolded makes for an ad-hoc history (items and play-count weights, as foldUser
   * takes them), for a caller to keep: explainerNear then explains histories that differ from it in a few items
   * for a rank-one update per item instead of a factorisation. It holds this model version's factors' terms.
   */
  explainBasis(history: ArrayLike<number>, weights: ArrayLike<number>): ExplainBasis {
    const s = this.fitted()
    const { items, values } = mergeHistory(history, weights, s.items)
    const basis = explainBasis(this.foldInGram(), s.itemFactors, s.k, items, Float32Array.from(values, (r) => this.confidence(r)))
    this.bases.set(basis, s.itemVersion)
    return basis
  }

  /**
   * explainerFolded with its factorisation updated from `basis` (explainBasis of a nearby history: the listener's,
   * for a request that adds seeds): the same shares up to rounding (~1e-12 relative), for a few rank-one updates.
   */
  explainerNear(folded: FoldedUser, basis: ExplainBasis, scoreOf: (item: number) => number = (item) => folded.scores[item]): (item: number, top?: number) => Explanation {
    const s = this.fitted()
    let explain: ReturnType<typeof scoreExplainer> | undefined
    const made = () => {
      const conf = Float32Array.from(folded.values, (r) => this.confidence(r))
      // A basis from other factors (a refit since) is no basis: factorised afresh, as explainerFolded does.
      return this.bases.get(basis) === s.itemVersion ? explainerNear(basis, this.foldInGram(), s.itemFactors, s.k, folded.seen, conf) : scoreExplainer(this.foldInGram(), s.itemFactors, s.k, folded.seen, conf)
    }
    return (item, top = 5) => {
      this.checkItem(item)
      explain ??= made()
      return { item, because: explain(item, top, scoreOf(item)) }
    }
  }

  save(): ModelArtifact {
    return factorArtifact(ALS_KIND, ALS_VERSION, this.options, this.fitted())
  }

  /** Restores a model written by save(). */
  static load(a: ModelArtifact, overrides: Partial<AlsOptions> = {}): AlsRecommender {
    const meta = factorMeta<AlsOptions>(a, ALS_KIND, ALS_VERSION)
    const model = new AlsRecommender({ ...meta.options, ...overrides })
    model.state = restoreState(a, meta)
    return model
  }

  protected override restored(): void {
    this.train = null
  }

  private trainingSet(): { users: SharedCsr; items: SharedCsr } {
    const s = this.fitted()
    this.train ??= trainingMatrices(s.seen, s.items, confidenceOf(this.options))
    return this.train
  }

  private runner(): Runner {
    return { hold: (f) => this.hold(f), pool: this.workers() }
  }

  private here(): Runner {
    return { hold: (f) => this.hold(f), pool: null }
  }
}

/** Small positive starting factors, as `implicit` uses (CG then warm-starts from them), on a shared buffer. */
function initialFactors(length: number, rng: Rng): Float32Array {
  const out = sharedF32(length)
  for (let i = 0; i < length; i++) out[i] = rng.next() * 0.01
  return out
}

function toCsr(m: SharedCsr, rows: number, cols: number): Csr {
  return { rows, cols, indptr: m.indptr, indices: m.indices, data: m.values }
}

/** A larger shared copy of `a` (new rows zero). */
function grow(a: Float32Array, length: number): Float32Array {
  return length === a.length ? a : sharedF32(length, a)
}

function rowsWithEntries(m: Csr): Int32Array {
  const out: number[] = []
  for (let r = 0; r < m.rows; r++) if (m.indptr[r + 1] > m.indptr[r]) out.push(r)
  return Int32Array.from(out)
}
