/**
 * Evaluation metrics. Ranking metrics take one user's ranked list (dense item ids, best first) and that user's
 * set of relevant (held-out) items R; "hits@k" is the number of the first k listed items that are in R.
 * A list shorter than k is scored as if padded with irrelevant items.
 */

import type { ScoreVector } from '../models/types.js'

export type Relevant = ReadonlySet<number>

function hitsAt(ranked: ArrayLike<number>, relevant: Relevant, k: number): number {
  let hits = 0
  for (let i = 0; i < Math.min(k, ranked.length); i++) if (relevant.has(ranked[i])) hits++
  return hits
}

/** Precision@k = hits@k / k: the share of the k slots filled with relevant items. */
export function precisionAt(ranked: ArrayLike<number>, relevant: Relevant, k: number): number {
  return hitsAt(ranked, relevant, k) / k
}

/** Recall@k = hits@k / |R|: the share of the relevant items that made the top k (0 when R is empty). */
export function recallAt(ranked: ArrayLike<number>, relevant: Relevant, k: number): number {
  return relevant.size === 0 ? 0 : hitsAt(ranked, relevant, k) / relevant.size
}

/** F1@k = 2PR / (P + R), the harmonic mean of precision@k and recall@k (0 when both are 0). */
export function f1At(ranked: ArrayLike<number>, relevant: Relevant, k: number): number {
  const p = precisionAt(ranked, relevant, k)
  const r = recallAt(ranked, relevant, k)
  return p + r === 0 ? 0 : (2 * p * r) / (p + r)
}

/**
 * NDCG@k with binary relevance: DCG@k = sum over positions i = 1..k of rel_i / log2(i + 1), divided by the
 * ideal DCG, the same sum with all relevant items first: sum over i = 1..min(k, |R|) of 1 / log2(i + 1).
 */
export function ndcgAt(ranked: ArrayLike<number>, relevant: Relevant, k: number): number {
  let dcg = 0
  for (let i = 0; i < Math.min(k, ranked.length); i++) if (relevant.has(ranked[i])) dcg += 1 / Math.log2(i + 2)
  let ideal = 0
  for (let i = 0; i < Math.min(k, relevant.size); i++) ideal += 1 / Math.log2(i + 2)
  return ideal === 0 ? 0 : dcg / ideal
}

/**
 * AP@k (the per-user term of MAP@k): the mean of precision@i taken at each position i <= k that holds a
 * relevant item, normalised by min(k, |R|) so that a perfect top-k scores 1 even when |R| > k:
 * AP@k = (1 / min(k, |R|)) x sum over i = 1..k of P@i x rel_i.
 */
export function averagePrecisionAt(ranked: ArrayLike<number>, relevant: Relevant, k: number): number {
  const denom = Math.min(k, relevant.size)
  if (denom === 0) return 0
  let hits = 0
  let sum = 0
  for (let i = 0; i < Math.min(k, ranked.length); i++) {
    if (!relevant.has(ranked[i])) continue
    hits++
    sum += hits / (i + 1)
  }
  return sum / denom
}

/** Reciprocal rank@k (the per-user term of MRR): 1 / rank of the first relevant item in the top k, else 0. */
export function reciprocalRankAt(ranked: ArrayLike<number>, relevant: Relevant, k: number): number {
  for (let i = 0; i < Math.min(k, ranked.length); i++) if (relevant.has(ranked[i])) return 1 / (i + 1)
  return 0
}

/** Hit rate@k (per user): 1 when at least one relevant item is in the top k, else 0. */
export function hitAt(ranked: ArrayLike<number>, relevant: Relevant, k: number): number {
  return hitsAt(ranked, relevant, k) > 0 ? 1 : 0
}

/**
 * AUC for one user: the share of (relevant, non-relevant) candidate pairs that the ranking orders correctly,
 * i.e. the probability that a random relevant item ranks above a random non-relevant one.
 *
 * Candidates are `candidates` items in all (the catalogue less what the user already played). `ranked` may
 * be the full ranking or only its head: candidates missing from it are treated as tied below every listed
 * item, and a tied pair counts 1/2 (the usual Mann-Whitney convention). With the full ranking this is the
 * exact AUC; with a truncated list it is the AUC of "the list, then everything else in random order".
 * NaN when the user has no relevant or no non-relevant candidates.
 */
export function aucOf(ranked: ArrayLike<number>, relevant: Relevant, candidates: number): number {
  const negatives = candidates - relevant.size
  if (relevant.size === 0 || negatives <= 0) return NaN
  let negAbove = 0
  let correct = 0
  let relevantListed = 0
  for (let i = 0; i < ranked.length; i++) {
    if (!relevant.has(ranked[i])) negAbove++
    else {
      correct += negatives - negAbove
      relevantListed++
    }
  }
  // Each unlisted relevant item is beaten by every listed negative and tied with every unlisted one.
  correct += (relevant.size - relevantListed) * 0.5 * (negatives - negAbove)
  return correct / (relevant.size * negatives)
}

/**
 * The same AUC as aucOf over the user's full ranking, read from a score vector instead of a listed ranking (no
 * list of every item is built). The ranking is the one a ScoreVector defines (src/models/types.ts): finite
 * scores first, higher first; then non-finite scores by a finite backfill, higher first; ties by the lower item
 * id, as selectTopN breaks them; items with neither are unlisted. `seen` items are left out of the ranking and
 * `candidates` counts as in aucOf, so a relevant item that was seen counts as unlisted, as it does there.
 * One pass over the items after sorting the user's few relevant ones: most items rank behind all of them
 * and are settled by one comparison of packed keys (see rankKeys), the rest by a binary search.
 */
export function aucOfScores(v: ScoreVector, seen: ArrayLike<number>, relevant: Relevant, candidates: number): number {
  const negatives = candidates - relevant.size
  if (relevant.size === 0 || negatives <= 0) return NaN
  const key = rankKeys(v)
  for (let i = 0; i < seen.length; i++) key[seen[i]] = SKIP
  const listed = listedRelevant(key, relevant)
  // below[p]: listed negatives with exactly p listed relevant items ranked ahead of them.
  const below = new Float64Array(listed.items.length + 1)
  const last = listed.items.length - 1
  // Most items rank behind every relevant one: one comparison with the last settles them.
  const w = last < 0 ? -1 : listed.items[last]
  const wk = last < 0 ? -1 : listed.keys[last]
  let negListed = 0
  for (let i = 0; i < v.scores.length; i++) {
    const k = key[i]
    if (!(k >= 0 && k < UNLISTED)) continue
    negListed++
    if (k > wk || (k === wk && i > w)) below[last + 1]++
    else below[relevantAhead(listed, k, i)]++
  }
  let correct = 0
  let negAbove = 0
  for (let j = 0; j <= last; j++) {
    negAbove += below[j]
    correct += negatives - negAbove
  }
  correct += (relevant.size - listed.items.length) * 0.5 * (negatives - negListed)
  return correct / (relevant.size * negatives)
}

/** Key of an item left out of the pass (seen, or relevant and so counted apart). */
const SKIP = -1
/** One tier's span of keys: a 32-bit order of f32 values. */
const TIER = 2 ** 32
/** Key of an item with neither a finite score nor a finite backfill: never listed. */
const UNLISTED = 2 * TIER
const EXPONENT = 0x7f800000

let keyBuffer = new Float64Array(0)

/**
 * A ScoreVector's ranking packed into one f64 key per item, lower ranking earlier: tier x 2³² (0 scored,
 * 1 backfilled) plus the value's f32 bits turned into a descending 32-bit order, so that one comparison
 * replaces tier, value and sign checks; UNLISTED for items with neither. Exact: keys stay below 2⁵³. The
 * buffer is reused from call to call (valid until the next call).
 */
function rankKeys(v: ScoreVector): Float64Array {
  const n = v.scores.length
  if (keyBuffer.length < n) keyBuffer = new Float64Array(n)
  const key = keyBuffer
  const s = new Uint32Array(v.scores.buffer, v.scores.byteOffset, n)
  const b = v.backfill ? new Uint32Array(v.backfill.buffer, v.backfill.byteOffset, n) : undefined
  for (let i = 0; i < n; i++) {
    const bits = s[i]
    if ((bits & EXPONENT) !== EXPONENT) key[i] = descending(bits)
    else if (b !== undefined && (b[i] & EXPONENT) !== EXPONENT) key[i] = TIER + descending(b[i])
    else key[i] = UNLISTED
  }
  return key
}

/** 0 for the largest f32 up to 2³² - 1 for the smallest, from its bits; -0 ranks as +0 (they compare equal). */
function descending(bits: number): number {
  const b = bits === 0x80000000 ? 0 : bits
  const ascending = b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0
  return 0xffffffff - ascending
}

/** The relevant items still in the ranking, best first, with their keys; every relevant item is then skipped. */
function listedRelevant(key: Float64Array, relevant: Relevant): { items: number[]; keys: number[] } {
  const items: number[] = []
  for (const r of relevant) if (key[r] >= 0 && key[r] < UNLISTED) items.push(r)
  items.sort((a, b) => key[a] - key[b] || a - b)
  const keys = items.map((r) => key[r])
  for (const r of relevant) key[r] = SKIP
  return { items, keys }
}

/** How many listed relevant items (best first) rank ahead of the item with key k and id i: a binary search. */
function relevantAhead(listed: { items: number[]; keys: number[] }, k: number, i: number): number {
  let lo = 0
  let hi = listed.items.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    const km = listed.keys[mid]
    if (km < k || (km === k && listed.items[mid] < i)) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Catalogue coverage: distinct items recommended across all lists / number of items in the catalogue. */
export function catalogueCoverage(lists: readonly ArrayLike<number>[], itemCount: number): number {
  const seen = new Set<number>()
  for (const list of lists) for (let i = 0; i < list.length; i++) seen.add(list[i])
  return itemCount === 0 ? 0 : seen.size / itemCount
}

/** Similarity of two items (dense ids), e.g. cosine of audio features or Jaccard of genre sets. */
export type ItemSimilarity = (a: number, b: number) => number

/**
 * Intra-list similarity: the mean of sim(a, b) over the n(n-1)/2 unordered pairs of distinct positions in one
 * list. Lower means a more varied list. NaN for lists of fewer than two items (no pairs).
 */
export function intraListSimilarity(list: ArrayLike<number>, sim: ItemSimilarity): number {
  let sum = 0
  let pairs = 0
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) {
      sum += sim(list[i], list[j])
      pairs++
    }
  }
  return pairs === 0 ? NaN : sum / pairs
}

/** Cosine similarity over row-major item feature vectors (items x dims); 0 when either vector is zero. */
export function cosineSimilarity(features: Float32Array, dims: number): ItemSimilarity {
  return (a, b) => {
    let dot = 0
    let na = 0
    let nb = 0
    for (let d = 0; d < dims; d++) {
      const x = features[a * dims + d]
      const y = features[b * dims + d]
      dot += x * y
      na += x * x
      nb += y * y
    }
    return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb)
  }
}

/** Jaccard similarity of label sets (e.g. genres): |A and B| / |A or B|; 0 when both are empty. */
export function jaccardSimilarity(labels: ReadonlyArray<readonly string[]>): ItemSimilarity {
  return (a, b) => {
    const A = new Set(labels[a] ?? [])
    const B = new Set(labels[b] ?? [])
    let both = 0
    for (const x of A) if (B.has(x)) both++
    const either = A.size + B.size - both
    return either === 0 ? 0 : both / either
  }
}

/**
 * Label diversity of one list (used for genres and for artists): distinct labels in the list divided by label
 * mentions in the list (each item contributes each of its labels once). 1 means no label repeats (every track
 * by a different artist); 1/n means all n items carry the same labels. Chosen over a count of distinct labels
 * because it stays in (0, 1] whatever the list length, and over entropy because it reads directly. NaN when no
 * listed item has a label.
 */
export function labelDiversity(list: ArrayLike<number>, labels: ReadonlyArray<readonly string[]>): number {
  const distinct = new Set<string>()
  let mentions = 0
  for (let i = 0; i < list.length; i++) {
    for (const label of new Set(labels[list[i]] ?? [])) {
      distinct.add(label)
      mentions++
    }
  }
  return mentions === 0 ? NaN : distinct.size / mentions
}

/**
 * Popularity of each item: the number of users who interacted with it in training, and its share of users
 * (count / users). Used by novelty and popularity bias.
 */
export interface Popularity {
  counts: Float64Array
  users: number
}

/**
 * Novelty of one list: the mean self-information of its items, -log2(share of users who played the item).
 * An item nobody played in training counts as played by one user, so the value stays finite.
 */
export function noveltyOf(list: ArrayLike<number>, pop: Popularity): number {
  if (list.length === 0 || pop.users === 0) return NaN
  let sum = 0
  for (let i = 0; i < list.length; i++) sum += -Math.log2(Math.max(1, pop.counts[list[i]]) / pop.users)
  return sum / list.length
}

/**
 * Average recommendation popularity (ARP, Abdollahpouri et al.) of one list: the mean training popularity
 * (user count) of its items. Averaged over users it gives ARP; dividing by the catalogue's mean item popularity
 * gives the popularity lift (1 = as popular as the average item, above 1 = biased towards hits).
 */
export function averagePopularity(list: ArrayLike<number>, pop: Popularity): number {
  if (list.length === 0) return NaN
  let sum = 0
  for (let i = 0; i < list.length; i++) sum += pop.counts[list[i]]
  return sum / list.length
}

/** The catalogue's mean item popularity, the reference for the popularity lift. */
export function meanPopularity(pop: Popularity): number {
  let sum = 0
  for (const c of pop.counts) sum += c
  return pop.counts.length === 0 ? 0 : sum / pop.counts.length
}

/** RMSE = sqrt(mean over pairs of (predicted - actual)^2); NaN for no pairs. */
export function rmse(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  let sum = 0
  for (let i = 0; i < actual.length; i++) sum += (predicted[i] - actual[i]) ** 2
  return actual.length === 0 ? NaN : Math.sqrt(sum / actual.length)
}

/** MAE = mean over pairs of |predicted - actual|; NaN for no pairs. */
export function mae(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  let sum = 0
  for (let i = 0; i < actual.length; i++) sum += Math.abs(predicted[i] - actual[i])
  return actual.length === 0 ? NaN : sum / actual.length
}
