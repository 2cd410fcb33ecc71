import { SegueError } from '../core/errors.js'
import type { SparseRows } from './exact-sparse.js'
import type { Metric, Neighbour, VectorIndex } from './types.js'

/**
 * An approximate index whose answers are re-scored exactly: the candidates it returns get their true
 * distances from the full-precision rows and are re-sorted. Paired with a quantized HNSW graph (i8 vectors:
 * a quarter of the memory traffic per comparison) this keeps the ranking of full precision for the price of
 * k exact distances per query.
 *
 * The rows may be dense (n x dims) or sparse (CSR, as the catalogue snapshot holds them): sparse rows need no
 * dense copy of the matrix at all, and a cosine over a row's non-zero values is the dense sum bit for bit (the
 * skipped terms are exact zeros, the others are added in the same column order).
 */
export class RerankedIndex implements VectorIndex {
  readonly kind: string
  private readonly norms: Float32Array | null
  private readonly dense: Float32Array | null
  private readonly sparse: SparseRows | null

  constructor(
    private readonly inner: VectorIndex,
    /** The rows the inner index was built from: n x dims row-major, or the same rows in CSR. */
    data: Float32Array | SparseRows,
  ) {
    if (inner.metric === 'manhattan') throw new SegueError('E_BAD_ARGUMENT', 'RerankedIndex: manhattan has no approximate index to re-rank')
    this.kind = `${inner.kind}+rerank`
    this.dense = data instanceof Float32Array ? data : null
    this.sparse = data instanceof Float32Array ? null : data
    this.norms = inner.metric === 'cosine' ? (this.dense ? rowNorms(this.dense, inner.dims) : sparseNorms(this.sparse!)) : null
  }

  get size(): number { return this.inner.size }
  get dims(): number { return this.inner.dims }
  get metric(): Metric { return this.inner.metric }

  search(query: Float32Array, k: number): Neighbour[] {
    return this.rescore(query, this.inner.search(query, k))
  }

  async searchBatch(queries: Float32Array, k: number): Promise<Neighbour[][]> {
    const hits = await this.inner.searchBatch(queries, k)
    return hits.map((h, q) => this.rescore(queries.subarray(q * this.dims, (q + 1) * this.dims), h))
  }

  close(): Promise<void> {
    return this.inner.close()
  }

  private rescore(query: Float32Array, hits: Neighbour[]): Neighbour[] {
    let qq = 0
    for (let j = 0; j < this.dims; j++) qq += query[j] * query[j]
    for (const h of hits) {
      if (this.norms) {
        const denom = Math.sqrt(qq) * this.norms[h.index]
        h.distance = denom > 0 ? 1 - this.dot(query, h.index) / denom : 1
      } else {
        h.distance = Math.sqrt(this.squaredDistance(query, qq, h.index))
      }
    }
    return hits.sort((a, b) => a.distance - b.distance || a.index - b.index)
  }

  private dot(query: Float32Array, row: number): number {
    let dot = 0
    if (this.dense) {
      const o = row * this.dims
      for (let j = 0; j < this.dims; j++) dot += query[j] * this.dense[o + j]
      return dot
    }
    const { indptr, cols, vals } = this.sparse!
    for (let p = indptr[row]; p < indptr[row + 1]; p++) dot += query[cols[p]] * vals[p]
    return dot
  }

  /** |query - row|²; over sparse rows, the query's own square (qq) corrected where the row is non-zero. */
  private squaredDistance(query: Float32Array, qq: number, row: number): number {
    let s = 0
    if (this.dense) {
      const o = row * this.dims
      for (let j = 0; j < this.dims; j++) {
        const x = query[j] - this.dense[o + j]
        s += x * x
      }
      return s
    }
    const { indptr, cols, vals } = this.sparse!
    s = qq
    for (let p = indptr[row]; p < indptr[row + 1]; p++) {
      const q = query[cols[p]]
      const x = q - vals[p]
      s += x * x - q * q
    }
    return Math.max(0, s)
  }
}

function rowNorms(data: Float32Array, dims: number): Float32Array {
  const n = data.length / dims
  const out = new Float32Array(n)
  for (let r = 0; r < n; r++) {
    let s = 0
    for (let j = 0; j < dims; j++) s += data[r * dims + j] * data[r * dims + j]
    out[r] = Math.sqrt(s)
  }
  return out
}

/** rowNorms of sparse rows: the same sums, without the zeros. */
function sparseNorms(rows: SparseRows): Float32Array {
  const out = new Float32Array(rows.size)
  for (let r = 0; r < rows.size; r++) {
    let s = 0
    for (let p = rows.indptr[r]; p < rows.indptr[r + 1]; p++) s += rows.vals[p] * rows.vals[p]
    out[r] = Math.sqrt(s)
  }
  return out
}
