import { buildInteractions, type Interactions, type RawInteraction } from '../../src/data/interactions.js'
import { Rng } from '../../src/core/rng.js'

/**
 * `implicit`'s checkerboard: user u played item i (plays 1 + (u + i) % 3) when u and i have the same parity,
 * except the diagonal u = i, which is withheld. A model that learns the two taste groups must put item u first
 * among user u's unplayed items. Users and items are numbered so that dense id = the number.
 */
export function checkerboard(n: number): Interactions {
  const events: RawInteraction[] = []
  for (let u = 0; u < n; u++) events.push({ user: `u${u}`, item: `i${u}`, value: 0 })
  for (let u = 0; u < n; u++) {
    for (let i = 0; i < n; i++) if (u !== i && (u + i) % 2 === 0) events.push({ user: `u${u}`, item: `i${i}`, value: 1 + ((u + i) % 3) })
  }
  // The zero-valued diagonal events fixed the numbering; drop them from the matrix.
  const data = buildInteractions(events, 'implicit')
  return withoutZeros(data)
}

function withoutZeros(d: Interactions): Interactions {
  const m = d.matrix
  const indptr = new Int32Array(m.rows + 1)
  const keep: number[] = []
  for (let r = 0; r < m.rows; r++) {
    for (let p = m.indptr[r]; p < m.indptr[r + 1]; p++) if (m.data[p] !== 0) keep.push(p)
    indptr[r + 1] = keep.length
  }
  const matrix = { rows: m.rows, cols: m.cols, indptr, indices: Int32Array.from(keep, (p) => m.indices[p]), data: Float32Array.from(keep, (p) => m.data[p]) }
  return { ...d, matrix }
}

/** Random plays: `users` x `items`, about `perUser` items each, seeded. */
export function randomPlays(users: number, items: number, perUser: number, seed: number): Interactions {
  const rng = new Rng(seed)
  const events: RawInteraction[] = []
  for (let u = 0; u < users; u++) events.push({ user: `u${u}`, item: `i${u % items}`, value: 1 })
  for (let i = 0; i < items; i++) events.push({ user: `u${i % users}`, item: `i${i}`, value: 1 })
  for (let u = 0; u < users; u++) {
    for (let e = 0; e < perUser; e++) events.push({ user: `u${u}`, item: `i${Math.floor(rng.next() ** 2 * items)}`, value: 1 + rng.int(5) })
  }
  return buildInteractions(events, 'implicit')
}
