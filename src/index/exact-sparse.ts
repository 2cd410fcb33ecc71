import { SegueError } from '../core/errors.js'
import { METRICS, type Metric, type Neighbour, type VectorIndex } from './types.js'

/** Rows of a matrix by their non-zero values (CSR): row r's entries are at indptr[r] .. indptr[r + 1]. */
export interface SparseRows {
  size: number
  dims: number
  indptr: Int32Array
  cols: Uint16Array | Int32Array
  vals: Float32Array
}

/**
 * Below this share of non-zero values, exact search over sparse rows beats laying the matrix out for the
 * blocked kernels: the pipeline's vectors for the 114k catalogue are 5.6% non-zero (14 of 255), so one query
 * touches 1.3M values where the blocked layout first costs a 91 MB copy of the whole matrix.
 */
export const SPARSE_MAX_DENSITY = 0.25

export function toSparseRows(dense: Float32Array, dims: number): SparseRows {
  const size = dense.length / dims
  const indptr = new Int32Array(size + 1)
  let nnz = 0
  for (let i = 0; i < dense.length; i++) if (dense[i] !== 0) nnz++
  const cols = dims <= 0xffff ? new Uint16Array(nnz) : new Int32Array(nnz)
  const vals = new Float32Array(nnz)
  let p = 0
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < dims; c++) {
      const v = dense[r * dims + c]
      if (v !== 0) {
        cols[p] = c
        vals[p++] = v
      }
    }
    indptr[r + 1] = p
  }
  return { size, dims, indptr, cols, vals }
}

/** Share of values that are not zero. */
export function density(rows: SparseRows): number {
  return rows.size * rows.dims === 0 ? 1 : rows.vals.length / (rows.size * rows.dims)
}

/** Row r as a dense vector (into `out` when given). */
export function denseRow(rows: SparseRows, r: number, out = new Float32Array(rows.dims)): Float32Array {
  out.fill(0)
  for (let p = rows.indptr[r]; p < rows.indptr[r + 1]; p++) out[rows.cols[p]] = rows.vals[p]
  return out
}

export function toDense(rows: SparseRows): Float32Array {
  const out = new Float32Array(rows.size * rows.dims)
  for (let r = 0; r < rows.size; r++) {
    for (let p = rows.indptr[r]; p < rows.indptr[r + 1]; p++) out[r * rows.dims + rows.cols[p]] = rows.vals[p]
  }
  return out
}

/** Checks that the arrays fit together and every value is finite; throws a plain Error naming what is wrong. */
export function checkSparseRows(rows: SparseRows): void {
  const { size, dims, indptr, cols, vals } = rows
  if (indptr.length !== size + 1 || indptr[0] !== 0 || indptr[size] !== vals.length || cols.length !== vals.length) {
    throw new Error('sparse rows: indptr, cols and vals do not fit together')
  }
  for (let r = 0; r < size; r++) if (indptr[r + 1] < indptr[r]) throw new Error(`sparse rows: row ${r} ends before it starts`)
  for (let p = 0; p < cols.length; p++) {
    if (cols[p] >= dims) throw new Error(`sparse rows: column ${cols[p]} out of range (dims ${dims})`)
    if (!Number.isFinite(vals[p])) throw new Error(`sparse rows: value ${vals[p]} at column ${cols[p]}`)
  }
}

/**
 * Exact k-nearest-neighbour search straight over sparse rows: every row's distance to the query from its
 * non-zero values alone (the query's own squared/absolute total is corrected for the columns a row holds),
 * then the k smallest. Nothing is laid out or copied, so the first query costs the same as any other.
 * Distances as the blocked exact index gives them: cosine = 1 - cosine similarity (1 for a zero row or query),
 * euclidean (not squared), manhattan; rows at equal distance come back in row order.
 */
export class SparseExactIndex implements VectorIndex {
  readonly kind = 'exact'
  readonly size: number
  readonly dims: number
  private readonly norms: Float64Array
  private closed = false

  constructor(private readonly rows: SparseRows, readonly metric: Metric) {
    if (!METRICS.includes(metric)) throw new SegueError('E_BAD_ARGUMENT', `metric: expected one of ${METRICS.join(', ')}, got '${metric}'`)
    this.size = rows.size
    this.dims = rows.dims
    this.norms = metric === 'cosine' ? rowNorms(rows) : new Float64Array(0)
  }

  search(query: Float32Array, k: number): Neighbour[] {
    this.check(query, k)
    // A one-shot query scans every row (6 ms on the bundled catalogue) rather than first laying out the
    // bound's tables (about 100 ms); from the few-th query on, the tables pay for themselves.
    const bounded = this.metric === 'cosine' && (this.bounds !== undefined || ++this.searches > SCANS_BEFORE_BOUNDS)
    const pruned = bounded ? this.boundedCosine(query, Math.min(k, this.size)) : null
    if (pruned) return pruned
    const dist = this.distances(query)
    return smallest(dist, Math.min(k, this.size))
  }

  /**
   * Lays out the bounded cosine search's tables now (about 0.1 s for 90k rows) rather than at the 17th query, so
   * that no request of a server waits for them.
   */
  prepareBounds(): void {
    if (this.metric === 'cosine' && this.bounds === undefined) this.bounds = cosineBounds(this.rows, this.norms)
  }

  /**
   * Frees the bounded search's tables (about as much memory as the rows themselves) when the caller will not search this
   * index often, such as after scoredShare() said an approximate index should serve instead. They are laid out
   * again if it turns out to be searched often after all.
   */
  releaseBounds(): void {
    this.bounds = undefined
    this.searches = 0
  }

  /**
   * Rows a cosine search over `queries` scores on average, as a share of the catalogue (1: every row). A fixed
   * sample of the rows themselves serves as queries, so the figure is the same on every start.
   */
  scoredShare(k = 26, sample = 32): number {
    if (this.metric !== 'cosine' || this.size === 0) return 1
    const q = new Float32Array(this.dims)
    let scored = 0
    const n = Math.min(sample, this.size)
    for (let i = 0; i < n; i++) {
      const r = Math.floor(((i + 0.5) * this.size) / n)
      q.fill(0)
      for (let p = this.rows.indptr[r]; p < this.rows.indptr[r + 1]; p++) q[this.rows.cols[p]] = this.rows.vals[p]
      const before = this.scored
      if (!this.boundedCosine(q, Math.min(k, this.size))) return 1
      scored += this.scored - before
    }
    return scored / (n * this.size)
  }

  /** Rows whose distance the bounded cosine search has computed, over the index's life (for scoredShare and tests). */
  scored = 0

  /**
   * Exact cosine top k without scoring every row. Columns most rows fill (audio features) are "dense", the rest
   * (genre, artist terms) "sparse". A row that shares no sparse column with the query has q.r = q_D.r_D, so by
   * Cauchy-Schwarz its cosine is at most (|q_D| / |q|) (|r_D| / |r|): its distance is at least 1 - alpha rho(r).
   * Rows sharing a sparse column (the union of the query's posting lists) are scored first; the others follow in
   * falling rho and the walk stops once the bound cannot beat the k-th distance held. Each distance is computed
   * exactly as the full scan computes it (the same values summed in the same order) and ties go by row, so the
   * answer is the full scan's, bit for bit. Null when the bound cannot help (no sparse columns, a zero query):
   * the caller scans every row.
   */
  private boundedCosine(q: Float32Array, k: number): Neighbour[] | null {
    if (this.bounds === undefined) this.bounds = cosineBounds(this.rows, this.norms)
    const b = this.bounds
    if (k === 0) return []
    if (!b) return null
    let qTotal = 0
    for (let j = 0; j < q.length; j++) qTotal += q[j] * q[j]
    const qNorm = Math.sqrt(qTotal)
    if (!(qNorm > 0)) return null
    let qDense = 0
    for (let j = 0; j < q.length; j++) if (b.dense[j] === 1) qDense += q[j] * q[j]
    const alpha = Math.sqrt(qDense) / qNorm
    const stamp = (b.stamp = (b.stamp + 1) >>> 0 || 1)
    if (stamp === 1) b.mark.fill(0)
    const { lead, head, indptr, cols, vals, norms, rowAt, mark } = b
    // A slot's distance is computed as the full scan computes it (the same terms in the same order). It is
    // written out in both loops below: as a shared closure it cost 30% more CPU per query (in-process A/B).
    const heap = new TopK(k)
    let scored = 0
    for (let j = 0; j < q.length; j++) {
      if (q[j] === 0 || b.dense[j] === 1) continue
      for (let i = b.colPtr[j]; i < b.colPtr[j + 1]; i++) {
        const at = b.colAt[i]
        if (mark[at] === stamp) continue
        mark[at] = stamp
        let acc = 0
        for (let j = 0, o = at * lead; j < lead; j++) acc += head[o + j] * q[j]
        for (let p = indptr[at]; p < indptr[at + 1]; p++) acc += vals[p] * q[cols[p]]
        scored++
        heap.offer(norms[at] > 0 ? 1 - acc / (qNorm * norms[at]) : 1, rowAt[at])
      }
    }
    for (let i = 0; i < b.order.length; i++) {
      const at = b.order[i]
      if (mark[at] === stamp) continue
      // The bound is computed in float64 like the distances; the margin covers their rounding.
      if (heap.full() && 1 - alpha * b.ratio[at] > heap.worst() + BOUND_MARGIN) break
      let acc = 0
      for (let j = 0, o = at * lead; j < lead; j++) acc += head[o + j] * q[j]
      for (let p = indptr[at]; p < indptr[at + 1]; p++) acc += vals[p] * q[cols[p]]
      scored++
      heap.offer(norms[at] > 0 ? 1 - acc / (qNorm * norms[at]) : 1, rowAt[at])
    }
    this.scored += scored
    return heap.sorted()
  }

  private bounds: CosineBounds | null | undefined
  private searches = 0

  async searchBatch(queries: Float32Array, k: number): Promise<Neighbour[][]> {
    this.check(queries, k)
    return Array.from({ length: queries.length / this.dims }, (_, q) => this.search(queries.subarray(q * this.dims, (q + 1) * this.dims), k))
  }

  async close(): Promise<void> {
    this.closed = true
  }

  private distances(q: Float32Array): Float64Array {
    const { indptr, cols, vals } = this.rows
    const out = new Float64Array(this.size)
    const metric = this.metric
    let qTotal = 0
    for (let j = 0; j < q.length; j++) qTotal += metric === 'manhattan' ? Math.abs(q[j]) : q[j] * q[j]
    const qNorm = Math.sqrt(qTotal)
    for (let r = 0; r < this.size; r++) {
      let acc = 0
      for (let p = indptr[r]; p < indptr[r + 1]; p++) {
        const v = vals[p]
        const x = q[cols[p]]
        if (metric === 'cosine') acc += v * x
        else if (metric === 'euclidean') acc += (v - x) * (v - x) - x * x
        else acc += Math.abs(v - x) - Math.abs(x)
      }
      if (metric === 'cosine') out[r] = qNorm > 0 && this.norms[r] > 0 ? 1 - acc / (qNorm * this.norms[r]) : 1
      else if (metric === 'euclidean') out[r] = Math.sqrt(Math.max(0, qTotal + acc))
      else out[r] = Math.max(0, qTotal + acc)
    }
    return out
  }

  private check(queries: Float32Array, k: number): void {
    if (this.closed) throw new SegueError('E_BAD_ARGUMENT', 'exact index: used after close()')
    if (!(queries instanceof Float32Array) || queries.length % this.dims !== 0) {
      throw new SegueError('E_BAD_ARGUMENT', `query: expected a Float32Array of a multiple of ${this.dims} values, got ${queries?.length}`)
    }
    if (!Number.isInteger(k) || k < 0) throw new SegueError('E_BAD_ARGUMENT', `k: expected an integer >= 0, got ${k}`)
    for (let i = 0; i < queries.length; i++) {
      if (!Number.isFinite(queries[i])) throw new SegueError('E_BAD_ARGUMENT', `query: row ${Math.floor(i / this.dims)} column ${i % this.dims} is ${queries[i]}`)
    }
  }
}

/** Slack on the cosine bound: far above float64 rounding of sums of a few hundred float32 products, far below any real gap. */
const BOUND_MARGIN = 1e-9
/** Queries answered by scanning every row before the bounded search's tables are made (search). */
const SCANS_BEFORE_BOUNDS = 16
/** A column filled in at least this share of rows counts as dense for the cosine bound. */
const DENSE_COLUMN_SHARE = 0.125

/**
 * The rows again, grouped by their first sparse column (a genre, say), so that the rows of one posting list
 * mostly sit side by side in memory: a query's candidates are read in sequence rather than from all over the
 * matrix. Slot `at` holds row rowAt[at]. The leading dense columns (the audio block) are stored in full, zeros
 * included, and the rest of each row by its non-zero values: a dot product adds the same non-zero terms in the
 * same column order as the full scan (an added zero term leaves a float64 sum as it was), with no column
 * lookups for the dense part.
 */
interface CosineBounds {
  /** 1 for dense columns. */
  dense: Uint8Array
  /** How many leading columns are all dense, and their values, `lead` per slot. */
  lead: number
  head: Float32Array
  /** The columns from `lead` on, by their non-zero values. */
  indptr: Int32Array
  cols: Uint16Array | Int32Array
  vals: Float32Array
  norms: Float64Array
  rowAt: Int32Array
  /** Posting lists of the sparse columns: slots with a value in column j are colAt[colPtr[j] .. colPtr[j + 1]], ascending. */
  colPtr: Int32Array
  colAt: Int32Array
  /** |r_D| / |r| per slot (0 for a zero row). */
  ratio: Float64Array
  /** Slots by falling ratio. */
  order: Int32Array
  /** Slots already scored by the current query (== stamp). */
  mark: Uint32Array
  stamp: number
}

/** What the bounded cosine search needs; null when no column is sparse (the bound would never prune). */
function cosineBounds(rows: SparseRows, rowNorm: Float64Array): CosineBounds | null {
  const { size, dims, indptr: rowPtr, cols: rowCols, vals: rowVals } = rows
  const filled = new Int32Array(dims)
  for (let p = 0; p < rowCols.length; p++) filled[rowCols[p]]++
  const dense = new Uint8Array(dims)
  let sparseColumns = 0
  for (let j = 0; j < dims; j++) {
    if (filled[j] >= size * DENSE_COLUMN_SHARE) dense[j] = 1
    else sparseColumns++
  }
  if (sparseColumns === 0 || size === 0) return null
  // Each row's first sparse column (dims when it has none) orders the slots; rows keep their order within one.
  const group = new Int32Array(size).fill(dims)
  for (let r = 0; r < size; r++) {
    for (let p = rowPtr[r]; p < rowPtr[r + 1]; p++) {
      if (dense[rowCols[p]] === 0) {
        group[r] = rowCols[p]
        break
      }
    }
  }
  const groupStart = new Int32Array(dims + 2)
  for (let r = 0; r < size; r++) groupStart[group[r] + 1]++
  for (let g = 0; g <= dims; g++) groupStart[g + 1] += groupStart[g]
  const rowAt = new Int32Array(size)
  const slotOf = new Int32Array(size)
  for (let r = 0; r < size; r++) {
    const at = groupStart[group[r]]++
    rowAt[at] = r
    slotOf[r] = at
  }
  let lead = 0
  while (lead < dims && dense[lead] === 1) lead++
  let headFilled = 0
  for (let p = 0; p < rowCols.length; p++) if (rowCols[p] < lead) headFilled++
  const head = new Float32Array(size * lead)
  const indptr = new Int32Array(size + 1)
  const cols = rowCols instanceof Uint16Array ? new Uint16Array(rowCols.length - headFilled) : new Int32Array(rowCols.length - headFilled)
  const vals = new Float32Array(rowVals.length - headFilled)
  const norms = new Float64Array(size)
  const ratio = new Float64Array(size)
  const colPtr = new Int32Array(dims + 1)
  for (let j = 0; j < dims; j++) colPtr[j + 1] = colPtr[j] + (dense[j] === 1 ? 0 : filled[j])
  const colAt = new Int32Array(colPtr[dims])
  const next = colPtr.slice(0, dims)
  for (let at = 0; at < size; at++) {
    const r = rowAt[at]
    let w = indptr[at]
    let d = 0
    for (let p = rowPtr[r]; p < rowPtr[r + 1]; p++) {
      const j = rowCols[p]
      if (j < lead) head[at * lead + j] = rowVals[p]
      else {
        cols[w] = j
        vals[w++] = rowVals[p]
      }
      if (dense[j] === 1) d += rowVals[p] * rowVals[p]
      else colAt[next[j]++] = at
    }
    indptr[at + 1] = w
    norms[at] = rowNorm[r]
    ratio[at] = rowNorm[r] > 0 ? Math.sqrt(d) / rowNorm[r] : 0
  }
  const order = Int32Array.from({ length: size }, (_, at) => at).sort((a, b) => ratio[b] - ratio[a] || a - b)
  return { dense, lead, head, indptr, cols, vals, norms, rowAt, colPtr, colAt, ratio, order, mark: new Uint32Array(size), stamp: 0 }
}

/** The k smallest (distance, row) pairs offered, ties by row: a max-heap on typed arrays. */
class TopK {
  private readonly dist: Float64Array
  private readonly row: Int32Array
  private n = 0

  constructor(private readonly k: number) {
    this.dist = new Float64Array(k)
    this.row = new Int32Array(k)
  }

  full(): boolean {
    return this.n === this.k
  }

  /** The largest distance held (the heap is full when this matters). */
  worst(): number {
    return this.dist[0]
  }

  offer(d: number, r: number): void {
    const { dist, row } = this
    if (this.n < this.k) {
      let i = this.n++
      while (i > 0) {
        const parent = (i - 1) >> 1
        if (!(d > dist[parent] || (d === dist[parent] && r > row[parent]))) break
        dist[i] = dist[parent]
        row[i] = row[parent]
        i = parent
      }
      dist[i] = d
      row[i] = r
      return
    }
    if (!(d < dist[0] || (d === dist[0] && r < row[0]))) return
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      if (l >= this.k) break
      let c = l
      if (l + 1 < this.k && (dist[l + 1] > dist[l] || (dist[l + 1] === dist[l] && row[l + 1] > row[l]))) c = l + 1
      if (!(dist[c] > d || (dist[c] === d && row[c] > r))) break
      dist[i] = dist[c]
      row[i] = row[c]
      i = c
    }
    dist[i] = d
    row[i] = r
  }

  /** Closest first, ties by row. */
  sorted(): Neighbour[] {
    const out: Neighbour[] = []
    for (let i = 0; i < this.n; i++) out.push({ index: this.row[i], distance: this.dist[i] })
    return out.sort((a, b) => a.distance - b.distance || a.index - b.index)
  }
}

function rowNorms(rows: SparseRows): Float64Array {
  const out = new Float64Array(rows.size)
  for (let r = 0; r < rows.size; r++) {
    let s = 0
    for (let p = rows.indptr[r]; p < rows.indptr[r + 1]; p++) s += rows.vals[p] * rows.vals[p]
    out[r] = Math.sqrt(s)
  }
  return out
}

/** The k smallest distances, closest first, ties by row: a max-heap of (distance, row) over one pass. */
function smallest(dist: Float64Array, k: number): Neighbour[] {
  if (k === 0) return []
  const heap = new TopK(k)
  for (let r = 0; r < dist.length; r++) heap.offer(dist[r], r)
  return heap.sorted()
}
