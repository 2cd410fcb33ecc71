import type { Rng } from '../core/rng.js'

/** The row holding entry e of a CSR matrix (binary search over indptr). */
export function rowOfEntry(indptr: Int32Array, rows: number, e: number): number {
  let lo = 0
  let hi = rows - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (indptr[mid] <= e) lo = mid
    else hi = mid - 1
  }
  return lo
}

/** Whether sorted indices[p0 .. p1) contain `col`. */
export function rowHas(indices: Int32Array, p0: number, p1: number, col: number): boolean {
  let lo = p0
  let hi = p1 - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const c = indices[mid]
    if (c < col) lo = mid + 1
    else if (c > col) hi = mid - 1
    else return true
  }
  return false
}

/**
 * Fills `out` with up to `count` BPR triples (u, i, j): (u, i) uniform over the observed entries, so active
 * users are sampled in proportion to their plays (as `implicit` does), and j uniform over the items u has not
 * played. A draw whose negative keeps landing on played items is dropped. Returns the number written.
 */
export function sampleTriples(
  indptr: Int32Array, indices: Int32Array, rows: number, cols: number, rng: Rng, count: number, out: Int32Array,
): number {
  const nnz = indptr[rows]
  let w = 0
  for (let s = 0; s < count; s++) {
    const e = Math.floor(rng.next() * nnz)
    const u = rowOfEntry(indptr, rows, e)
    const p0 = indptr[u], p1 = indptr[u + 1]
    let j = -1
    for (let tries = 0; tries < 8 && j < 0; tries++) {
      const cand = Math.floor(rng.next() * cols)
      if (!rowHas(indices, p0, p1, cand)) j = cand
    }
    if (j < 0) continue
    out[3 * w] = u
    out[3 * w + 1] = indices[e]
    out[3 * w + 2] = j
    w++
  }
  return w
}
