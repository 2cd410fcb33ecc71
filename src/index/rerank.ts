import { SegueError } from '../core/errors.js'
import type { Metric, Neighbour, VectorIndex } from './types.js'

/**
 * An approximate index whose answers are re-scored exactly: the candidates it returns get their true
 * distances from the full-precision rows and are re-sorted. Paired with a quantized HNSW graph (i8 vectors:
 * a quarter of the memory traffic per comparison) this keeps the ranking of full precision for the price of
 * k exact distances per query.
 */
export class RerankedIndex implements VectorIndex {
  readonly kind: string
  private readonly norms: Float32Array | null

  constructor(
    private readonly inner: VectorIndex,
    /** The rows the inner index was built from, n x dims, row-major. */
    private readonly data: Float32Array,
  ) {
    if (inner.metric === 'manhattan') throw new SegueError('E_BAD_ARGUMENT', 'RerankedIndex: manhattan has no approximate index to re-rank')
    this.kind = `${inner.kind}+rerank`
    this.norms = inner.metric === 'cosine' ? rowNorms(data, inner.dims) : null
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
    const d = this.dims
    let qq = 0
    for (let j = 0; j < d; j++) qq += query[j] * query[j]
    for (const h of hits) {
      const o = h.index * d
      if (this.norms) {
        let dot = 0
        for (let j = 0; j < d; j++) dot += query[j] * this.data[o + j]
        const denom = Math.sqrt(qq) * this.norms[h.index]
        h.distance = denom > 0 ? 1 - dot / denom : 1
      } else {
        let s = 0
        for (let j = 0; j < d; j++) {
          const x = query[j] - this.data[o + j]
          s += x * x
        }
        h.distance = Math.sqrt(s)
      }
    }
    return hits.sort((a, b) => a.distance - b.distance || a.index - b.index)
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
