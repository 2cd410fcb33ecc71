import hnswlib from 'hnswlib-node'
import type { Neighbour } from './types.js'
import type { HnswEngine, HnswParams, NativeMetric } from './hnsw-backend.js'

const SPACE: Record<NativeMetric, hnswlib.SpaceName> = { cosine: 'cosine', euclidean: 'l2' }

/**
 * HNSW on hnswlib-node: the reference implementation, seeded, but its binding takes plain arrays and
 * inserts one point at a time on the calling thread, so `threads` is ignored and batches run serially.
 */
export class HnswlibEngine implements HnswEngine {
  private native: hnswlib.HierarchicalNSW

  constructor(private readonly params: HnswParams, path?: string) {
    this.native = new hnswlib.HierarchicalNSW(SPACE[params.metric as NativeMetric], params.dims)
    if (path === undefined) {
      this.native.initIndex({ maxElements: params.size, m: params.M, efConstruction: params.efConstruction, randomSeed: params.seed })
    } else {
      this.native.readIndexSync(path)
    }
    this.native.setEf(params.ef)
  }

  add(rows: Float32Array, firstKey: number): void {
    const d = this.params.dims
    for (let i = 0; i * d < rows.length; i++) this.native.addPoint(Array.from(rows.subarray(i * d, (i + 1) * d)), firstKey + i)
  }

  search(query: Float32Array, k: number): Neighbour[] {
    const { neighbors, distances } = this.native.searchKnn(Array.from(query), k)
    return neighbors.map((index, i) => ({ index, distance: distances[i] }))
  }

  searchBatch(queries: Float32Array, k: number): Neighbour[][] {
    const d = this.params.dims
    return Array.from({ length: queries.length / d }, (_, q) => this.search(queries.subarray(q * d, (q + 1) * d), k))
  }

  setEf(ef: number): void {
    this.native.setEf(ef)
  }

  count(): number {
    return this.native.getCurrentCount()
  }

  save(path: string): void {
    this.native.writeIndexSync(path)
  }

  release(): void {
    this.native = undefined as unknown as hnswlib.HierarchicalNSW
  }
}
