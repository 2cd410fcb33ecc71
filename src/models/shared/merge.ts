import { csrFromTriples, type Csr } from '../../core/csr.js'
import { SegueError } from '../../core/errors.js'
import type { Interactions } from '../../data/interactions.js'

/**
 * Folds a batch into what a model already learnt from, for partialFit. The batch shares the id maps of the
 * first fit (possibly grown since), so its matrix may be larger; implicit values add up (more plays),
 * explicit ratings in the batch replace the old ones.
 */
export function mergeInteractions(old: Interactions | undefined, batch: Interactions, model: string): Interactions {
  if (!old) return batch
  if (batch.users.size < old.users.size || batch.items.size < old.items.size) {
    throw new SegueError('E_BAD_ARGUMENT', `${model}: partialFit needs a batch built with the id maps the model was fitted with (or grown from them)`)
  }
  const a = old.matrix
  const b = batch.matrix
  const rows = Math.max(a.rows, b.rows)
  const cols = Math.max(a.cols, b.cols)
  const keepOld = batch.kind === 'explicit' ? (r: number, c: number) => !hasEntry(b, r, c) : () => true
  const r: number[] = []
  const c: number[] = []
  const v: number[] = []
  appendEntries(a, keepOld, r, c, v)
  appendEntries(b, () => true, r, c, v)
  // Timestamps are dropped: models do not use them, and aligning them across a merge is the reader's job.
  return { users: batch.users, items: batch.items, kind: old.kind, matrix: csrFromTriples(rows, cols, r, c, v) }
}

function appendEntries(m: Csr, keep: (r: number, c: number) => boolean, r: number[], c: number[], v: number[]): void {
  for (let row = 0; row < m.rows; row++) {
    for (let p = m.indptr[row]; p < m.indptr[row + 1]; p++) {
      if (!keep(row, m.indices[p])) continue
      r.push(row)
      c.push(m.indices[p])
      v.push(m.data[p])
    }
  }
}

function hasEntry(m: Csr, row: number, col: number): boolean {
  if (row >= m.rows) return false
  for (let p = m.indptr[row]; p < m.indptr[row + 1]; p++) if (m.indices[p] === col) return true
  return false
}
