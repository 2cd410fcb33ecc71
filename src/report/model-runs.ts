/**
 * Models evaluated at several list lengths for the report's model charts: each model is fitted once on a random
 * per-listener holdout, asked once for each test listener's top max(K) items (seen items excluded), and the
 * lists are cut at every k. The metrics are those of src/eval/metrics.ts, averaged over test listeners as
 * evaluate() averages them; AUC and rating errors are left out (they do not depend on k).
 */
import { rowIndices } from '../core/csr.js'
import type { ProgressFn } from '../core/progress.js'
import type { Interactions } from '../data/interactions.js'
import { popularityOf } from '../eval/evaluate.js'
import * as m from '../eval/metrics.js'
import { randomHoldout } from '../eval/splits.js'
import { createModel } from '../models/registry.js'
import type { ModelEvaluation } from '../viz/insight-charts.js'
import type { ModelCurve } from '../viz/models.js'

/** List lengths the curves are drawn at: 1 to 50 on a log axis. */
export const REPORT_KS = [1, 2, 5, 10, 20, 50] as const
/** Models compared: the baseline and the two collaborative models that fit within the report's 20 s budget. */
export const REPORT_MODELS = ['popularity', 'item-knn', 'als'] as const
/** Share of each listener's items held out, as `segue evaluate` does by default. */
const HOLDOUT = 0.2
/** Users asked per recommendMany call. */
const BATCH = 256
/** List length of the popularity-bias chart: the length people see first. */
const BIAS_K = 10

export interface ModelRunOptions {
  models?: readonly string[]
  ks?: readonly number[]
  seed?: number
  /** Labels per dense item id (HetRec tags), for the diversity of lists; novelty is used when absent. */
  labels?: ReadonlyArray<readonly string[]>
  onProgress?: ProgressFn
  signal?: AbortSignal
}

export async function runModels(data: Interactions, opts: ModelRunOptions = {}): Promise<ModelEvaluation> {
  const seed = opts.seed ?? 42
  const ks = [...(opts.ks ?? REPORT_KS)].sort((a, b) => a - b)
  const split = randomHoldout(data, { fraction: HOLDOUT, seed })
  const relevant = relevantOf(split.test)
  const users = [...relevant.keys()]
  const pop = popularityOf(split.train)
  const curves: ModelCurve[] = []
  const recommended: ModelEvaluation['recommended'] = []
  for (const name of opts.models ?? REPORT_MODELS) {
    opts.signal?.throwIfAborted()
    const model = createModel(name)
    await model.fit(split.train, { seed, signal: opts.signal, onProgress: (p) => opts.onProgress?.({ phase: `fit ${name}`, done: p.iteration, total: p.total }) })
    const lists = await topLists(model, users, ks[ks.length - 1], name, opts)
    curves.push({ model: name, points: ks.map((k) => ({ k, metrics: metricsAt(lists, users, relevant, k, pop, split.train.matrix.cols, opts.labels) })) })
    recommended.push({ model: name, items: Int32Array.from(lists.flatMap((l) => l.slice(0, BIAS_K))) })
  }
  return {
    setup: `${data.users.size.toLocaleString('en-GB')} listeners, ${Math.round(HOLDOUT * 100)}% of each one's items held out at random (seed ${seed}); ${users.length.toLocaleString('en-GB')} test listeners`,
    curves,
    trainCounts: pop.counts,
    recommended,
    biasK: BIAS_K,
    beyond: opts.labels ? ['coverage', 'genreDiversity'] : ['coverage', 'novelty'],
  }
}

async function topLists(model: ReturnType<typeof createModel>, users: number[], n: number, name: string, opts: ModelRunOptions): Promise<number[][]> {
  const lists: number[][] = []
  for (let i = 0; i < users.length; i += BATCH) {
    opts.signal?.throwIfAborted()
    const batch = await model.recommendMany(users.slice(i, i + BATCH), { n, excludeSeen: true })
    for (const l of batch) lists.push(l.map((s) => s.item))
    opts.onProgress?.({ phase: `score ${name}`, done: Math.min(users.length, i + BATCH), total: users.length })
  }
  return lists
}

function relevantOf(test: Interactions): Map<number, Set<number>> {
  const out = new Map<number, Set<number>>()
  for (let u = 0; u < test.matrix.rows; u++) {
    const items = rowIndices(test.matrix, u)
    if (items.length) out.set(u, new Set(items))
  }
  return out
}

/** The per-user metrics at k averaged over test users (non-finite values left out), and coverage of all lists. */
export function metricsAt(
  lists: readonly number[][], users: readonly number[], relevant: Map<number, Set<number>>, k: number,
  pop: m.Popularity, itemCount: number, labels?: ReadonlyArray<readonly string[]>,
): Record<string, number> {
  const mean = (f: (top: number[], rel: Set<number>) => number) => meanFinite(lists.map((l, i) => f(l.slice(0, k), relevant.get(users[i])!)))
  const meanPop = m.meanPopularity(pop)
  return {
    precision: mean((t, r) => m.precisionAt(t, r, k)),
    recall: mean((t, r) => m.recallAt(t, r, k)),
    ndcg: mean((t, r) => m.ndcgAt(t, r, k)),
    map: mean((t, r) => m.averagePrecisionAt(t, r, k)),
    mrr: mean((t, r) => m.reciprocalRankAt(t, r, k)),
    hitRate: mean((t, r) => m.hitAt(t, r, k)),
    coverage: m.catalogueCoverage(lists.map((l) => l.slice(0, k)), itemCount),
    novelty: mean((t) => m.noveltyOf(t, pop)),
    popularityLift: mean((t) => m.averagePopularity(t, pop) / meanPop),
    ...(labels ? { genreDiversity: mean((t) => m.labelDiversity(t, labels)) } : {}),
  }
}

function meanFinite(values: readonly number[]): number {
  let s = 0
  let n = 0
  for (const v of values) if (Number.isFinite(v)) (s += v), n++
  return n ? s / n : NaN
}

