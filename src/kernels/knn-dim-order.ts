import { Rng } from '../core/rng.js'
import type { KernelMetric } from './knn-layout.js'

/** Rows of the data used as stand-in queries, and rows they are compared with, when choosing the order. */
const SAMPLE_QUERIES = 32
const SAMPLE_ROWS = 2048
/** Rows searched to estimate each stand-in query's k-th nearest distance. */
const THRESHOLD_ROWS = 65536
/** Positions chosen greedily: the head and the first tail group, the checks that matter most. */
const GREEDY_POSITIONS = 8
/** Upper bounds on per-value steps, so wide matrices (hundreds of columns) still build in well under a second. */
const THRESHOLD_BUDGET = 25e6
const GREEDY_BUDGET = 16e6
/** The k the order is tuned for; any k works, this one is the common case. */
const TYPICAL_K = 10
const SEED = 0x5e9e

/**
 * Chooses the order in which the kernels add up dimensions, so that partial sums rule rows out as early as
 * possible. The scan drops a row once its partial distance reaches the query's k-th best distance; which
 * dimensions come first decides how many rows survive that check. On standard-scaled audio features every
 * column has variance 1, so variance says nothing; what matters is how often a column alone separates a
 * query from rows that are not among its neighbours.
 *
 * Method: sample rows of the data as stand-in queries, estimate each one's k-th nearest distance from a sample
 * of m rows (its ceil(k m / n)-th nearest there), then pick dimensions greedily: each next one is the one that
 * leaves the fewest (query, row) pairs with a partial sum still under the threshold. The first eight places
 * are chosen so; later columns, checked rarely, go by how much they add to distances on average. Sample sizes
 * shrink as columns grow, keeping the cost to 0.1-0.2 s at any shape (600k x 12 or 90k x 150); the order
 * only affects speed, never results.
 */
export function chooseDimensionOrder(data: Float32Array, dims: number, metric: KernelMetric): number[] {
  const n = data.length / dims
  if (n === 0 || dims === 1) return Array.from({ length: dims }, (_, c) => c)
  const rng = new Rng(SEED)
  const l1 = metric === 'l1'
  const queries = sampleRows(data, dims, SAMPLE_QUERIES, rng)
  const pool = sampleRows(data, dims, Math.min(THRESHOLD_ROWS, THRESHOLD_BUDGET / (SAMPLE_QUERIES * dims)), rng)
  const rank = Math.max(1, Math.ceil((TYPICAL_K * (pool.length / dims)) / n))
  const thresholds = Array.from({ length: queries.length / dims }, (_, q) => kthDistance(pool, queries.subarray(q * dims, (q + 1) * dims), rank, l1))
  const pairRows = Math.min(SAMPLE_ROWS, GREEDY_BUDGET / (SAMPLE_QUERIES * dims * GREEDY_POSITIONS))
  return greedyOrder(new Pairs(queries, sampleRows(data, dims, pairRows, rng), dims, l1), thresholds)
}

/** Every (stand-in query, sample row) pair with its partial distance over the columns chosen so far. */
class Pairs {
  readonly partial: Float64Array
  readonly nq: number
  readonly nr: number
  /** The sample rows column by column, so a pass over one column reads memory in order. */
  private readonly columns: Float32Array

  constructor(readonly queries: Float32Array, rows: Float32Array, readonly dims: number, readonly l1: boolean) {
    this.nq = queries.length / dims
    this.nr = rows.length / dims
    this.partial = new Float64Array(this.nq * this.nr)
    this.columns = new Float32Array(rows.length)
    for (let r = 0; r < this.nr; r++) for (let c = 0; c < dims; c++) this.columns[c * this.nr + r] = rows[r * dims + c]
  }

  /** Column c's total term over all pairs: how much it adds to distances on its own. */
  weight(c: number): number {
    let sum = 0
    for (let q = 0; q < this.nq; q++) this.forTerms(q, c, (_, t) => (sum += t))
    return sum
  }

  /** Pairs still under their query's threshold if column c were added. */
  survivors(c: number, thresholds: number[]): number {
    let count = 0
    for (let q = 0; q < this.nq; q++) {
      const base = q * this.nr
      const thr = thresholds[q]
      this.forTerms(q, c, (r, t) => {
        if (this.partial[base + r] + t < thr) count++
      })
    }
    return count
  }

  add(c: number): void {
    for (let q = 0; q < this.nq; q++) {
      const base = q * this.nr
      this.forTerms(q, c, (r, t) => (this.partial[base + r] += t))
    }
  }

  /** Calls `visit(row, term)` for query q and every sample row, in column c. */
  private forTerms(q: number, c: number, visit: (r: number, t: number) => void): void {
    const qv = this.queries[q * this.dims + c]
    const col = this.columns.subarray(c * this.nr, (c + 1) * this.nr)
    if (this.l1) for (let r = 0; r < col.length; r++) visit(r, Math.abs(col[r] - qv))
    else for (let r = 0; r < col.length; r++) visit(r, (col[r] - qv) * (col[r] - qv))
  }
}

// Greedy for the first positions; the remaining columns follow by their weight alone, heaviest first.
function greedyOrder(pairs: Pairs, thresholds: number[]): number[] {
  const order: number[] = []
  const left = new Set(Array.from({ length: pairs.dims }, (_, c) => c))
  while (left.size > 0 && order.length < GREEDY_POSITIONS) {
    let best = -1
    let bestSurvivors = Infinity
    for (const c of left) {
      const survivors = pairs.survivors(c, thresholds)
      if (survivors < bestSurvivors) [best, bestSurvivors] = [c, survivors]
    }
    pairs.add(best)
    order.push(best)
    left.delete(best)
  }
  const weights = new Map([...left].map((c) => [c, pairs.weight(c)]))
  return [...order, ...[...left].sort((a, b) => weights.get(b)! - weights.get(a)! || a - b)]
}

/** The rank-th smallest distance (1-based) from `query` to the rows of `pool`. */
function kthDistance(pool: Float32Array, query: Float32Array, rank: number, l1: boolean): number {
  const dims = query.length
  const best = new Float64Array(rank).fill(Infinity)
  for (let off = 0; off < pool.length; off += dims) {
    const s = l1 ? l1Distance(pool, off, query) : squaredDistance(pool, off, query)
    // Zero is most likely the stand-in's own row drawn into the pool: it says nothing about the neighbours.
    if (s === 0 || s >= best[rank - 1]) continue
    let i = rank - 1
    for (; i > 0 && best[i - 1] > s; i--) best[i] = best[i - 1]
    best[i] = s
  }
  return best[rank - 1]
}

function squaredDistance(rows: Float32Array, off: number, query: Float32Array): number {
  let s = 0
  for (let c = 0; c < query.length; c++) s += (rows[off + c] - query[c]) * (rows[off + c] - query[c])
  return s
}

function l1Distance(rows: Float32Array, off: number, query: Float32Array): number {
  let s = 0
  for (let c = 0; c < query.length; c++) s += Math.abs(rows[off + c] - query[c])
  return s
}

/** `count` rows (at least one) drawn at random with replacement, copied into one compact array. */
function sampleRows(data: Float32Array, dims: number, count: number, rng: Rng): Float32Array {
  const n = data.length / dims
  const out = new Float32Array(Math.max(1, Math.min(n, Math.floor(count))) * dims)
  for (let i = 0; i < out.length / dims; i++) {
    const r = rng.int(n)
    out.set(data.subarray(r * dims, (r + 1) * dims), i * dims)
  }
  return out
}
