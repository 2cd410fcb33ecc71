import { Rng } from '../../src/core/rng.js'
import type { RawInteraction } from '../../src/data/interactions.js'
import { syntheticCsr, type SyntheticShape } from './synthetic-interactions.js'

/**
 * The synthetic listening data of syntheticCsr (power-law item popularity, exponential history lengths,
 * geometric play counts) as the public API takes it: raw events with string ids, in a seeded shuffled order
 * (a log interleaves listeners; it is not sorted by user). Each id string is made once and shared, as a
 * reader that interns ids would.
 */
export function syntheticEvents(shape: SyntheticShape): RawInteraction[] {
  const m = syntheticCsr(shape)
  const users = Array.from({ length: m.rows }, (_, u) => `user-${u}`)
  const items = Array.from({ length: m.cols }, (_, i) => `track-${i}`)
  const n = m.indices.length
  const rowOf = new Int32Array(n)
  for (let u = 0; u < m.rows; u++) rowOf.fill(u, m.indptr[u], m.indptr[u + 1])
  const order = shuffled(n, new Rng(shape.seed + 1))
  const events = new Array<RawInteraction>(n)
  for (let e = 0; e < n; e++) {
    const p = order[e]
    events[e] = { user: users[rowOf[p]], item: items[m.indices[p]], value: m.data[p] }
  }
  return events
}

/** 0..n-1 in a seeded Fisher-Yates order. */
function shuffled(n: number, rng: Rng): Int32Array {
  const a = Int32Array.from({ length: n }, (_, i) => i)
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1))
    const t = a[i]
    a[i] = a[j]
    a[j] = t
  }
  return a
}
