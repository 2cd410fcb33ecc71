import type { KnnLayout } from './knn-layout.js'

/** What a kernel needs of a layout; small enough to post to a worker (the matrix is a SharedArrayBuffer). */
export type KernelInput = Pick<KnnLayout, 'kernelMetric' | 'blocks' | 'tailDims' | 'packed'>

export function kernelInputOf(layout: KnnLayout): KernelInput {
  const { kernelMetric, blocks, tailDims, packed } = layout
  return { kernelMetric, blocks, tailDims, packed }
}

/**
 * Nearest rows for a group of prepared queries, in kernel units (squared Euclidean or L1), closest first.
 * Query q's hits are dist/rows[q*k .. q*k + counts[q]).
 */
export interface KnnResult {
  k: number
  dist: Float32Array
  rows: Int32Array
  counts: Int32Array
}

export interface KnnKernel {
  readonly backend: 'ts' | 'wasm'
  /** `prepared` holds nq queries of HEAD_DIMS + tailDims values each, in the layout's stored order. */
  search(prepared: Float32Array, nq: number, k: number): KnnResult
}

export function emptyResult(nq: number, k: number): KnnResult {
  return { k, dist: new Float32Array(nq * k), rows: new Int32Array(nq * k), counts: new Int32Array(nq) }
}
