import type { Csr } from '../core/csr.js'
import type { Interactions } from '../data/interactions.js'

/** A train/test split of one interaction set. Both halves share the same IdMaps, so dense ids agree. */
export interface Split {
  train: Interactions
  test: Interactions
}

/**
 * Splits `data` entry by entry: entry p (a position in matrix.indices) goes to test when `toTest(p)` holds,
 * else to train. Both halves keep the full users x items shape and the same IdMap objects, so a model fitted
 * on train can be asked about any test user or item by the same dense id. Filtering a CSR row keeps its column
 * order, so no re-sorting is needed.
 */
export function partition(data: Interactions, toTest: (entry: number) => boolean): Split {
  const mask = new Uint8Array(data.matrix.indices.length)
  for (let p = 0; p < mask.length; p++) mask[p] = toTest(p) ? 1 : 0
  return { train: keepEntries(data, mask, 0), test: keepEntries(data, mask, 1) }
}

/**
 * The entries of `data` whose mask value equals `want`, as a new Interactions over the same id maps. Plain
 * loops: TypedArray.from with a map function iterates generically (0.4 s of a
 * `segue evaluate` on HetRec in a profile on a loaded machine).
 */
function keepEntries(data: Interactions, mask: Uint8Array, want: number): Interactions {
  const m = data.matrix
  let kept = 0
  for (let p = 0; p < mask.length; p++) if (mask[p] === want) kept++
  const indptr = new Int32Array(m.rows + 1)
  const indices = new Int32Array(kept)
  const values = new Float32Array(kept)
  const times = data.times ? new Float64Array(kept) : undefined
  let q = 0
  for (let r = 0; r < m.rows; r++) {
    for (let p = m.indptr[r]; p < m.indptr[r + 1]; p++) {
      if (mask[p] !== want) continue
      indices[q] = m.indices[p]
      values[q] = m.data[p]
      if (times) times[q] = data.times![p]
      q++
    }
    indptr[r + 1] = q
  }
  const matrix: Csr = { rows: m.rows, cols: m.cols, indptr, indices, data: values }
  return { users: data.users, items: data.items, matrix, times, kind: data.kind }
}

/** Entry positions of one user's row, as plain numbers (handy for shuffling). */
export function rowPositions(m: Csr, row: number): number[] {
  const out: number[] = []
  for (let p = m.indptr[row]; p < m.indptr[row + 1]; p++) out.push(p)
  return out
}
