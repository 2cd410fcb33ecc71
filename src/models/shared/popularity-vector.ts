import type { Csr } from '../../core/csr.js'

/** Users per item (distinct listeners, not plays): the popularity ranking and every model's backfill. */
export function itemPopularity(m: Csr): Float32Array {
  const counts = new Float32Array(m.cols)
  for (let p = 0; p < m.indptr[m.rows]; p++) if (m.data[p] > 0) counts[m.indices[p]]++
  return counts
}
