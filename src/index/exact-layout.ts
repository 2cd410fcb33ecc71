import { loadArtifact, saveArtifact } from '../core/artifact.js'
import { SegueError } from '../core/errors.js'
import { chooseDimensionOrder } from '../kernels/knn-dim-order.js'
import { HEAD_DIMS, LANES, kernelMetricOf, type KnnLayout } from '../kernels/knn-layout.js'
import type { Metric } from './types.js'

/**
 * The exact index's blocked layout (src/kernels/knn-layout.ts), filled row by row. The kernels' own
 * buildLayout fills column by column, which reads the row-major source with a stride of a whole row and
 * needs a normalised copy of it under cosine; here each row is read once, normalised on the fly, and only
 * its non-zero values are written (the pipeline's vectors are mostly zeros). The result is the same bytes.
 *
 * The dimension order is the only part that takes a search to find (chooseDimensionOrder), so it is what
 * gets saved (EXACT_ORDER_ARTIFACT) and passed back in on later starts.
 */
export const EXACT_ORDER_ARTIFACT = { kind: 'exact-order', version: 1 } as const

/** The stored dimension order for `data`: the best pruning order, padded with -1 columns up to HEAD_DIMS. */
export function chooseExactOrder(data: Float32Array, dims: number, metric: Metric): Int32Array {
  const source = metric === 'cosine' ? normalisedCopy(data, dims) : data
  const order = chooseDimensionOrder(source, dims, kernelMetricOf(metric))
  const out = new Int32Array(Math.max(order.length, HEAD_DIMS)).fill(-1)
  out.set(order)
  return out
}

/**
 * Lays out `data` (n x dims, row-major) in `order` for scanning. Rejects NaN and infinite values
 * (E_BAD_ARGUMENT), naming the first one.
 */
export function layoutRows(data: Float32Array, dims: number, metric: Metric, order: Int32Array): KnnLayout {
  checkOrder(order, dims)
  const size = data.length / dims
  const blocks = Math.ceil(size / LANES)
  const tailDims = order.length - HEAD_DIMS
  const packed = new Float32Array(new SharedArrayBuffer(blocks * LANES * order.length * Float32Array.BYTES_PER_ELEMENT))
  const storedAt = new Int32Array(dims).fill(-1)
  order.forEach((c, s) => { if (c >= 0) storedAt[c] = s })
  const zeroRows: number[] = []
  for (let row = 0; row < size; row++) {
    const scale = rowScale(data, row, dims, metric)
    if (scale === 0) zeroRows.push(row)
    else fillRow(packed, data, row, dims, scale, storedAt, blocks, tailDims)
  }
  for (let row = size; row < blocks * LANES; row++) markExcluded(packed, row, blocks, tailDims)
  for (const row of zeroRows) markExcluded(packed, row, blocks, tailDims)
  return { metric, kernelMetric: kernelMetricOf(metric), size, dims, blocks, tailDims, packed, order, zeroRows: Int32Array.from(zeroRows) }
}

export function saveExactOrder(path: string, key: string, order: Int32Array): void {
  saveArtifact(path, { ...EXACT_ORDER_ARTIFACT, key, meta: {} }, { order })
}

/** The order saved under `key`; E_ARTIFACT_VERSION when built from something else, E_ARTIFACT_CORRUPT when damaged. */
export function loadExactOrder(path: string, key: string, dims: number): Int32Array {
  const { header, blobs } = loadArtifact(path, EXACT_ORDER_ARTIFACT)
  if (header.key !== key) throw new SegueError('E_ARTIFACT_VERSION', `${path}: exact-index order for '${header.key}', expected '${key}'`)
  const order = blobs.order
  if (!(order instanceof Int32Array)) throw new SegueError('E_ARTIFACT_CORRUPT', `${path}: the order is not an i32 array`)
  try {
    checkOrder(order, dims)
  } catch (cause) {
    throw new SegueError('E_ARTIFACT_CORRUPT', `${path}: ${(cause as Error).message}`, { cause })
  }
  return order
}

/** 1 / norm of the row under cosine (0 for a zero row, which the index merges in itself), else 1. */
function rowScale(data: Float32Array, row: number, dims: number, metric: Metric): number {
  if (metric !== 'cosine') return 1
  let s = 0
  for (let i = row * dims; i < (row + 1) * dims; i++) s += data[i] * data[i]
  if (!Number.isFinite(s)) rejectNonFinite(data, row, dims)
  return s > 0 ? 1 / Math.sqrt(s) : 0
}

// A NaN would never compare below the threshold, so its row would silently never be found.
function rejectNonFinite(data: Float32Array, row: number, dims: number): void {
  for (let c = 0; c < dims; c++) {
    const v = data[row * dims + c]
    if (!Number.isFinite(v)) throw new SegueError('E_BAD_ARGUMENT', `data: row ${row} column ${c} is ${v}`)
  }
}

function fillRow(packed: Float32Array, data: Float32Array, row: number, dims: number, scale: number, storedAt: Int32Array, blocks: number, tailDims: number): void {
  const b = Math.floor(row / LANES)
  const lane = row % LANES
  const tailBase = blocks * HEAD_DIMS * LANES
  for (let c = 0; c < dims; c++) {
    const v = data[row * dims + c]
    if (v === 0) continue
    if (!Number.isFinite(v)) rejectNonFinite(data, row, dims)
    const s = storedAt[c]
    const at = s < HEAD_DIMS ? (b * HEAD_DIMS + s) * LANES + lane : tailBase + (b * tailDims + s - HEAD_DIMS) * LANES + lane
    packed[at] = v * scale
  }
}

function markExcluded(packed: Float32Array, row: number, blocks: number, tailDims: number): void {
  const tailBase = blocks * HEAD_DIMS * LANES
  const b = Math.floor(row / LANES)
  const lane = row % LANES
  for (let s = 0; s < HEAD_DIMS; s++) packed[(b * HEAD_DIMS + s) * LANES + lane] = NaN
  for (let s = 0; s < tailDims; s++) packed[tailBase + (b * tailDims + s) * LANES + lane] = NaN
}

/** Every column exactly once, padding (-1) allowed; anything else would silently drop dimensions. */
function checkOrder(order: Int32Array, dims: number): void {
  const seen = new Uint8Array(dims)
  let count = 0
  for (const c of order) {
    if (c === -1) continue
    if (c < 0 || c >= dims || seen[c]) throw new Error(`dimension order names column ${c} twice or out of range (dims ${dims})`)
    seen[c] = 1
    count++
  }
  if (count !== dims || order.length < HEAD_DIMS) throw new Error(`dimension order covers ${count} of ${dims} columns`)
}

function normalisedCopy(data: Float32Array, dims: number): Float32Array {
  const out = new Float32Array(data.length)
  for (let row = 0; row < data.length / dims; row++) {
    const scale = rowScale(data, row, dims, 'cosine')
    for (let c = row * dims; c < (row + 1) * dims; c++) out[c] = data[c] * scale
  }
  return out
}
