import type { Csr } from '../../core/csr.js'

/** A copy of `m` with each row scaled to unit L2 length; empty or all-zero rows stay zero (never NaN). */
export function l2NormalizeRows(m: Csr): Csr {
  const data = new Float32Array(m.data.length)
  for (let r = 0; r < m.rows; r++) {
    let sum = 0
    for (let p = m.indptr[r]; p < m.indptr[r + 1]; p++) sum += m.data[p] * m.data[p]
    const inv = sum > 0 ? 1 / Math.sqrt(sum) : 0
    for (let p = m.indptr[r]; p < m.indptr[r + 1]; p++) data[p] = m.data[p] * inv
  }
  return { ...m, data }
}
