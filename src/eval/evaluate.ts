import { nnz, rowData, rowIndices } from '../core/csr.js'
import { SegueError } from '../core/errors.js'
import type { Interactions } from '../data/interactions.js'
import type { ProgressFn } from '../core/progress.js'
import { yieldToEventLoop } from '../models/shared/fit-guard.js'
import { canScoreAll, isRatingPredictor, type FitOptions, type FitReport, type Recommender, type Scored, type ScoresAll } from '../models/types.js'
import { selectTopN } from '../rerank/select.js'
import { ALL_METRICS, isMetricName, type MetricName, type PerUserMetric } from './metric-names.js'
import * as m from './metrics.js'
import type { Split } from './partition.js'

/** What evaluation may know about items, indexed by dense item id. */
export interface ItemInfo {
  genres?: ReadonlyArray<readonly string[]>
  artists?: ReadonlyArray<readonly string[]>
  /** Row-major item feature vectors (items x dims); intra-list similarity is their cosine by default. */
  features?: { data: Float32Array; dims: number }
  /** Overrides the similarity used for intra-list similarity. */
  similarity?: m.ItemSimilarity
}

export interface EvaluateOptions {
  /** List length the ranking and beyond-accuracy metrics look at. */
  k: number
  /** Default: every metric the model and itemInfo allow. Asking for one that itemInfo cannot support throws. */
  metrics?: readonly MetricName[]
  itemInfo?: ItemInfo
  /** 'cold-active': also report cold users (fewer than `coldBelow` training interactions) and the rest apart. */
  segments?: 'cold-active'
  /**
   * Cold users have fewer than this many training interactions (default 5). A fixed count rather than a
   * percentile, so that "cold" means the same thing across datasets and splits being compared.
   */
  coldBelow?: number
  /** Test entries with a value below this are not relevant (e.g. 4 for 1-5 star ratings). Default: all are. */
  relevantFrom?: number
  /**
   * How deep a ranking AUC reads (default: the whole catalogue, which gives exact AUC; read from the model's
   * score vectors when it has them, else from lists of every item). Smaller depths treat unlisted items as
   * tied last; see aucOf.
   */
  aucDepth?: number
  /** Passed to model.fit (seed, signal, onProgress). */
  fit?: FitOptions
  /** Called after each batch of test users is scored (phase 'score users', done of total users). */
  onProgress?: ProgressFn
}

/** Metric means for one group of test users. */
export interface MetricSummary {
  /** Test users in the group (with at least one relevant item). */
  users: number
  metrics: Partial<Record<MetricName, number>>
}

export interface EvaluationResult {
  model: string
  k: number
  overall: MetricSummary
  segments?: { coldBelow: number; cold: MetricSummary; active: MetricSummary }
  fit: FitReport
  seconds: number
}

/** One test user's case: the top-k list, AUC (NaN when not asked), relevant items, and candidate count. */
interface UserCase {
  user: number
  top: readonly number[]
  auc: number
  relevant: ReadonlySet<number>
  candidates: number
}

/** What the per-user metrics need beyond the user's case. */
interface Context {
  k: number
  pop: m.Popularity
  meanPop: number
  info: ItemInfo
  similarity?: m.ItemSimilarity
}

const PER_USER: Record<PerUserMetric, (c: UserCase, x: Context) => number> = {
  precision: (c, x) => m.precisionAt(c.top, c.relevant, x.k),
  recall: (c, x) => m.recallAt(c.top, c.relevant, x.k),
  f1: (c, x) => m.f1At(c.top, c.relevant, x.k),
  ndcg: (c, x) => m.ndcgAt(c.top, c.relevant, x.k),
  map: (c, x) => m.averagePrecisionAt(c.top, c.relevant, x.k),
  mrr: (c, x) => m.reciprocalRankAt(c.top, c.relevant, x.k),
  hitRate: (c, x) => m.hitAt(c.top, c.relevant, x.k),
  auc: (c) => c.auc,
  ils: (c, x) => m.intraListSimilarity(c.top, x.similarity!),
  genreDiversity: (c, x) => m.labelDiversity(c.top, x.info.genres!),
  artistDiversity: (c, x) => m.labelDiversity(c.top, x.info.artists!),
  novelty: (c, x) => m.noveltyOf(c.top, x.pop),
  arp: (c, x) => m.averagePopularity(c.top, x.pop),
  popularityLift: (c, x) => m.averagePopularity(c.top, x.pop) / x.meanPop,
}

/**
 * Fits `model` on split.train, asks it for each test user's top items (seen training items excluded), and
 * averages the metrics over test users that have at least one relevant test item. Per-user values that are
 * undefined (NaN: AUC with no negatives, intra-list similarity of a one-item list) are left out of the mean.
 * Rating predictors on explicit data also get RMSE and MAE over every test rating. Only the Recommender
 * interface and its type guards are used, never the model's kind.
 */
export async function evaluate(model: Recommender, split: Split, opts: EvaluateOptions): Promise<EvaluationResult> {
  const started = performance.now()
  const metrics = chooseMetrics(model, split.test, opts)
  const fit = await model.fit(split.train, opts.fit)
  const cases = await buildCases(model, split, opts, metrics.includes('auc'))
  const ctx = makeContext(split.train, opts)
  const summarise = (group: UserCase[], users: (u: number) => boolean) =>
    summariseGroup(model, split, group, users, metrics, ctx)
  const result: EvaluationResult = { model: model.name, k: opts.k, overall: summarise(cases, () => true), fit, seconds: 0 }
  if (opts.segments === 'cold-active') result.segments = segmentResults(split.train, cases, opts.coldBelow ?? 5, summarise)
  result.seconds = (performance.now() - started) / 1000
  return result
}

/** The requested metrics, checked against what the model and itemInfo can support; or all that they can. */
function chooseMetrics(model: Recommender, test: Interactions, opts: EvaluateOptions): MetricName[] {
  if (!(Number.isInteger(opts.k) && opts.k > 0)) throw new SegueError('E_BAD_ARGUMENT', `k must be a positive integer, got ${opts.k}`)
  const info = opts.itemInfo ?? {}
  const unsupported = (name: MetricName): string | undefined => {
    if (name === 'ils' && !similarityFor(info)) return 'itemInfo.similarity, features or genres'
    if (name === 'genreDiversity' && !info.genres) return 'itemInfo.genres'
    if (name === 'artistDiversity' && !info.artists) return 'itemInfo.artists'
    return undefined
  }
  const rates = (name: MetricName) => (name !== 'rmse' && name !== 'mae') || (isRatingPredictor(model) && test.kind === 'explicit')
  if (!opts.metrics) return ALL_METRICS.filter((name) => !unsupported(name) && rates(name))
  for (const name of opts.metrics) {
    if (!isMetricName(name)) throw new SegueError('E_BAD_ARGUMENT', `unknown metric '${String(name)}'`)
    const needs = unsupported(name)
    if (needs) throw new SegueError('E_BAD_ARGUMENT', `metric '${name}' needs ${needs}`)
  }
  // Rating errors are silently skipped for models that do not predict ratings, so one metric list can
  // serve a whole comparison table; the table shows them as missing.
  return opts.metrics.filter(rates)
}

/** Intra-list similarity: the given function, else cosine of features, else Jaccard of genres. */
function similarityFor(info: ItemInfo): m.ItemSimilarity | undefined {
  if (info.similarity) return info.similarity
  if (info.features) return m.cosineSimilarity(info.features.data, info.features.dims)
  return info.genres ? m.jaccardSimilarity(info.genres) : undefined
}

function makeContext(train: Interactions, opts: EvaluateOptions): Context {
  const pop = popularityOf(train)
  const info = opts.itemInfo ?? {}
  return { k: opts.k, pop, meanPop: m.meanPopularity(pop), info, similarity: similarityFor(info) }
}

/** Training popularity: users per item. */
export function popularityOf(train: Interactions): m.Popularity {
  const counts = new Float64Array(train.matrix.cols)
  for (let p = 0; p < nnz(train.matrix); p++) counts[train.matrix.indices[p]]++
  return { counts, users: train.matrix.rows }
}

/**
 * Test users with relevant items, and what the metrics need of them, a batch of users at a time. When AUC is
 * asked of a model with score vectors (ScoresAll), each user's vector gives both the top-k list (selectTopN
 * over it is what recommend() gives, by the ScoresAll contract) and the whole ranking AUC reads, so the user is
 * scored once and no list of every item is built. Other models list `aucDepth` items per user through
 * recommendMany instead. Only a number per user is kept.
 */
async function buildCases(model: Recommender, split: Split, opts: EvaluateOptions, withAuc: boolean): Promise<UserCase[]> {
  const relevant = relevantByUser(split.test, opts.relevantFrom)
  const users = [...relevant.keys()]
  const plan = listPlan(model, split.train.matrix.cols, opts, withAuc)
  const cases: UserCase[] = []
  for (let i = 0; i < users.length; i += plan.batch) {
    const batch = users.slice(i, i + plan.batch)
    if (plan.vectors && canScoreAll(model)) {
      for (const user of batch) cases.push(vectorCase(model, split.train, user, relevant.get(user)!, opts.k, plan.aucDepth))
    } else {
      const lists = await model.recommendMany(batch, { n: plan.depth, excludeSeen: true })
      batch.forEach((user, b) => cases.push(listCase(split.train, user, lists[b], relevant.get(user)!, opts.k, plan.aucDepth)))
    }
    opts.onProgress?.({ phase: 'score users', done: i + batch.length, total: users.length })
    await yieldToEventLoop()
  }
  return cases
}

/** Users per batch: the progress step, small enough that a bar moves, large enough to batch recommendMany. */
const USERS_PER_BATCH = 128
/** Listed items held at once when AUC needs deep lists (a model without ScoresAll): bounds memory. */
const LISTED_PER_BATCH = 1_000_000

interface ListPlan {
  /** List length asked of recommendMany. */
  depth: number
  /** How deep AUC reads the ranking (the catalogue size for exact AUC); 0 without AUC. */
  aucDepth: number
  /** True when each user's score vector gives the list and AUC (AUC asked of a ScoresAll model). */
  vectors: boolean
  batch: number
}

function listPlan(model: Recommender, itemCount: number, opts: EvaluateOptions, withAuc: boolean): ListPlan {
  const aucDepth = withAuc ? Math.max(opts.k, Math.min(itemCount, opts.aucDepth ?? itemCount)) : 0
  const vectors = withAuc && canScoreAll(model)
  const depth = withAuc && !vectors ? aucDepth : opts.k
  return { depth, aucDepth, vectors, batch: Math.max(1, Math.min(USERS_PER_BATCH, Math.floor(LISTED_PER_BATCH / depth))) }
}

/** A user's case from a list of `aucDepth` items (or k without AUC). */
function listCase(train: Interactions, user: number, list: Scored[], relevant: Set<number>, k: number, aucDepth: number): UserCase {
  const ranked = list.map((s) => s.item)
  const candidates = train.matrix.cols - rowIndices(train.matrix, user).length
  const auc = aucDepth === 0 ? NaN : m.aucOf(ranked, relevant, candidates)
  return { user, top: ranked.slice(0, k), auc, relevant, candidates }
}

/** A user's case from the score vector: the top k, and AUC over the whole ranking (or the list of aucDepth when AUC is truncated). */
function vectorCase(model: Recommender & ScoresAll, train: Interactions, user: number, relevant: Set<number>, k: number, aucDepth: number): UserCase {
  const v = model.scoreAll(user)
  const seen = rowIndices(train.matrix, user)
  const candidates = train.matrix.cols - seen.length
  const head = selectTopN(v.scores, { n: aucDepth >= candidates ? k : aucDepth, exclude: seen, backfill: v.backfill }).map((s) => s.item)
  const auc = aucDepth >= candidates ? m.aucOfScores(v, seen, relevant, candidates) : m.aucOf(head, relevant, candidates)
  return { user, top: head.slice(0, k), auc, relevant, candidates }
}

/** Each test user's relevant items (value >= threshold when given), users without any left out. */
function relevantByUser(test: Interactions, from: number | undefined): Map<number, Set<number>> {
  const out = new Map<number, Set<number>>()
  for (let u = 0; u < test.matrix.rows; u++) {
    const items = rowIndices(test.matrix, u)
    const values = rowData(test.matrix, u)
    const rel = new Set<number>()
    items.forEach((item, i) => {
      if (from === undefined || values[i] >= from) rel.add(item)
    })
    if (rel.size > 0) out.set(u, rel)
  }
  return out
}

function summariseGroup(
  model: Recommender,
  split: Split,
  group: readonly UserCase[],
  inGroup: (user: number) => boolean,
  metrics: readonly MetricName[],
  ctx: Context,
): MetricSummary {
  const out: Partial<Record<MetricName, number>> = {}
  for (const name of metrics) {
    if (name === 'coverage') out.coverage = m.catalogueCoverage(group.map((c) => c.top), split.train.matrix.cols)
    else if (name === 'rmse' || name === 'mae') out[name] = ratingError(model, split.test, inGroup, name)
    else out[name] = meanFinite(group.map((c) => PER_USER[name](c, ctx)))
  }
  return { users: group.length, metrics: out }
}

/** RMSE or MAE of model.predict over every test rating of the users in the group. */
function ratingError(model: Recommender, test: Interactions, inGroup: (user: number) => boolean, which: 'rmse' | 'mae'): number {
  if (!isRatingPredictor(model)) return NaN
  const predicted: number[] = []
  const actual: number[] = []
  for (let u = 0; u < test.matrix.rows; u++) {
    if (!inGroup(u)) continue
    const values = rowData(test.matrix, u)
    rowIndices(test.matrix, u).forEach((item, i) => {
      predicted.push(model.predict(u, item))
      actual.push(values[i])
    })
  }
  return which === 'rmse' ? m.rmse(predicted, actual) : m.mae(predicted, actual)
}

/** The mean of the finite values; NaN when there are none. */
function meanFinite(values: readonly number[]): number {
  let sum = 0
  let n = 0
  for (const v of values) {
    if (!Number.isFinite(v)) continue
    sum += v
    n++
  }
  return n === 0 ? NaN : sum / n
}

function segmentResults(
  train: Interactions,
  cases: readonly UserCase[],
  coldBelow: number,
  summarise: (group: UserCase[], users: (u: number) => boolean) => MetricSummary,
): NonNullable<EvaluationResult['segments']> {
  const trainCount = (u: number) => train.matrix.indptr[u + 1] - train.matrix.indptr[u]
  const isCold = (u: number) => trainCount(u) < coldBelow
  return {
    coldBelow,
    cold: summarise(cases.filter((c) => isCold(c.user)), isCold),
    active: summarise(cases.filter((c) => !isCold(c.user)), (u) => !isCold(u)),
  }
}
