import { Rng } from '../../core/rng.js'
import { buildInteractions, type Interactions, type RawInteraction } from '../../data/interactions.js'
import type { Recommender } from '../../models/types.js'
import { testHistory, type LeaveLastOut } from './data.js'
import type { SasRec } from './model.js'

/**
 * Leave-last-out next-item evaluation, two protocols on the same queries:
 * - full ranking: the target's rank among every item the listener has not played;
 * - sampled (the SASRec paper's): its rank among itself and SAMPLED_NEGATIVES items the listener never played,
 *   drawn uniformly; the same candidates for every model.
 * HR@10 = share of queries whose target ranks in the top 10; NDCG@10 = mean of 1 / log2(rank + 2) over those
 * (0-based rank), 0 when it ranks lower. With one relevant item the ideal DCG is 1.
 */
export const SAMPLED_NEGATIVES = 100
export const CUTOFF = 10

export type Phase = 'valid' | 'test'

/** One query: a sequence, its history and its target, with the candidates of the sampled protocol (target first). */
export interface Query {
  seq: number
  history: Int32Array
  target: number
  candidates: Int32Array
}

export interface RankMetrics {
  hr: number
  ndcg: number
  queries: number
}

export interface NextItemReport {
  full: RankMetrics
  sampled: RankMetrics
}

/** The queries of a phase (up to `maxQueries`, evenly spread) with seeded negative candidates. */
export function buildQueries(split: LeaveLastOut, phase: Phase, opts: { maxQueries?: number; seed?: number } = {}): Query[] {
  const n = split.data.sequences.length
  const step = opts.maxQueries && opts.maxQueries < n ? n / opts.maxQueries : 1
  const rng = new Rng(opts.seed ?? 7)
  const itemCount = split.data.items.length
  const queries: Query[] = []
  for (let f = 0; f < n; f += step) {
    const s = Math.floor(f)
    const history = phase === 'valid' ? split.train[s] : testHistory(split, s)
    const target = phase === 'valid' ? split.valid[s] : split.test[s]
    queries.push({ seq: s, history, target, candidates: sampleCandidates(split.data.sequences[s], target, itemCount, rng) })
  }
  return queries
}

/** The target then SAMPLED_NEGATIVES distinct items outside the listener's whole sequence (fewer when the catalogue is small). */
function sampleCandidates(played: Int32Array, target: number, itemCount: number, rng: Rng): Int32Array {
  const avoid = new Set(played)
  const want = Math.min(SAMPLED_NEGATIVES, itemCount - avoid.size)
  const out = [target]
  const taken = new Set<number>()
  while (taken.size < want) {
    const it = 1 + rng.int(itemCount)
    if (avoid.has(it) || taken.has(it)) continue
    taken.add(it)
    out.push(it)
  }
  return Int32Array.from(out)
}

/** HR@10 and NDCG@10 from 0-based ranks. */
export function metricsOfRanks(ranks: readonly number[]): RankMetrics {
  let hr = 0
  let ndcg = 0
  for (const r of ranks) {
    if (r < CUTOFF) {
      hr += 1
      ndcg += 1 / Math.log2(r + 2)
    }
  }
  const q = Math.max(1, ranks.length)
  return { hr: hr / q, ndcg: ndcg / q, queries: ranks.length }
}

/** 0-based rank of `target` among items 1..N outside `history` (ties count against the target). */
export function fullRank(scores: Float32Array, history: ArrayLike<number>, target: number): number {
  const seen = new Set(Array.from(history))
  const t = scores[target]
  let rank = 0
  for (let i = 1; i < scores.length; i++) if (i !== target && !seen.has(i) && scores[i] >= t) rank++
  return rank
}

/** 0-based rank of candidates[0] among the candidates. */
export function sampledRank(scores: Float32Array, candidates: Int32Array): number {
  const t = scores[candidates[0]]
  let rank = 0
  for (let i = 1; i < candidates.length; i++) if (scores[candidates[i]] >= t) rank++
  return rank
}

/** Queries scored this many at a time (bounds the [batch x items] score matrix). */
const SCORE_BATCH = 256

/** The SASRec model on the queries. */
export function evaluateSasRec(model: SasRec, queries: readonly Query[]): NextItemReport {
  const full: number[] = []
  const sampled: number[] = []
  for (let at = 0; at < queries.length; at += SCORE_BATCH) {
    const chunk = queries.slice(at, at + SCORE_BATCH)
    const scores = model.scoreNext(chunk.map((q) => q.history))
    chunk.forEach((q, i) => {
      full.push(fullRank(scores[i], q.history, q.target))
      sampled.push(sampledRank(scores[i], q.candidates))
    })
  }
  return { full: metricsOfRanks(full), sampled: metricsOfRanks(sampled) }
}

/** A classic recommender fitted on the queries' histories (one user per sequence, binary plays), item numbers as raw ids. */
export async function fitOnHistories(model: Recommender, split: LeaveLastOut, phase: Phase, seed = 42): Promise<Interactions> {
  const events: RawInteraction[] = []
  split.data.sequences.forEach((_, s) => {
    const history = phase === 'valid' ? split.train[s] : testHistory(split, s)
    for (const it of history) events.push({ user: String(s), item: String(it), value: 1 })
  })
  const data = buildInteractions(events, 'implicit')
  await model.fit(data, { seed })
  return data
}

/** A classic recommender (fitted by fitOnHistories for the same phase) on the queries, through recommend() only. */
export function evaluateRecommender(model: Recommender, data: Interactions, queries: readonly Query[]): NextItemReport {
  const full: number[] = []
  const sampled: number[] = []
  for (const q of queries) {
    const user = data.users.dense(String(q.seq))
    const itemNumber = (dense: number) => Number(data.items.rawId(dense))
    if (user === undefined) {
      full.push(Infinity)
      sampled.push(q.candidates.length - 1)
      continue
    }
    const top = model.recommend({ user }, { n: CUTOFF }).map((s) => itemNumber(s.item))
    full.push(rankIn(top, q.target, Infinity))
    const allow = new Set<number>()
    for (const c of q.candidates) {
      const d = data.items.dense(String(c))
      if (d !== undefined) allow.add(d)
    }
    const ordered = model.recommend({ user }, { n: q.candidates.length, filter: { allow } }).map((s) => itemNumber(s.item))
    sampled.push(rankIn(ordered, q.target, q.candidates.length - 1))
  }
  return { full: metricsOfRanks(full), sampled: metricsOfRanks(sampled) }
}

function rankIn(list: readonly number[], target: number, missing: number): number {
  const i = list.indexOf(target)
  return i < 0 ? missing : i
}
