import { SegueError } from '../core/errors.js'
import { createKnnKernel, resolveBackend, type KnnBackend } from '../kernels/knn-backend.js'
import { kernelInputOf, type KnnKernel, type KnnResult } from '../kernels/knn-kernel.js'
import { prepareQueries, prepareQuery, storedDims, type KnnLayout } from '../kernels/knn-layout.js'
import { chooseExactOrder, layoutRows } from './exact-layout.js'
import { KnnWorkerPool } from './exact-pool.js'
import { METRICS, type Metric, type Neighbour, type VectorIndex } from './types.js'

export interface ExactIndexOptions {
  /**
   * 'wasm' (WebAssembly SIMD), 'ts' (plain TypeScript) or 'auto' (default): WASM when it loads, else TS. Under
   * 'auto' the first searches run on the TS kernel (see WASM_AFTER_SEARCHES), so a single query never pays
   * for copying the matrix into WebAssembly memory.
   */
  backend?: KnnBackend
  /**
   * Threads for searchBatch (default 1: the calling thread). With more, worker threads are started on the
   * first batch and share the matrix through a SharedArrayBuffer; search() always runs on the calling thread.
   */
  threads?: number
  /**
   * The stored dimension order (see exact-layout.ts) when it is already known, e.g. saved by an earlier start
   * with `index.order`; it only affects speed, never results. Default: chosen from the data.
   */
  order?: Int32Array
}

/**
 * Single searches an 'auto' index answers with the plain-TS kernel before it moves to WASM. The WASM kernel
 * first copies the whole matrix into its own memory (91 MB for the 114k catalogue's vectors), which costs more
 * than a handful of plain-TS scans of a pruned layout; a one-shot `segue similar` asks one query.
 */
const WASM_AFTER_SEARCHES = 8

/** An exact index also says which kernel it ended up with. */
export interface ExactIndex extends VectorIndex {
  readonly backend: 'wasm' | 'ts'
  /** The stored dimension order, to save and pass back as `order` next time. */
  readonly order: Int32Array
}

/**
 * Exact k-nearest-neighbour search over the rows of `data` (n x dims, row-major; copied, not kept): a scan of
 * every row that drops most of them after four dimensions, once their partial distance already exceeds the
 * k-th best so far (see src/kernels/knn-layout.ts). The answer is the same as a full sort's.
 *
 * Distances: cosine = 1 - cosine similarity (a zero vector has similarity 0 with everything), euclidean (not
 * squared), manhattan. Rows at equal distance come back in row order; which of several rows tied for the
 * k-th place make the cut is unspecified. Rejects NaN and infinite values (E_BAD_ARGUMENT).
 */
export function createExactIndex(data: Float32Array, dims: number, metric: Metric, opts: ExactIndexOptions = {}): ExactIndex {
  checkShape(data, dims, metric)
  const threads = opts.threads ?? 1
  if (!Number.isInteger(threads) || threads < 1) badArgument(`threads: expected an integer >= 1, got ${threads}`)
  const backend = resolveBackend(opts.backend ?? 'auto')
  const layout = layoutRows(data, dims, metric, opts.order ?? chooseExactOrder(data, dims, metric))
  const deferWasm = (opts.backend ?? 'auto') === 'auto' && backend === 'wasm'
  return new BlockedExactIndex(layout, backend, deferWasm ? WASM_AFTER_SEARCHES : 0, threads)
}

class BlockedExactIndex implements ExactIndex {
  readonly kind = 'exact'
  readonly size: number
  readonly dims: number
  readonly metric: Metric
  private readonly prepared: Float32Array
  private pool: KnnWorkerPool | null = null
  private closed = false
  private current: KnnKernel | null = null

  constructor(
    private readonly layout: KnnLayout,
    readonly backend: 'wasm' | 'ts',
    /** Single searches left to run on the TS kernel before the chosen one is built (0: build it now). */
    private tsSearchesLeft: number,
    private readonly threads: number,
  ) {
    this.size = layout.size
    this.dims = layout.dims
    this.metric = layout.metric
    this.prepared = new Float32Array(storedDims(layout))
  }

  /** The kernel for this search: plain TS while searches are few, then the chosen backend's, built once. */
  private kernel(single: boolean): KnnKernel {
    if (single && this.tsSearchesLeft > 0) {
      this.tsSearchesLeft--
      this.current ??= createKnnKernel('ts', kernelInputOf(this.layout))
      return this.current
    }
    if (this.current?.backend !== this.backend) this.current = createKnnKernel(this.backend, kernelInputOf(this.layout))
    return this.current
  }

  get order(): Int32Array {
    return this.layout.order
  }

  search(query: Float32Array, k: number): Neighbour[] {
    this.checkQueries(query, k)
    const take = Math.min(k, this.size)
    prepareQuery(this.layout, query, this.prepared, 0)
    return this.finish(this.kernel(true).search(this.prepared, 1, take), 0, query, take)
  }

  async searchBatch(queries: Float32Array, k: number): Promise<Neighbour[][]> {
    this.checkQueries(queries, k)
    const nq = queries.length / this.dims
    const take = Math.min(k, this.size)
    const prepared = prepareQueries(this.layout, queries, nq)
    const result = this.threads > 1 && nq > 1
      ? await this.workerPool().search(prepared, storedDims(this.layout), nq, take)
      : this.kernel(nq === 1).search(prepared, nq, take)
    return Array.from({ length: nq }, (_, q) =>
      this.finish(result, q, queries.subarray(q * this.dims, (q + 1) * this.dims), take),
    )
  }

  async close(): Promise<void> {
    this.closed = true
    await this.pool?.close()
    this.pool = null
  }

  private workerPool(): KnnWorkerPool {
    this.pool ??= new KnnWorkerPool(kernelInputOf(this.layout), this.backend, this.threads)
    return this.pool
  }

  /** Turns query q's kernel hits into neighbours in the metric's own units, adding zero rows under cosine. */
  private finish(result: KnnResult, q: number, query: Float32Array, take: number): Neighbour[] {
    if (this.metric === 'cosine' && isZero(query)) return firstRows(take, 1)
    const hits: Neighbour[] = []
    for (let i = q * result.k; i < q * result.k + result.counts[q]; i++) {
      hits.push({ index: result.rows[i], distance: this.toDistance(result.dist[i]) })
    }
    if (this.metric === 'cosine') for (const row of this.layout.zeroRows.subarray(0, take)) hits.push({ index: row, distance: 1 })
    return hits.sort(byDistanceThenRow).slice(0, take)
  }

  private toDistance(raw: number): number {
    switch (this.metric) {
      case 'euclidean':
        return Math.sqrt(raw)
      case 'cosine':
        return 0.5 * raw
      case 'manhattan':
        return raw
    }
  }

  private checkQueries(queries: Float32Array, k: number): void {
    if (this.closed) throw new SegueError('E_BAD_ARGUMENT', 'exact index: used after close()')
    if (!(queries instanceof Float32Array) || queries.length % this.dims !== 0) {
      badArgument(`query: expected a Float32Array of a multiple of ${this.dims} values, got ${queries?.length}`)
    }
    if (!Number.isInteger(k) || k < 0) badArgument(`k: expected an integer >= 0, got ${k}`)
    checkFinite(queries, this.dims, 'query')
  }
}

function checkShape(data: Float32Array, dims: number, metric: Metric): void {
  if (!Number.isInteger(dims) || dims < 1) badArgument(`dims: expected an integer >= 1, got ${dims}`)
  if (!(data instanceof Float32Array) || data.length % dims !== 0) {
    badArgument(`data: expected a Float32Array whose length is a multiple of dims (${dims}), got ${data?.length}`)
  }
  if (!METRICS.includes(metric)) badArgument(`metric: expected one of ${METRICS.join(', ')}, got '${metric}'`)
  // NaN and infinite values are rejected by layoutRows as it reads each row.
}

// A NaN would never compare below the threshold, so its row or query would silently find nothing.
function checkFinite(values: Float32Array, dims: number, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) badArgument(`${what}: row ${Math.floor(i / dims)} column ${i % dims} is ${values[i]}`)
  }
}

function badArgument(message: string): never {
  throw new SegueError('E_BAD_ARGUMENT', message)
}

function isZero(v: Float32Array): boolean {
  return v.every((x) => x === 0)
}

function firstRows(count: number, distance: number): Neighbour[] {
  return Array.from({ length: count }, (_, index) => ({ index, distance }))
}

function byDistanceThenRow(a: Neighbour, b: Neighbour): number {
  return a.distance - b.distance || a.index - b.index
}
