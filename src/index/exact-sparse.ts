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
    const dist = this.distances(query)
    return smallest(dist, Math.min(k, this.size))
  }

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
  const heap: number[] = []
  const worse = (a: number, b: number) => dist[a] > dist[b] || (dist[a] === dist[b] && a > b)
  for (let r = 0; r < dist.length; r++) {
    if (heap.length < k) {
      heap.push(r)
      siftUp(heap, heap.length - 1, worse)
    } else if (worse(heap[0], r)) {
      heap[0] = r
      siftDown(heap, 0, worse)
    }
  }
  return heap.sort((a, b) => dist[a] - dist[b] || a - b).map((index) => ({ index, distance: dist[index] }))
}

function siftUp(heap: number[], i: number, worse: (a: number, b: number) => boolean): void {
  while (i > 0) {
    const parent = (i - 1) >> 1
    if (!worse(heap[i], heap[parent])) return
    ;[heap[i], heap[parent]] = [heap[parent], heap[i]]
    i = parent
  }
}

function siftDown(heap: number[], i: number, worse: (a: number, b: number) => boolean): void {
  for (;;) {
    const [l, r] = [2 * i + 1, 2 * i + 2]
    let top = i
    if (l < heap.length && worse(heap[l], heap[top])) top = l
    if (r < heap.length && worse(heap[r], heap[top])) top = r
    if (top === i) return
    ;[heap[i], heap[top]] = [heap[top], heap[i]]
    i = top
  }
}
