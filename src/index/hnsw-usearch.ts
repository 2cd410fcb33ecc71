import { availableParallelism } from 'node:os'
import { Index, MetricKind, ScalarKind } from 'usearch'
import type { Neighbour } from './types.js'
import { type HnswEngine, type HnswParams, type HnswQuantization, type NativeMetric, withTempPath } from './hnsw-backend.js'

const METRIC: Record<NativeMetric, MetricKind> = { cosine: MetricKind.Cos, euclidean: MetricKind.L2sq }
const SCALAR: Record<HnswQuantization, ScalarKind> = { f32: ScalarKind.F32, f16: ScalarKind.F16, i8: ScalarKind.I8 }

/**
 * HNSW on usearch: takes Float32Array rows as they are, builds and batch-searches on several threads.
 * Its JS binding fixes the search expansion when the index object is made, so changing ef reopens the
 * saved graph under a new configuration.
 *
 * Each searching thread needs a context that the binding reserves when the index grows (as many as that
 * add() call's threads) or is loaded (one per core); a batch on more threads than that fails mid-way, so
 * batches are capped at the reserved count.
 */
export class UsearchEngine implements HnswEngine {
  private native: Index
  private readonly params: HnswParams
  private contexts: number

  /** With `view`, a saved graph at `path` is memory-mapped rather than read into memory (usearch's view()). */
  constructor(params: HnswParams, path?: string, view = false) {
    this.params = { ...params }
    this.native = openNative(params, path, view)
    this.contexts = path === undefined ? 0 : availableParallelism()
  }

  add(rows: Float32Array, firstKey: number, threads: number): void {
    const n = rows.length / this.params.dims
    const keys = new BigUint64Array(n)
    for (let i = 0; i < n; i++) keys[i] = BigInt(firstKey + i)
    // Mirrors the binding: it reserves (and resets the thread contexts) only when the rows would not fit.
    const grows = this.native.size() + n >= this.native.capacity()
    this.native.add(keys, rows, threads)
    if (grows) this.contexts = threads
  }

  search(query: Float32Array, k: number): Neighbour[] {
    const m = this.native.search(query, k, 1)
    return toNeighbours(m.keys, m.distances, 0, m.keys.length)
  }

  searchBatch(queries: Float32Array, k: number, threads: number): Neighbour[][] {
    const nq = queries.length / this.params.dims
    // usearch answers a single packed query with a flat Matches, so one query goes through search().
    if (nq === 1) return [this.search(queries, k)]
    const rows = Array.from({ length: nq }, (_, q) => queries.subarray(q * this.params.dims, (q + 1) * this.params.dims))
    const m = this.native.search(rows, k, Math.min(threads || availableParallelism(), this.contexts))
    return rows.map((_, q) => toNeighbours(m.keys, m.distances, q * k, Number(m.counts[q])))
  }

  setEf(ef: number): void {
    if (ef === this.params.ef) return
    const next = { ...this.params, ef }
    this.native = withTempPath((path) => {
      this.native.save(path)
      return openNative(next, path)
    })
    this.params.ef = ef
    this.contexts = availableParallelism()
  }

  count(): number {
    return Number(this.native.size())
  }

  save(path: string): void {
    this.native.save(path)
  }

  release(): void {
    // The binding frees native memory when the object is collected; dropping the only reference is all we can do.
    this.native = undefined as unknown as Index
  }
}

function openNative(p: HnswParams, path?: string, view = false): Index {
  const index = new Index({
    dimensions: p.dims,
    metric: METRIC[p.metric as NativeMetric],
    quantization: SCALAR[p.quantization ?? 'f32'],
    connectivity: p.M,
    expansion_add: p.efConstruction,
    expansion_search: p.ef,
    multi: false,
  })
  if (path !== undefined && view) index.view(path)
  else if (path !== undefined) index.load(path)
  return index
}

function toNeighbours(keys: BigUint64Array, distances: Float32Array, start: number, count: number): Neighbour[] {
  const out: Neighbour[] = new Array(count)
  for (let i = 0; i < count; i++) out[i] = { index: Number(keys[start + i]), distance: distances[start + i] }
  return out
}
