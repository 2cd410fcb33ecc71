import { availableParallelism } from 'node:os'
import { SegueError } from '../../core/errors.js'
import { selectTopN } from '../../rerank/select.js'
import { createMfKernel, resolveMfBackend, type MfBackend } from '../../kernels/mf-backend.js'
import type { MfKernel, TopBlock } from '../../kernels/mf-kernel.js'
import { MfPool, sharedF32, sharedI32, type ServingOrder, type SharedCsr, type SharedFixed } from '../../kernels/mf-pool.js'
import { gatherRows, gatherSeen } from '../../kernels/mf-gather.js'
import type { Csr } from '../../core/csr.js'
import type { Explanation, FitReport, ModelArtifact, RecommendOptions, Recommender, Scored, ScoresAll, ScoreVector, UserRef, FitOptions } from '../types.js'
import type { Interactions } from '../../data/interactions.js'
import { FitGuard } from '../shared/fit-guard.js'

let versions = 0
/** A fresh version stamp: kernels recopy a fixed side only when its stamp changes. */
export const nextVersion = (): number => ++versions

/** Users scored per pool job in recommendMany: large enough that messaging costs little. */
const USERS_PER_JOB = 1024
/** Below this many users recommendMany stays on the calling thread (starting workers would cost more). */
const POOL_MIN_USERS = 2048

/** What a fitted factor model holds; factors and the seen matrix live on SharedArrayBuffers for the workers. */
export interface FactorState {
  users: number
  items: number
  k: number
  userFactors: Float32Array
  itemFactors: Float32Array
  userVersion: number
  itemVersion: number
  /** users x items, the training values (plays or counts), for leaving out what a user has played. */
  seen: SharedCsr
}

/** A user's vector, sorted history (items and values) and the scores of every item, from FactorModel.foldUser. */
export interface FoldedUser {
  readonly vector: Float32Array
  readonly seen: Int32Array
  readonly values: Float32Array
  readonly scores: Float32Array
}

/** A model that resolves a user once for recommending and explaining (ALS). */
export interface FoldsUsers {
  foldUser(user: UserRef): FoldedUser
  /** foldUser scoring only a fixed subset of the items: `scores` in the subset's order. */
  foldUserOver(user: UserRef, items: Int32Array): FoldedUser
  recommendFolded(folded: FoldedUser, opts?: RecommendOptions): Scored[]
  explainFolded(folded: FoldedUser, items: readonly number[], top?: number): Explanation[]
  /**
   * explainFolded for one item at a time, the shared work done once on the first call; `scoreOf` gives an
   * item's score where folded.scores does not hold every item's (foldUserOver).
   */
  explainerFolded(folded: FoldedUser, scoreOf?: (item: number) => number): (item: number, top?: number) => Explanation
}

export const foldsUsers = (m: Recommender): m is Recommender & FoldsUsers =>
  ['foldUser', 'foldUserOver', 'recommendFolded', 'explainFolded', 'explainerFolded'].every((f) => typeof (m as unknown as Record<string, unknown>)[f] === 'function')

/**
 * What ALS and BPR share: users and items as rows of two factor matrices, scored by dot product. Serving
 * (recommend, recommendMany, similarItems, fold-in of a new listener) lives here; the subclasses learn.
 */
export abstract class FactorModel implements Recommender, ScoresAll {
  abstract readonly name: string
  protected state: FactorState | null = null
  protected threads: number
  private kernel: MfKernel | null = null
  private held = -1
  private pool: MfPool | null = null
  private readonly guard = new FitGuard()
  private foldInCache: { version: number; g: Float32Array } | null = null
  private normCache: { version: number; norms: Float32Array } | null = null
  private orderCache: { version: number; fixed: SharedFixed; order: ServingOrder } | null = null
  /** foldUserOver's kernels, by subset (the caller keeps its subset array for the model's life). */
  private readonly subsets = new WeakMap<Int32Array, { version: number; kernel: MfKernel }>()

  /** `threads` 0 means all cores. */
  protected constructor(protected readonly backend: MfBackend, threads: number) {
    this.threads = threads > 0 ? threads : availableParallelism()
  }

  abstract save(): ModelArtifact
  /** Ridge penalty of the fold-in solve. */
  protected abstract foldInRegularization(): number
  /** Confidence of a history entry with value r (plays) in the fold-in solve. */
  protected abstract confidence(r: number): number
  protected abstract learn(data: Interactions, opts: FitOptions): Promise<FitReport>

  /**
   * Discards any previous state and learns from `data`; a second fit while one runs is refused, and a fit that
   * fails or is aborted leaves the previous model in place.
   */
  async fit(data: Interactions, opts: FitOptions = {}): Promise<FitReport> {
    return this.guard.run(this.name, opts.signal, async () => {
      const previous = this.state
      try {
        if (opts.threads !== undefined) this.threads = Math.max(1, opts.threads)
        return await this.learn(data, opts)
      } catch (err) {
        this.state = previous
        this.restored()
        throw err
      }
    })
  }

  /** Called when a failed fit has put the previous state back; drop anything derived from the failed one. */
  protected restored(): void {}

  /** The learnt user factors (users x k, row-major); a view, not a copy. */
  get userFactors(): Float32Array {
    return this.fitted().userFactors
  }

  get itemFactors(): Float32Array {
    return this.fitted().itemFactors
  }

  recommend(user: UserRef, opts: RecommendOptions = {}): Scored[] {
    const { vector, seen } = this.resolveUser(user)
    const scores = this.hold(this.itemSide()).scores(vector, 1)
    return selectTopN(scores, { n: opts.n ?? 10, exclude: opts.excludeSeen === false ? undefined : seen, filter: opts.filter })
  }

  /**
   * A user resolved once (folded in when ad hoc) with the scores of every item, for several calls on the same
   * history: recommendFolded and, where the model explains, explainFolded give what recommend and explainMany
   * give, without repeating the fold-in and the scoring.
   */
  foldUser(user: UserRef): FoldedUser {
    const { vector, seen, values } = this.resolveUser(user)
    return { vector, seen, values, scores: this.hold(this.itemSide()).scores(vector, 1) }
  }

  /**
   * foldUser scoring only `items` (a fixed subset, such as the items a caller can ever offer): `scores` holds
   * their scores in the subset's order, each the score foldUser gives that item bit for bit (every kernel scores
   * a row on its own), for a fraction of the work. The subset's factors are gathered once per model version.
   */
  foldUserOver(user: UserRef, items: Int32Array): FoldedUser {
    const { vector, seen, values } = this.resolveUser(user)
    return { vector, seen, values, scores: this.subsetKernel(items).scores(vector, 1) }
  }

  /** recommend() for a user from foldUser. */
  recommendFolded(folded: FoldedUser, opts: RecommendOptions = {}): Scored[] {
    return selectTopN(folded.scores, { n: opts.n ?? 10, exclude: opts.excludeSeen === false ? undefined : folded.seen, filter: opts.filter })
  }

  /** The dot-product scores recommend() ranks a known user by (a fresh array). */
  scoreAll(user: number): ScoreVector {
    return { scores: this.hold(this.itemSide()).scores(this.resolveUser({ user }).vector, 1) }
  }

  /**
   * Top-n for many known users. Without a filter this runs blocked U·Vᵀ scoring with the selection inside the
   * kernel, on worker threads for large batches; with a filter it falls back to recommend() per user.
   */
  async recommendMany(users: readonly number[], opts: RecommendOptions = {}): Promise<Scored[][]> {
    const s = this.fitted()
    if (opts.filter) return users.map((user) => this.recommend({ user }, opts))
    const ids = Int32Array.from(users, (u) => this.checkUser(u))
    const top = Math.max(0, Math.min(opts.n ?? 10, s.items))
    const seen = opts.excludeSeen === false ? null : s.seen
    if (top === 0) return users.map(() => [])
    const blocks = this.threads > 1 && ids.length >= POOL_MIN_USERS ? await this.recommendPooled(ids, seen, top) : [this.recommendHere(ids, seen, top)]
    return blocks.flatMap((b) => toScored(b, top))
  }

  similarItems(item: number, n = 10): Scored[] {
    const s = this.fitted()
    this.checkItem(item)
    const norms = this.itemNorms()
    const v = s.itemFactors.subarray(item * s.k, (item + 1) * s.k)
    const scores = this.hold(this.itemSide()).scores(v, 1)
    for (let i = 0; i < s.items; i++) scores[i] = norms[i] > 0 && norms[item] > 0 ? scores[i] / (norms[i] * norms[item]) : -Infinity
    return selectTopN(scores, { n, exclude: [item] })
  }

  /**
   * A new listener's vector from their history against the fixed item factors, without retraining: the
   * implicit-ALS normal equations (YᵀY + λI + Σ (c_i - 1) y_i y_iᵀ) x = Σ c_i y_i, solved by conjugate gradient
   * run to convergence (k steps).
   */
  foldIn(history: ArrayLike<number>, weights?: ArrayLike<number>): Float32Array {
    const s = this.fitted()
    const { items, values } = mergeHistory(history, weights, s.items)
    const conf = Float32Array.from(values, (r) => this.confidence(r))
    const x = new Float32Array(s.k)
    const job = { x, indptr: Int32Array.from([0, items.length]), indices: items, conf }
    this.hold(this.itemSide()).cgSolve(job, this.foldInGram(), s.k)
    return x
  }

  /** Ends the worker threads (they are unreferenced when idle, so this is only needed to free them early). */
  async dispose(): Promise<void> {
    await this.pool?.close()
    this.pool = null
  }

  protected fitted(): FactorState {
    if (!this.state) throw new SegueError('E_BAD_ARGUMENT', `${this.name}: the model is not fitted yet (call fit or load it first)`)
    return this.state
  }

  protected itemSide(): SharedFixed {
    const s = this.fitted()
    return { y: s.itemFactors, rows: s.items, k: s.k, version: s.itemVersion }
  }

  protected userSide(): SharedFixed {
    const s = this.fitted()
    return { y: s.userFactors, rows: s.users, k: s.k, version: s.userVersion }
  }

  /** The calling thread's kernel holding `fixed`. */
  protected hold(fixed: SharedFixed): MfKernel {
    this.kernel ??= createMfKernel(this.backend)
    if (this.held !== fixed.version) {
      this.kernel.setFixed(fixed.y, fixed.rows, fixed.k)
      this.held = fixed.version
    }
    return this.kernel
  }

  /** The worker pool for `threads` > 1, or null when work should stay on the calling thread. */
  protected workers(): MfPool | null {
    if (this.threads <= 1) return null
    if (this.pool?.threads !== this.threads) {
      void this.pool?.close()
      this.pool = new MfPool(resolveMfBackend(this.backend), this.threads)
    }
    return this.pool
  }

  /** The user's vector and sorted history, for a known user or an ad-hoc one (folded in). */
  protected resolveUser(user: UserRef): { vector: Float32Array; seen: Int32Array; values: Float32Array } {
    const s = this.fitted()
    if ('user' in user) {
      const u = this.checkUser(user.user)
      const p0 = s.seen.indptr[u], p1 = s.seen.indptr[u + 1]
      return { vector: s.userFactors.subarray(u * s.k, (u + 1) * s.k), seen: s.seen.indices.subarray(p0, p1), values: s.seen.values.subarray(p0, p1) }
    }
    const { items, values } = mergeHistory(user.history, user.weights, s.items)
    return { vector: this.foldIn(items, values), seen: items, values }
  }

  protected checkUser(user: number): number {
    if (!Number.isInteger(user) || user < 0 || user >= this.fitted().users) {
      throw new SegueError('E_NOT_FOUND', `${this.name}: unknown user ${user} (dense ids run 0..${this.fitted().users - 1})`)
    }
    return user
  }

  protected checkItem(item: number): number {
    if (!Number.isInteger(item) || item < 0 || item >= this.fitted().items) {
      throw new SegueError('E_NOT_FOUND', `${this.name}: unknown item ${item} (dense ids run 0..${this.fitted().items - 1})`)
    }
    return item
  }

  protected foldInGram(): Float32Array {
    const side = this.itemSide()
    if (this.foldInCache?.version !== side.version) {
      const g = this.hold(side).gram()
      for (let d = 0; d < side.k; d++) g[d * side.k + d] += this.foldInRegularization()
      this.foldInCache = { version: side.version, g }
    }
    return this.foldInCache.g
  }

  /** A kernel of its own holding the factors of `items` (foldUserOver), rebuilt when the item factors change. */
  private subsetKernel(items: Int32Array): MfKernel {
    const s = this.fitted()
    let held = this.subsets.get(items)
    if (held?.version !== s.itemVersion) {
      const kernel = held?.kernel ?? createMfKernel(this.backend)
      for (const item of items) this.checkItem(item)
      kernel.setFixed(gatherRows(s.itemFactors, items, s.k), items.length, s.k)
      this.subsets.set(items, (held = { version: s.itemVersion, kernel }))
    }
    return held.kernel
  }

  private itemNorms(): Float32Array {
    const s = this.fitted()
    if (this.normCache?.version !== s.itemVersion) {
      const norms = new Float32Array(s.items)
      for (let i = 0; i < s.items; i++) {
        let q = 0
        for (let d = 0; d < s.k; d++) q += s.itemFactors[i * s.k + d] ** 2
        norms[i] = Math.sqrt(q)
      }
      this.normCache = { version: s.itemVersion, norms }
    }
    return this.normCache.norms
  }

  /**
   * The item factors re-stored largest norm first, for recommendMany's pruned scan (see recommendBlock in
   * assembly/mf.ts), rebuilt when the item factors change.
   */
  private servingOrder(): { fixed: SharedFixed; order: ServingOrder } {
    const s = this.fitted()
    if (this.orderCache?.version !== s.itemVersion) {
      const norms = this.itemNorms()
      const perm = sharedI32(s.items, Int32Array.from({ length: s.items }, (_, i) => i).sort((a, b) => norms[b] - norms[a] || a - b))
      const pos = sharedI32(s.items)
      perm.forEach((item, r) => (pos[item] = r))
      const fixed = { y: sharedF32(s.items * s.k, gatherRows(s.itemFactors, perm, s.k)), rows: s.items, k: s.k, version: nextVersion() }
      const order = { perm, pos, norms: sharedF32(s.items, Float32Array.from(perm, (i) => norms[i])) }
      this.orderCache = { version: s.itemVersion, fixed, order }
    }
    return this.orderCache
  }

  private recommendHere(ids: Int32Array, seen: SharedCsr | null, top: number): TopBlock {
    const s = this.fitted()
    const { fixed, order } = this.servingOrder()
    const kern = this.hold(fixed)
    const out: TopBlock = { items: new Int32Array(ids.length * top), scores: new Float32Array(ids.length * top), counts: new Int32Array(ids.length) }
    for (let a0 = 0; a0 < ids.length; a0 += 64) {
      const block = ids.subarray(a0, Math.min(ids.length, a0 + 64))
      const [ptr, list] = gatherSeen(seen, block, order.pos)
      const got = kern.recommend(gatherRows(s.userFactors, block, s.k), block.length, ptr, list, top, order)
      out.items.set(got.items, a0 * top)
      out.scores.set(got.scores, a0 * top)
      out.counts.set(got.counts, a0)
    }
    return out
  }

  private async recommendPooled(ids: Int32Array, seen: SharedCsr | null, top: number): Promise<TopBlock[]> {
    const pool = this.workers() as MfPool
    const { fixed, order } = this.servingOrder()
    const jobs: Promise<TopBlock>[] = []
    for (let a0 = 0; a0 < ids.length; a0 += USERS_PER_JOB) {
      const users = ids.slice(a0, Math.min(ids.length, a0 + USERS_PER_JOB))
      jobs.push(pool.run({ op: 'recommend', fixed, u: this.fitted().userFactors, users, seen, top, order }).then((r) => r.top as TopBlock))
    }
    return Promise.all(jobs)
  }
}

/** Sorted unique items of a history with their summed weights (default 1 each); an unknown item is E_NOT_FOUND. */
export function mergeHistory(history: ArrayLike<number>, weights: ArrayLike<number> | undefined, items: number): { items: Int32Array; values: Float32Array } {
  const sum = new Map<number, number>()
  for (let i = 0; i < history.length; i++) {
    const item = history[i]
    if (!Number.isInteger(item) || item < 0 || item >= items) {
      throw new SegueError('E_NOT_FOUND', `history holds unknown item ${item} (dense ids run 0..${items - 1})`)
    }
    sum.set(item, (sum.get(item) ?? 0) + (weights ? weights[i] : 1))
  }
  const keys = Int32Array.from(sum.keys()).sort()
  return { items: keys, values: Float32Array.from(keys, (k) => sum.get(k) as number) }
}

function toScored(b: TopBlock, top: number): Scored[][] {
  return Array.from(b.counts, (count, a) =>
    Array.from({ length: count }, (_, i) => ({ item: b.items[a * top + i], score: b.scores[a * top + i] })),
  )
}

/** A CSR matrix's arrays copied onto SharedArrayBuffers, with `values` in place of the data when given. */
export function shareCsr(m: Csr, values?: Float32Array): SharedCsr {
  return { indptr: sharedI32(m.indptr.length, m.indptr), indices: sharedI32(m.indices.length, m.indices), values: sharedF32(m.data.length, values ?? m.data) }
}

/** Throws when any factor is NaN or infinite, naming the remedies that usually help. */
export function checkFinite(model: string, what: string, step: number, xs: Float32Array, remedies: string): void {
  for (let i = 0; i < xs.length; i++) {
    if (!Number.isFinite(xs[i])) {
      throw new SegueError('E_BAD_ARGUMENT', `${model}: ${what} became NaN or infinite at iteration ${step}; ${remedies}`)
    }
  }
}

/** Blob arrays from a saved artifact, checked to be present and of the expected type. */
export function blobOf<T extends Float32Array | Int32Array>(a: ModelArtifact, name: string, type: new (n: number) => T): T {
  const b = a.blobs[name]
  if (!(b instanceof type)) throw new SegueError('E_ARTIFACT_CORRUPT', `${a.kind} artifact: blob '${name}' is missing or of the wrong type`)
  return b
}

export function restoreState(a: ModelArtifact, meta: { users: number; items: number; factors: number }): FactorState {
  const seen: SharedCsr = {
    indptr: shareI32(blobOf(a, 'seenIndptr', Int32Array)),
    indices: shareI32(blobOf(a, 'seenIndices', Int32Array)),
    values: sharedF32(blobOf(a, 'seenValues', Float32Array).length, blobOf(a, 'seenValues', Float32Array)),
  }
  const uf = blobOf(a, 'userFactors', Float32Array), itf = blobOf(a, 'itemFactors', Float32Array)
  if (uf.length !== meta.users * meta.factors || itf.length !== meta.items * meta.factors || seen.indptr.length !== meta.users + 1) {
    throw new SegueError('E_ARTIFACT_CORRUPT', `${a.kind} artifact: factor or matrix sizes do not match its header`)
  }
  const userFactors = sharedF32(uf.length, uf), itemFactors = sharedF32(itf.length, itf)
  return { users: meta.users, items: meta.items, k: meta.factors, userFactors, itemFactors, userVersion: nextVersion(), itemVersion: nextVersion(), seen }
}

function shareI32(a: Int32Array): Int32Array {
  const out = new Int32Array(new SharedArrayBuffer(Math.max(4, a.byteLength)), 0, a.length)
  out.set(a)
  return out
}

/** The fitted factors and play history as an artifact; run-time choices (threads, backend) are left out. */
export function factorArtifact(kind: string, version: number, options: { threads?: unknown; backend?: unknown }, s: FactorState): ModelArtifact {
  const { threads: _threads, backend: _backend, ...kept } = options
  return {
    kind,
    version,
    meta: { options: kept, users: s.users, items: s.items, factors: s.k },
    blobs: {
      userFactors: s.userFactors.slice(),
      itemFactors: s.itemFactors.slice(),
      seenIndptr: s.seen.indptr.slice(),
      seenIndices: s.seen.indices.slice(),
      seenValues: s.seen.values.slice(),
    },
  }
}

/** The header of a factor artifact written by factorArtifact, after checking its kind and version. */
export function factorMeta<O>(a: ModelArtifact, kind: string, version: number): { options: Partial<O>; users: number; items: number; factors: number } {
  if (a.kind !== kind) throw new SegueError('E_ARTIFACT_CORRUPT', `expected a '${kind}' artifact, got '${a.kind}'`)
  if (a.version !== version) throw new SegueError('E_ARTIFACT_VERSION', `${kind} artifact version ${a.version}, this segue reads ${version}`)
  return a.meta as { options: Partial<O>; users: number; items: number; factors: number }
}
