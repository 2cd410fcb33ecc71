import type { ItemFilter, Scored } from '../models/types.js'

export interface SelectOptions {
  n: number
  /** Sorted dense item ids to leave out (the user's history when excluding seen items). */
  exclude?: ArrayLike<number>
  filter?: ItemFilter
  /**
   * Scores used after the model's own: items the model scored -Infinity (or not at all) are ranked by these,
   * so filters backfill to n instead of returning fewer. Typically item popularity.
   */
  backfill?: Float32Array
}

/**
 * The n best items of a dense score vector that pass the exclusions and filters, best first; ties broken by
 * the lower item id so results are deterministic. Items with a non-finite score come after every finite one,
 * ordered by `backfill` when given.
 */
export function selectTopN(scores: Float32Array, opts: SelectOptions): Scored[] {
  const excluded = new Set<number>()
  if (opts.exclude) for (let i = 0; i < opts.exclude.length; i++) excluded.add(opts.exclude[i])
  const ok = (item: number) => !excluded.has(item) && passes(opts.filter, item)
  const best = topFinite(scores, opts.n, ok)
  if (best.length >= opts.n || !opts.backfill) return best
  const taken = new Set(best.map((s) => s.item))
  const rest = topFinite(opts.backfill, opts.n - best.length, (i) => !taken.has(i) && !Number.isFinite(scores[i]) && ok(i))
  // Backfilled items rank below every scored one; their score says so.
  return best.concat(rest.map((s) => ({ item: s.item, score: -Infinity })))
}

export function passes(filter: ItemFilter | undefined, item: number): boolean {
  if (!filter) return true
  if (filter.allow && !filter.allow.has(item)) return false
  if (filter.block?.has(item)) return false
  return filter.accept ? filter.accept(item) : true
}

/** Top n finite scores among items passing `ok`, with a small binary heap (n is small, items many). */
function topFinite(scores: Float32Array, n: number, ok: (item: number) => boolean): Scored[] {
  if (n <= 0) return []
  const heapItems: number[] = []
  const heapScores: number[] = []
  const worse = (a: number, b: number) => heapScores[a] < heapScores[b] || (heapScores[a] === heapScores[b] && heapItems[a] > heapItems[b])
  const swap = (a: number, b: number) => {
    ;[heapItems[a], heapItems[b]] = [heapItems[b], heapItems[a]]
    ;[heapScores[a], heapScores[b]] = [heapScores[b], heapScores[a]]
  }
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < heapItems.length && worse(l, m)) m = l
      if (r < heapItems.length && worse(r, m)) m = r
      if (m === i) return
      swap(i, m)
      i = m
    }
  }
  for (let item = 0; item < scores.length; item++) {
    const s = scores[item]
    if (!Number.isFinite(s)) continue
    if (heapItems.length === n && (s < heapScores[0] || (s === heapScores[0] && item > heapItems[0]))) continue
    if (!ok(item)) continue
    if (heapItems.length < n) {
      heapItems.push(item)
      heapScores.push(s)
      for (let i = heapItems.length - 1; i > 0; ) {
        const p = (i - 1) >> 1
        if (!worse(i, p)) break
        swap(i, p)
        i = p
      }
    } else {
      heapItems[0] = item
      heapScores[0] = s
      down(0)
    }
  }
  return heapItems
    .map((item, i) => ({ item, score: heapScores[i] }))
    .sort((a, b) => b.score - a.score || a.item - b.item)
}
