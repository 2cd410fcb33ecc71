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
 * Builds a CSR matrix from coordinate triples; repeated (row, col) pairs are summed, in input order. Two stable
 * counting sorts (by column, then by row) put each row's entries in column order in O(nnz + rows + cols), with
 * no per-row comparison sort: at millions of entries that sort (boxed indices) cost more than everything else.
 */
export function csrFromTriples(rows: number, cols: number, r: ArrayLike<number>, c: ArrayLike<number>, v: ArrayLike<number>): Csr {
  const n = r.length
  if (c.length !== n || v.length !== n) throw new SegueError('E_BAD_ARGUMENT', 'row, column and value arrays differ in length')
  for (let i = 0; i < n; i++) {
    if (r[i] < 0 || r[i] >= rows || c[i] < 0 || c[i] >= cols) {
      throw new SegueError('E_BAD_ARGUMENT', `entry ${i} (${r[i]}, ${c[i]}) lies outside a ${rows} x ${cols} matrix`)
    }
  }
  // By column first (input order kept within a column), then by row: rows come out sorted by column, and
  // repeated pairs stay in input order, so they are summed in the order they were given.
  const byCol = countingSort(cols, n, (i) => c[i])
  const byRow = countingSort(rows, n, (a) => r[byCol.order[a]])
  const indptr = byRow.starts
  const indices = new Int32Array(n)
  const data = new Float32Array(n)
  for (let a = 0; a < n; a++) {
    const i = byCol.order[byRow.order[a]]
    indices[a] = c[i]
    data[a] = v[i]
  }
  return mergeRepeats(rows, cols, indptr, indices, data)
}

/**
 * A stable counting sort of n entries by key(entry) in [0, keys): order lists the entries by key, and
 * starts[key] is where that key's run begins (starts[keys] = n).
 */
function countingSort(keys: number, n: number, key: (i: number) => number): { order: Int32Array; starts: Int32Array } {
  const starts = new Int32Array(keys + 1)
  for (let i = 0; i < n; i++) starts[key(i) + 1]++
  for (let q = 0; q < keys; q++) starts[q + 1] += starts[q]
  const fill = starts.slice(0, keys)
  const order = new Int32Array(n)
  for (let i = 0; i < n; i++) order[fill[key(i)]++] = i
  return { order, starts }
}

/** Sums runs of a repeated column within each (sorted) row, compacting the arrays. */
function mergeRepeats(rows: number, cols: number, indptr: Int32Array, indices: Int32Array, data: Float32Array): Csr {
  const outPtr = new Int32Array(rows + 1)
  let w = 0
  for (let row = 0; row < rows; row++) {
    const first = w
    for (let p = indptr[row]; p < indptr[row + 1]; p++) {
      if (w > first && indices[p] === indices[w - 1]) data[w - 1] += data[p]
      else {
        indices[w] = indices[p]
        data[w] = data[p]
        w++
      }
    }
    outPtr[row + 1] = w
  }
  return { rows, cols, indptr: outPtr, indices: w === indices.length ? indices : indices.slice(0, w), data: w === data.length ? data : data.slice(0, w) }
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
