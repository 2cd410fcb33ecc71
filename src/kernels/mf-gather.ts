import type { SharedCsr } from './mf-pool.js'

/** Rows `ids` of a row-major matrix (k wide), packed one after another. */
export function gatherRows(x: Float32Array, ids: Int32Array, k: number): Float32Array {
  const out = new Float32Array(ids.length * k)
  ids.forEach((id, a) => out.set(x.subarray(id * k, id * k + k), a * k))
  return out
}

/**
 * The seen lists of users `ids` as a compact CSR (ptr, list). With `pos` (item -> row position when the item
 * rows are stored in another order) the lists hold positions, re-sorted, as the kernels want them.
 */
export function gatherSeen(seen: SharedCsr | null, ids: Int32Array, pos?: Int32Array): [Int32Array, Int32Array] {
  const ptr = new Int32Array(ids.length + 1)
  if (!seen) return [ptr, new Int32Array(0)]
  ids.forEach((id, a) => (ptr[a + 1] = ptr[a] + seen.indptr[id + 1] - seen.indptr[id]))
  const out = new Int32Array(ptr[ids.length])
  ids.forEach((id, a) => {
    const row = seen.indices.subarray(seen.indptr[id], seen.indptr[id + 1])
    const at = out.subarray(ptr[a], ptr[a + 1])
    if (!pos) at.set(row)
    else {
      for (let e = 0; e < row.length; e++) at[e] = pos[row[e]]
      at.sort()
    }
  })
  return [ptr, out]
}
