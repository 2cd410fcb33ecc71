import { HEAD_DIMS, LANES } from './knn-layout.js'
import { emptyResult, type KernelInput, type KnnKernel, type KnnResult } from './knn-kernel.js'
import { TopKHeap } from './top-k-heap.js'

/** Blocks scanned by every query of a group before moving on, so the data is reused from cache. */
const CHUNK_BLOCKS = 4096

/**
 * The plain-TypeScript kernel: the same blocked scan as the WebAssembly one (see knn-layout.ts), one row at a
 * time. Its head check skips the tail of most rows, and the tail is checked again every four dimensions, which
 * is what makes it faster than a naive loop.
 */
export class TsKnnKernel implements KnnKernel {
  readonly backend = 'ts' as const
  private readonly tailBase: number

  constructor(private readonly input: KernelInput) {
    this.tailBase = input.blocks * HEAD_DIMS * LANES
  }

  search(prepared: Float32Array, nq: number, k: number): KnnResult {
    const out = emptyResult(nq, k)
    if (k === 0) return out
    const width = HEAD_DIMS + this.input.tailDims
    const heaps = Array.from({ length: nq }, () => new TopKHeap(k))
    for (let c0 = 0; c0 < this.input.blocks; c0 += CHUNK_BLOCKS) {
      const c1 = Math.min(this.input.blocks, c0 + CHUNK_BLOCKS)
      for (let q = 0; q < nq; q++) this.scan(prepared, q * width, heaps[q], c0, c1)
    }
    heaps.forEach((heap, q) => (out.counts[q] = heap.drainSorted(out.dist, out.rows, q * k)))
    return out
  }

  private scan(prepared: Float32Array, qOff: number, heap: TopKHeap, b0: number, b1: number): void {
    if (this.input.kernelMetric === 'l1') scanL1(this.input, this.tailBase, prepared, qOff, heap, b0, b1)
    else scanSquaredL2(this.input, this.tailBase, prepared, qOff, heap, b0, b1)
  }
}

// The two scans differ only in the per-dimension term; they are written out twice so each stays monomorphic
// and the term is not a call or a branch inside the loop.
function scanSquaredL2(input: KernelInput, tailBase: number, q: Float32Array, qOff: number, heap: TopKHeap, b0: number, b1: number): void {
  const { packed, tailDims } = input
  const q0 = q[qOff], q1 = q[qOff + 1], q2 = q[qOff + 2], q3 = q[qOff + 3]
  let thr = heap.threshold()
  for (let b = b0; b < b1; b++) {
    const h = b * HEAD_DIMS * LANES
    for (let lane = 0; lane < LANES; lane++) {
      const d0 = packed[h + lane] - q0
      const d1 = packed[h + 4 + lane] - q1
      const d2 = packed[h + 8 + lane] - q2
      const d3 = packed[h + 12 + lane] - q3
      let s = d0 * d0 + d1 * d1 + (d2 * d2 + d3 * d3)
      if (!(s < thr)) continue
      const t = tailBase + b * tailDims * LANES + lane
      for (let j = 0; j < tailDims; j++) {
        const d = packed[t + j * LANES] - q[qOff + HEAD_DIMS + j]
        s += d * d
        if ((j & 3) === 3 && !(s < thr)) break
      }
      if (s < thr) thr = heap.offer(s, b * LANES + lane)
    }
  }
}

function scanL1(input: KernelInput, tailBase: number, q: Float32Array, qOff: number, heap: TopKHeap, b0: number, b1: number): void {
  const { packed, tailDims } = input
  const q0 = q[qOff], q1 = q[qOff + 1], q2 = q[qOff + 2], q3 = q[qOff + 3]
  let thr = heap.threshold()
  for (let b = b0; b < b1; b++) {
    const h = b * HEAD_DIMS * LANES
    for (let lane = 0; lane < LANES; lane++) {
      let s =
        Math.abs(packed[h + lane] - q0) +
        Math.abs(packed[h + 4 + lane] - q1) +
        (Math.abs(packed[h + 8 + lane] - q2) + Math.abs(packed[h + 12 + lane] - q3))
      if (!(s < thr)) continue
      const t = tailBase + b * tailDims * LANES + lane
      for (let j = 0; j < tailDims; j++) {
        s += Math.abs(packed[t + j * LANES] - q[qOff + HEAD_DIMS + j])
        if ((j & 3) === 3 && !(s < thr)) break
      }
      if (s < thr) thr = heap.offer(s, b * LANES + lane)
    }
  }
}
