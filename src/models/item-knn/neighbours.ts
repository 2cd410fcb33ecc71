import { transpose, type Csr } from '../../core/csr.js'
import { TopKHeap } from '../../kernels/top-k-heap.js'

/**
 * The k most similar items of every item, as a sparse items x items matrix (row i: i's neighbours, ids
 * ascending): similarity = dot product of the weighted item rows of `w` (items x users).
 *
 * Row i's dot products are accumulated through the users of i (for each user u of i, for each item j of u),
 * touching only co-occurring items: cost is the sum over users of (items per user)^2, never items^2 memory.
 * Only positive similarities are kept; ties go to the lower item id. `tick(i)` is awaited after each item.
 */
export async function topKNeighbours(w: Csr, k: number, tick: (done: number) => Promise<void>): Promise<Csr> {
  const byUser = transpose(w)
  const n = w.rows
  const acc = new Float64Array(n)
  const seen = new Uint8Array(n)
  const touched = new Int32Array(n)
  const heap = new TopKHeap(Math.max(k, 1))
  const outIndptr = new Int32Array(n + 1)
  const outIndices = new Int32Array(n * k)
  const outData = new Float32Array(n * k)
  for (let i = 0; i < n; i++) {
    const count = accumulateRow(w, byUser, i, acc, seen, touched)
    offerTouched(touched.subarray(0, count), acc, seen, heap)
    outIndptr[i + 1] = outIndptr[i] + drainById(heap, outIndices, outData, outIndptr[i])
    await tick(i + 1)
  }
  const total = outIndptr[n]
  return { rows: n, cols: n, indptr: outIndptr, indices: outIndices.slice(0, total), data: outData.slice(0, total) }
}

/** Dot products of row i with every co-occurring row, into acc; returns how many rows were touched. */
function accumulateRow(w: Csr, byUser: Csr, i: number, acc: Float64Array, seen: Uint8Array, touched: Int32Array): number {
  let count = 0
  for (let p = w.indptr[i]; p < w.indptr[i + 1]; p++) {
    const u = w.indices[p]
    const wi = w.data[p]
    for (let q = byUser.indptr[u]; q < byUser.indptr[u + 1]; q++) {
      const j = byUser.indices[q]
      if (j === i) continue
      if (seen[j] === 0) {
        seen[j] = 1
        touched[count++] = j
      }
      acc[j] += wi * byUser.data[q]
    }
  }
  return count
}

/** Offers touched rows in ascending id (so ties keep the lower id) and clears acc/seen for the next row. */
function offerTouched(touched: Int32Array, acc: Float64Array, seen: Uint8Array, heap: TopKHeap): void {
  touched.sort()
  for (let t = 0; t < touched.length; t++) {
    const j = touched[t]
    if (acc[j] > 0) heap.offer(-acc[j], j)
    acc[j] = 0
    seen[j] = 0
  }
}

/** Empties the heap into the output at `at`, ids ascending as CSR rows are; returns how many. */
function drainById(heap: TopKHeap, indices: Int32Array, data: Float32Array, at: number): number {
  const m = heap.drainSorted(data, indices, at)
  const ids = indices.subarray(at, at + m)
  const sims = data.subarray(at, at + m)
  const order = Array.from(ids.keys()).sort((a, b) => ids[a] - ids[b])
  const sortedIds = order.map((o) => ids[o])
  const sortedSims = order.map((o) => -sims[o])
  ids.set(sortedIds)
  sims.set(sortedSims)
  return m
}
