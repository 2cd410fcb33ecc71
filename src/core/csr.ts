import { SegueError } from './errors.js'

/**
 * A sparse matrix in compressed sparse row form: row r's entries are indices/data[indptr[r] .. indptr[r+1]),
 * column indices sorted ascending within each row, no duplicates.
 */
export interface Csr {
  readonly rows: number
  readonly cols: number
  readonly indptr: Int32Array
  readonly indices: Int32Array
  readonly data: Float32Array
}

/**
 * Builds a CSR matrix from coordinate triples; repeated (row, col) pairs are summed, in input order. Entries are
 * bucketed by row (one pass), then each row is put in column order by a native sort of packed numeric keys
 * (column, then input position, so the order is stable): a per-row comparison sort over boxed indices cost
 * more than everything else at millions of entries.
 */
export function csrFromTriples(rows: number, cols: number, r: ArrayLike<number>, c: ArrayLike<number>, v: ArrayLike<number>): Csr {
  const n = r.length
  if (c.length !== n || v.length !== n) throw new SegueError('E_BAD_ARGUMENT', 'row, column and value arrays differ in length')
  const counts = new Int32Array(rows + 1)
  for (let i = 0; i < n; i++) {
    if (r[i] < 0 || r[i] >= rows || c[i] < 0 || c[i] >= cols) {
      throw new SegueError('E_BAD_ARGUMENT', `entry ${i} (${r[i]}, ${c[i]}) lies outside a ${rows} x ${cols} matrix`)
    }
    counts[r[i] + 1]++
  }
  for (let i = 0; i < rows; i++) counts[i + 1] += counts[i]
  const fill = counts.slice(0, rows)
  const byRow = { indices: new Int32Array(n), data: new Float32Array(n) }
  for (let i = 0; i < n; i++) {
    const at = fill[r[i]]++
    byRow.indices[at] = c[i]
    byRow.data[at] = v[i]
  }
  return sortAndMerge(rows, cols, counts, byRow.indices, byRow.data)
}

/** Sorts each row by column (stably) and sums repeated columns in their input order, into new arrays. */
function sortAndMerge(rows: number, cols: number, indptr: Int32Array, cs: Int32Array, vs: Float32Array): Csr {
  const outPtr = new Int32Array(rows + 1)
  const indices = new Int32Array(cs.length)
  const data = new Float32Array(cs.length)
  let keys = new Float64Array(0)
  let w = 0
  const put = (col: number, value: number, first: number): void => {
    if (w > first && indices[w - 1] === col) data[w - 1] += value
    else {
      indices[w] = col
      data[w++] = value
    }
  }
  for (let row = 0; row < rows; row++) {
    const start = indptr[row], end = indptr[row + 1], len = end - start, first = w
    if (isSorted(cs, start, end)) {
      for (let p = start; p < end; p++) put(cs[p], vs[p], first)
    } else {
      if (keys.length < len) keys = new Float64Array(Math.max(len, keys.length * 2))
      // col * len + position is exact in a double (cols * len < 2^53) and sorts by column, then input order.
      for (let j = 0; j < len; j++) keys[j] = cs[start + j] * len + j
      const sorted = keys.subarray(0, len).sort()
      for (let q = 0; q < len; q++) {
        const j = sorted[q] % len
        put(cs[start + j], vs[start + j], first)
      }
    }
    outPtr[row + 1] = w
  }
  return { rows, cols, indptr: outPtr, indices: w === cs.length ? indices : indices.slice(0, w), data: w === cs.length ? data : data.slice(0, w) }
}

function isSorted(a: Int32Array, start: number, end: number): boolean {
  for (let p = start + 1; p < end; p++) if (a[p] < a[p - 1]) return false
  return true
}

export function transpose(m: Csr): Csr {
  const counts = new Int32Array(m.cols + 1)
  for (let i = 0; i < m.indices.length; i++) counts[m.indices[i] + 1]++
  for (let c = 0; c < m.cols; c++) counts[c + 1] += counts[c]
  const fill = counts.slice(0, m.cols)
  const indices = new Int32Array(m.indices.length)
  const data = new Float32Array(m.indices.length)
  for (let r = 0; r < m.rows; r++) {
    for (let p = m.indptr[r]; p < m.indptr[r + 1]; p++) {
      const at = fill[m.indices[p]]++
      indices[at] = r
      data[at] = m.data[p]
    }
  }
  return { rows: m.cols, cols: m.rows, indptr: counts, indices, data }
}

/** Column indices of one row (a view, not a copy). */
export function rowIndices(m: Csr, row: number): Int32Array {
  return m.indices.subarray(m.indptr[row], m.indptr[row + 1])
}

/** Values of one row (a view, not a copy). */
export function rowData(m: Csr, row: number): Float32Array {
  return m.data.subarray(m.indptr[row], m.indptr[row + 1])
}

export function nnz(m: Csr): number {
  return m.indptr[m.rows]
}

/** Where entry (row, col) sits in indices/data, or -1 when it is absent (binary search: rows are sorted). */
export function findEntry(m: Csr, row: number, col: number): number {
  let lo = m.indptr[row]
  let hi = m.indptr[row + 1] - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (m.indices[mid] < col) lo = mid + 1
    else if (m.indices[mid] > col) hi = mid - 1
    else return mid
  }
  return -1
}
