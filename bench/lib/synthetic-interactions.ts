import type { Csr } from '../../src/core/csr.js'
import { IdMap } from '../../src/core/ids.js'
import { Rng } from '../../src/core/rng.js'
import type { Interactions } from '../../src/data/interactions.js'

export interface SyntheticShape {
  users: number
  items: number
  /** Interactions wanted; the result has somewhat fewer, as repeated (user, item) draws merge. */
  interactions: number
  seed: number
}

/**
 * Seeded implicit data shaped like listening logs: item popularity follows a power law (item i drawn with
 * probability roughly ∝ 1/(i + 1)^0.9, so a few hits take much of the traffic and a long tail is played rarely),
 * users' history lengths vary (exponential around the mean), and play counts are 1 + a geometric count.
 *
 * The CSR is written directly, one user at a time with that user's items sorted in place, instead of through
 * csrFromTriples, whose per-row Array.sort with boxed indices takes minutes at 17 million entries.
 */
export function syntheticInteractions(shape: SyntheticShape): Interactions {
  const matrix = syntheticCsr(shape)
  const users = IdMap.from(Array.from({ length: shape.users }, (_, u) => `u${u}`))
  const items = IdMap.from(Array.from({ length: shape.items }, (_, i) => `i${i}`))
  return { users, items, matrix, kind: 'implicit' }
}

export function syntheticCsr({ users, items, interactions, seed }: SyntheticShape): Csr {
  const rng = new Rng(seed)
  const mean = interactions / users
  const lengths = Int32Array.from({ length: users }, () => Math.max(1, Math.min(items, Math.round(-Math.log(1 - rng.next()) * mean))))
  const capacity = lengths.reduce((a, b) => a + b, 0)
  const indices = new Int32Array(capacity)
  const data = new Float32Array(capacity)
  const indptr = new Int32Array(users + 1)
  const draw = powerLawSampler(items, 0.9)
  const row = new Int32Array(items)
  let w = 0
  for (let u = 0; u < users; u++) {
    const n = lengths[u]
    for (let e = 0; e < n; e++) row[e] = draw(rng.next())
    const sorted = row.subarray(0, n).sort()
    for (let e = 0; e < n; e++) {
      if (e > 0 && sorted[e] === sorted[e - 1]) data[w - 1] += 1
      else {
        indices[w] = sorted[e]
        data[w++] = 1 + Math.floor(-Math.log(1 - rng.next()) * 3)
      }
    }
    indptr[u + 1] = w
  }
  return { rows: users, cols: items, indptr, indices: indices.slice(0, w), data: data.slice(0, w) }
}

/**
 * Maps a uniform number to an item with P(i) ∝ (i + 1)^-s, through the inverse of the continuous CDF
 * (exact enough for a benchmark; items are then shuffled by a fixed stride so popularity is not id order).
 */
function powerLawSampler(items: number, s: number): (u: number) => number {
  const a = 1 - s
  const top = Math.pow(items + 1, a) - 1
  const stride = coprimeStride(items)
  return (u) => {
    const i = Math.min(items - 1, Math.floor(Math.pow(1 + u * top, 1 / a) - 1))
    return (i * stride) % items
  }
}

function coprimeStride(n: number): number {
  let s = Math.floor(n * 0.618) | 1
  while (gcd(s, n) !== 1) s += 2
  return s
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b)
}
