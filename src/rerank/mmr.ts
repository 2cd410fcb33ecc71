import { SegueError } from '../core/errors.js'
import type { Scored } from '../models/types.js'

/** Similarity of two dense item ids, symmetric, typically in [0, 1]. */
export type Similarity = (a: number, b: number) => number

export interface MmrOptions {
  /** Items to return (default 10; fewer when there are fewer candidates). */
  n?: number
  /**
   * Relevance against diversity, in [0, 1]: 1 keeps the model's order, 0 picks each next item as unlike the
   * picked ones as possible (default 0.7).
   */
  lambda?: number
  similarity: Similarity
}

/**
 * Maximal Marginal Relevance (Carbonell & Goldstein 1998), a post-hoc re-ranker for any model's scored
 * candidates: the first pick is the most relevant; each next pick maximises
 *   λ · rel(i) − (1 − λ) · max_{j picked} sim(i, j)
 * where rel is the model's score min-max scaled to [0, 1] over the candidates (scores from different models
 * live on different scales; scaling makes λ mean the same for all). Ties go to the candidate listed first.
 * Returns the picked candidates in pick order, each with its original score (so the order, not the scores, is
 * the answer). Cost O(n · candidates) similarity calls.
 */
export function mmr(candidates: readonly Scored[], opts: MmrOptions): Scored[] {
  const n = Math.min(opts.n ?? 10, candidates.length)
  const lambda = opts.lambda ?? DEFAULT_LAMBDA
  if (!(lambda >= 0 && lambda <= 1)) throw new SegueError('E_BAD_ARGUMENT', `mmr: lambda must lie in [0, 1], got ${lambda}`)
  const rel = scaledRelevance(candidates)
  const maxSim = new Float64Array(candidates.length)
  const taken = new Uint8Array(candidates.length)
  const out: Scored[] = []
  for (let step = 0; step < n; step++) {
    const pick = bestCandidate(rel, maxSim, taken, lambda, step === 0)
    taken[pick] = 1
    out.push(candidates[pick])
    for (let c = 0; c < candidates.length; c++) {
      if (!taken[c]) maxSim[c] = Math.max(maxSim[c], opts.similarity(candidates[pick].item, candidates[c].item))
    }
  }
  return out
}

/** 0.7 leans to relevance, as most MMR deployments do; callers tune it against their diversity target. */
export const DEFAULT_LAMBDA = 0.7

function bestCandidate(rel: Float64Array, maxSim: Float64Array, taken: Uint8Array, lambda: number, first: boolean): number {
  let best = -1
  let bestValue = -Infinity
  for (let c = 0; c < rel.length; c++) {
    if (taken[c]) continue
    const value = first ? rel[c] : lambda * rel[c] - (1 - lambda) * maxSim[c]
    if (value > bestValue) {
      bestValue = value
      best = c
    }
  }
  return best
}

/** Scores min-max scaled to [0, 1]; all equal (or non-finite) scores become 1, leaving order to diversity. */
function scaledRelevance(candidates: readonly Scored[]): Float64Array {
  let lo = Infinity
  let hi = -Infinity
  for (const c of candidates) {
    if (!Number.isFinite(c.score)) continue
    lo = Math.min(lo, c.score)
    hi = Math.max(hi, c.score)
  }
  return Float64Array.from(candidates, (c) => (!Number.isFinite(c.score) ? 0 : hi > lo ? (c.score - lo) / (hi - lo) : 1))
}

/** Cosine similarity between rows of an items x dims matrix (zero rows are unlike everything). */
export function cosineRows(data: Float32Array, dims: number): Similarity {
  const norms = new Float64Array(data.length / dims)
  for (let i = 0; i < norms.length; i++) {
    let s = 0
    for (let k = 0; k < dims; k++) s += data[i * dims + k] ** 2
    norms[i] = Math.sqrt(s)
  }
  return (a, b) => {
    if (norms[a] === 0 || norms[b] === 0) return 0
    let dot = 0
    for (let k = 0; k < dims; k++) dot += data[a * dims + k] * data[b * dims + k]
    return dot / (norms[a] * norms[b])
  }
}

/** 1 when two items share a label (an artist, a genre), else 0. */
export function sharedLabel(labels: ReadonlyArray<readonly string[]>): Similarity {
  return (a, b) => (labels[a]?.some((l) => labels[b]?.includes(l)) ? 1 : 0)
}
