import type { Metric } from '../index/types.js'
import { chooseDimensionOrder } from './knn-dim-order.js'

/**
 * The blocked matrix both exact-search kernels scan.
 *
 * Rows are grouped in blocks of LANES (4); inside a block, dimension by dimension, the four rows' values sit side
 * by side, so a SIMD lane holds one row and a block costs one vector step per dimension. Dimensions are stored
 * in the order that prunes best (knn-dim-order.ts; padded with zero columns up to HEAD_DIMS), and the first HEAD_DIMS of each
 * block live in `head`, the rest in `tail`. Scanning reads `head` for every row and `tail` only for the few
 * rows whose head distance is still below the current k-th best, so most rows cost one compare and a quarter
 * of the memory traffic a row-major scan would need.
 *
 * Rows that must never be returned (the padding at the end of the last block, and zero rows under cosine,
 * whose distance is fixed at 1 and which the index merges in itself) hold NaN, which compares false.
 * Under cosine, rows are normalised, and the kernels compute 0.5 * squared Euclidean distance, which equals
 * 1 - cosine similarity for unit vectors and, unlike a dot product, only grows as dimensions are added.
 */
export const LANES = 4
export const HEAD_DIMS = 4

/** What a kernel computes: squared Euclidean (euclidean and cosine) or L1 (manhattan). */
export type KernelMetric = 'squared-l2' | 'l1'

export interface KnnLayout {
  metric: Metric
  kernelMetric: KernelMetric
  /** Rows indexed (the valid ones; rows >= size are padding). */
  size: number
  dims: number
  blocks: number
  tailDims: number
  /** head (blocks x HEAD_DIMS x LANES) followed by tail (blocks x tailDims x LANES), in a SharedArrayBuffer. */
  packed: Float32Array
  /** Stored dimension -> original column, or -1 for a zero padding column. */
  order: Int32Array
  /** Rows left out of the scan because they are zero vectors under cosine. */
  zeroRows: Int32Array
}

export function kernelMetricOf(metric: Metric): KernelMetric {
  return metric === 'manhattan' ? 'l1' : 'squared-l2'
}

/** Lays out `data` (n x dims, row-major) for scanning. The input is not modified. */
export function buildLayout(data: Float32Array, dims: number, metric: Metric): KnnLayout {
  const size = data.length / dims
  const source = metric === 'cosine' ? normalisedRows(data, dims) : data
  const order = paddedOrder(chooseDimensionOrder(source, dims, kernelMetricOf(metric)))
  const tailDims = order.length - HEAD_DIMS
  const blocks = Math.ceil(size / LANES)
  const bytes = blocks * LANES * order.length * Float32Array.BYTES_PER_ELEMENT
  const packed = new Float32Array(new SharedArrayBuffer(bytes))
  const zeroRows = metric === 'cosine' ? findZeroRows(data, dims) : new Int32Array(0)
  fillPacked(packed, source, dims, order, blocks)
  for (let row = size; row < blocks * LANES; row++) markExcluded(packed, row, blocks, order.length)
  for (const row of zeroRows) markExcluded(packed, row, blocks, order.length)
  return { metric, kernelMetric: kernelMetricOf(metric), size, dims, blocks, tailDims, packed, order, zeroRows }
}

/** Brings one query into the layout's stored dimension order (normalised under cosine). */
export function prepareQuery(layout: KnnLayout, query: Float32Array, out: Float32Array, outOffset: number): void {
  const { order, dims } = layout
  let scale = 1
  if (layout.metric === 'cosine') {
    const norm = Math.sqrt(sumOfSquares(query, 0, dims))
    scale = norm > 0 ? 1 / norm : 0
  }
  for (let s = 0; s < order.length; s++) {
    const c = order[s]
    out[outOffset + s] = c < 0 ? 0 : query[c] * scale
  }
}

/** Padded dimensions per stored query: HEAD_DIMS + tailDims. */
export function storedDims(layout: KnnLayout): number {
  return HEAD_DIMS + layout.tailDims
}

/** Puts `queries` (nq x dims) in stored order; one row of storedDims(layout) values per query. */
export function prepareQueries(layout: KnnLayout, queries: Float32Array, nq: number): Float32Array {
  const width = storedDims(layout)
  const out = new Float32Array(nq * width)
  for (let q = 0; q < nq; q++) prepareQuery(layout, queries.subarray(q * layout.dims, (q + 1) * layout.dims), out, q * width)
  return out
}

/** The chosen order, padded with zero columns (-1) up to HEAD_DIMS. */
function paddedOrder(order: number[]): Int32Array {
  const out = new Int32Array(Math.max(order.length, HEAD_DIMS)).fill(-1)
  out.set(order)
  return out
}

// Column by column, writing `packed` in order: each stored dimension is one run of (blocks x LANES) values.
function fillPacked(packed: Float32Array, source: Float32Array, dims: number, order: Int32Array, blocks: number): void {
  const n = source.length / dims
  const tailBase = blocks * HEAD_DIMS * LANES
  const tailDims = order.length - HEAD_DIMS
  for (let s = 0; s < order.length; s++) {
    const c = order[s]
    if (c < 0) continue // a padding column stays zero
    const base = s < HEAD_DIMS ? s * LANES : tailBase + (s - HEAD_DIMS) * LANES
    const stride = s < HEAD_DIMS ? HEAD_DIMS * LANES : tailDims * LANES
    for (let row = 0; row < n; row++) packed[base + Math.floor(row / LANES) * stride + (row % LANES)] = source[row * dims + c]
  }
}

function markExcluded(packed: Float32Array, row: number, blocks: number, stored: number): void {
  const tailBase = blocks * HEAD_DIMS * LANES
  const b = Math.floor(row / LANES)
  for (let s = 0; s < stored; s++) packed[slot(b, row % LANES, s, tailBase, stored - HEAD_DIMS)] = NaN
}

/** Where stored dimension `s` of lane `lane` of block `b` lives in `packed`. */
function slot(b: number, lane: number, s: number, tailBase: number, tailDims: number): number {
  if (s < HEAD_DIMS) return (b * HEAD_DIMS + s) * LANES + lane
  return tailBase + (b * tailDims + s - HEAD_DIMS) * LANES + lane
}

function normalisedRows(data: Float32Array, dims: number): Float32Array {
  const out = new Float32Array(data.length)
  for (let start = 0; start < data.length; start += dims) {
    const norm = Math.sqrt(sumOfSquares(data, start, dims))
    const scale = norm > 0 ? 1 / norm : 0
    for (let c = 0; c < dims; c++) out[start + c] = data[start + c] * scale
  }
  return out
}

function findZeroRows(data: Float32Array, dims: number): Int32Array {
  const rows: number[] = []
  for (let start = 0, row = 0; start < data.length; start += dims, row++) {
    if (sumOfSquares(data, start, dims) === 0) rows.push(row)
  }
  return Int32Array.from(rows)
}

function sumOfSquares(v: Float32Array, start: number, len: number): number {
  let s = 0
  for (let i = start; i < start + len; i++) s += v[i] * v[i]
  return s
}
