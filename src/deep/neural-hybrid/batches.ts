import type { Csr } from '../../core/csr.js'
import { Rng } from '../../core/rng.js'
import type { ListBatch } from './network.js'

/**
 * Candidate lists for ListNet. Each user's training items are shuffled per epoch and cut into lists of up to
 * `positives` items; each list is filled to positives + negatives candidates with items the user never played,
 * drawn uniformly. The user's other items (not the list's positives) form the pooled history, so the model
 * learns to predict held-back items from the rest, exactly what it does for a listener at serving time.
 */
export interface ListConfig {
  positives: number
  negatives: number
  historyCap: number
  batch: number
  userDropout: number
  itemDropout: number
  fields: number
}

/** Per-user training items (sorted), after the validation hold-out. */
export interface UserItems {
  items: Int32Array[]
  /** Every item each user played (training and validation): never drawn as a negative. */
  seen: Int32Array[]
  itemCount: number
  userCodes: Int32Array
}

/** Tries before a negative may be an item the user played (a user who played nearly everything). */
const NEGATIVE_TRIES = 20

export function listsOf(u: UserItems, positives: number): number {
  let n = 0
  for (const row of u.items) n += Math.ceil(row.length / positives)
  return n
}

/** The epoch's batches, generated lazily from (seed, epoch). */
export function* epochBatches(u: UserItems, cfg: ListConfig, seed: number, epoch: number): Generator<ListBatch> {
  const rng = new Rng(mix(seed, epoch))
  const lists: { user: number; chunk: Int32Array; rest: Int32Array }[] = []
  u.items.forEach((row, user) => {
    if (row.length === 0) return
    const order = shuffle(Int32Array.from(row), rng)
    for (let s = 0; s < order.length; s += cfg.positives) {
      const chunk = order.subarray(s, Math.min(order.length, s + cfg.positives))
      const rest = new Int32Array(order.length - chunk.length)
      rest.set(order.subarray(0, s))
      rest.set(order.subarray(s + chunk.length), s)
      lists.push({ user, chunk, rest })
    }
  })
  shuffleArray(lists, rng)
  for (let s = 0; s < lists.length; s += cfg.batch) {
    yield assemble(lists.slice(s, s + cfg.batch), u, cfg, rng, true)
  }
}

/** A batch from explicit lists: positives, the history to pool, and (optionally) fixed negatives. */
export function assemble(
  lists: { user: number; chunk: ArrayLike<number>; rest: ArrayLike<number>; negatives?: ArrayLike<number> }[],
  u: UserItems,
  cfg: ListConfig,
  rng: Rng,
  dropout: boolean,
): ListBatch {
  if (cfg.negatives === 0) return assembleFull(lists, u, cfg, rng, dropout)
  const C = cfg.positives + cfg.negatives
  const L = cfg.historyCap
  const b = emptyBatch(lists.length, C, L, cfg.fields)
  const slotOf = new Map<number, number>()
  const uniques: number[] = []
  const slot = (item: number) => {
    let s = slotOf.get(item)
    if (s === undefined) slotOf.set(item, (s = uniques.push(item) - 1))
    return s
  }
  lists.forEach((list, r) => {
    b.users[r] = list.user
    b.userKeep[r] = dropout && rng.next() < cfg.userDropout ? 0 : 1
    b.codes.set(u.userCodes.subarray(list.user * cfg.fields, (list.user + 1) * cfg.fields), r * cfg.fields)
    fillHistory(b, r, list.rest, L, rng)
    const seen = u.seen[list.user]
    const P = Math.min(list.chunk.length, C)
    for (let c = 0; c < C; c++) {
      const item = c < P ? list.chunk[c] : list.negatives ? list.negatives[c - P] : negative(seen, u.itemCount, rng)
      b.slots[r * C + c] = slot(item)
      b.targets[r * C + c] = c < P ? 1 / P : 0
    }
  })
  b.unique = Int32Array.from(uniques)
  b.itemKeep = Float32Array.from(uniques, () => (dropout && rng.next() < cfg.itemDropout ? 0 : 1))
  return b
}

/** Played items other than the list's positives are masked out of a full list's softmax by this much. */
const MASK = -1e4

/**
 * negatives = 0: every item is a candidate (a full softmax, as Mult-VAE trains), the user's other played items
 * masked out, so each list learns against the whole catalogue rather than a sample of it.
 */
function assembleFull(lists: Parameters<typeof assemble>[0], u: UserItems, cfg: ListConfig, rng: Rng, dropout: boolean): ListBatch {
  const C = u.itemCount
  const b = emptyBatch(lists.length, C, cfg.historyCap, cfg.fields)
  b.full = true
  b.mask = new Float32Array(lists.length * C)
  b.slots = new Int32Array(0)
  lists.forEach((list, r) => {
    b.users[r] = list.user
    b.userKeep[r] = dropout && rng.next() < cfg.userDropout ? 0 : 1
    b.codes.set(u.userCodes.subarray(list.user * cfg.fields, (list.user + 1) * cfg.fields), r * cfg.fields)
    fillHistory(b, r, list.rest, cfg.historyCap, rng)
    for (const item of u.seen[list.user]) b.mask[r * C + item] = MASK
    const P = Math.min(list.chunk.length, C)
    for (let c = 0; c < P; c++) {
      b.mask[r * C + list.chunk[c]] = 0
      b.targets[r * C + list.chunk[c]] = 1 / P
    }
  })
  b.unique = Int32Array.from({ length: C }, (_, i) => i)
  b.itemKeep = Float32Array.from(b.unique, () => (dropout && rng.next() < cfg.itemDropout ? 0 : 1))
  return b
}

function emptyBatch(lists: number, C: number, L: number, fields: number): ListBatch {
  return {
    full: false,
    mask: new Float32Array(0),
    lists,
    candidates: C,
    users: new Int32Array(lists),
    userKeep: new Float32Array(lists),
    history: new Int32Array(lists * L),
    historyWeight: new Float32Array(lists * L),
    historyCap: L,
    codes: new Int32Array(lists * fields),
    unique: new Int32Array(0),
    itemKeep: new Float32Array(0),
    slots: new Int32Array(lists * C),
    targets: new Float32Array(lists * C),
  }
}

/** Up to L of `rest` (a random subset when longer), each weighted 1/count. */
function fillHistory(b: ListBatch, r: number, rest: ArrayLike<number>, L: number, rng: Rng): void {
  const take = Math.min(L, rest.length)
  const picked = rest.length > L ? shuffle(Int32Array.from(rest), rng).subarray(0, L) : rest
  for (let k = 0; k < take; k++) {
    b.history[r * L + k] = picked[k]
    b.historyWeight[r * L + k] = 1 / take
  }
}

/** A uniform item the user did not play (sorted `seen`), or any item after NEGATIVE_TRIES. */
export function negative(seen: Int32Array, items: number, rng: Rng): number {
  let item = rng.int(items)
  for (let t = 0; t < NEGATIVE_TRIES && contains(seen, item); t++) item = rng.int(items)
  return item
}

function contains(sorted: Int32Array, x: number): boolean {
  let lo = 0
  let hi = sorted.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (sorted[mid] === x) return true
    if (sorted[mid] < x) lo = mid + 1
    else hi = mid - 1
  }
  return false
}

/** Splits each user's items into training and validation (users with at least `minItems`). */
export function holdOut(m: Csr, fraction: number, minItems: number, rng: Rng): { train: Int32Array[]; valid: Int32Array[] } {
  const train: Int32Array[] = []
  const valid: Int32Array[] = []
  for (let u = 0; u < m.rows; u++) {
    const row = Int32Array.from(m.indices.subarray(m.indptr[u], m.indptr[u + 1]))
    const take = fraction > 0 && row.length >= minItems ? Math.max(1, Math.round(fraction * row.length)) : 0
    const order = shuffle(Int32Array.from(row), rng)
    valid.push(order.slice(0, take).sort())
    train.push(order.slice(take).sort())
  }
  return { train, valid }
}

function shuffle(a: Int32Array, rng: Rng): Int32Array {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    const t = a[i]
    a[i] = a[j]
    a[j] = t
  }
  return a
}

function shuffleArray<T>(a: T[], rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    ;[a[i], a[j]] = [a[j], a[i]]
  }
}

function mix(seed: number, epoch: number): number {
  return (Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca6b)) >>> 0
}
