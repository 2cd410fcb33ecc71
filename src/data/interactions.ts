import type { Csr } from '../core/csr.js'
import { SegueError } from '../core/errors.js'
import { IdMap } from '../core/ids.js'

/** One listening event or rating as read from a file, raw ids. */
export interface RawInteraction {
  user: string
  item: string
  /** Play count, rating, or 1 for a bare event. */
  value: number
  /** Unix seconds, where the source has it. */
  time?: number
}

/**
 * Interactions ready for learning: a users x items CSR of values (play counts summed, or ratings), the id
 * maps that convert raw ids at the edges, and per-entry timestamps (latest event) where the source had them.
 */
export interface Interactions {
  readonly users: IdMap
  readonly items: IdMap
  readonly matrix: Csr
  /** Aligned with matrix.indices/data; NaN where unknown. Absent when no source timestamps. */
  readonly times?: Float64Array
  /** 'implicit' for play counts / events, 'explicit' for ratings. */
  readonly kind: 'implicit' | 'explicit'
}

/**
 * Builds Interactions from raw events. Repeated (user, item) pairs: implicit values are summed (more plays),
 * explicit ratings keep the latest. Pass existing id maps to keep numbering shared with another set (train and
 * test of one split must share them).
 *
 * Built for tens of millions of events (bench/interactions.bench.ts): raw ids are numbered by a hash table over
 * typed arrays, looked up a block of events at a time so that the cache misses of a block overlap (a Map lookup
 * per id waits on about three misses in a row); the CSR comes from a bucketing by row and a stable sort of each
 * row by column; scratch space is on a SharedArrayBuffer (see workArrays). Ids are numbered in first-seen order
 * and repeated pairs summed in float32 in input order, so the result is bit for bit what a per-event IdMap.add
 * and csrFromTriples give (test/data/interactions-build.test.ts holds it to that).
 */
export function buildInteractions(
  events: readonly RawInteraction[],
  kind: 'implicit' | 'explicit',
  maps: { users?: IdMap; items?: IdMap } = {},
): Interactions {
  const users = maps.users ?? new IdMap()
  const items = maps.items ?? new IdMap()
  const latest = kind === 'explicit' ? keepLatest(events) : events
  const n = latest.length
  const timed = latest.some((e) => e.time !== undefined)
  const work = workArrays(n, timed)
  numberEvents(latest, users, items, work.r, work.c, work.v)
  const { matrix, entryOf } = csrOfEvents(users.size, items.size, work)
  const times = timed ? alignTimes(matrix, latest, entryOf!) : undefined
  return { users, items, matrix, times, kind }
}

function keepLatest(events: readonly RawInteraction[]): RawInteraction[] {
  const byPair = new Map<string, RawInteraction>()
  for (const e of events) {
    const key = `${e.user}\u0000${e.item}`
    const old = byPair.get(key)
    if (!old || (e.time ?? 0) >= (old.time ?? 0)) byPair.set(key, e)
  }
  return [...byPair.values()]
}

/** Events looked up per block: small enough that a block's strings and table slots stay in cache. */
const BLOCK = 256

/**
 * Dense user and item ids of every event into r and c (ids new to the maps are added to them in first-seen
 * order, as IdMap.add per event would), values into v.
 */
function numberEvents(events: readonly RawInteraction[], users: IdMap, items: IdMap, r: Int32Array, c: Int32Array, v: Float32Array): void {
  const userIds = new Interner(users.rawIds())
  const itemIds = new Interner(items.rawIds())
  const us: string[] = new Array<string>(BLOCK).fill('')
  const is: string[] = new Array<string>(BLOCK).fill('')
  const hu = new Int32Array(BLOCK)
  const hi = new Int32Array(BLOCK)
  const n = events.length
  for (let start = 0; start < n; start += BLOCK) {
    const size = Math.min(BLOCK, n - start)
    // A pass of independent loads (typeof reads each string's header), so the strings' misses overlap.
    for (let k = 0; k < size; k++) {
      const e = events[start + k]
      const user = e.user
      const item = e.item
      if (typeof user !== 'string' || typeof item !== 'string') throw badId(start + k, e)
      us[k] = user
      is[k] = item
      v[start + k] = e.value
    }
    for (let k = 0; k < size; k++) {
      hu[k] = hashString(us[k])
      hi[k] = hashString(is[k])
    }
    userIds.lookUp(us, hu, size, r, start)
    itemIds.lookUp(is, hi, size, c, start)
  }
  userIds.addNewTo(users)
  itemIds.addNewTo(items)
}

function badId(index: number, e: RawInteraction): SegueError {
  const what = typeof e.user !== 'string' ? `user ${describe(e.user)}` : `item ${describe(e.item)}`
  return new SegueError('E_BAD_ARGUMENT', `event ${index}: ids must be strings, got ${what}`)
}

function describe(x: unknown): string {
  return typeof x === 'number' ? `the number ${x}` : String(x)
}

/** FNV-1a over the UTF-16 code units, then murmur3's finaliser so the low bits (the table index) mix well. */
function hashString(s: string): number {
  let h = 0x811c9dc5 | 0
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return h ^ (h >>> 16)
}

/**
 * Strings to dense ids 0..size-1 in first-seen order, starting from an IdMap's ids: an open-addressing table
 * of (hash, id + 1) pairs in one Int32Array, the strings themselves in `ids` to confirm a match.
 */
class Interner {
  readonly ids: string[]
  private readonly known: number
  private slots: Int32Array
  private mask: number

  constructor(existing: readonly string[]) {
    this.ids = existing.slice()
    this.known = existing.length
    // At most half full; the table doubles as ids come.
    let capacity = 1024
    while (capacity < 2 * existing.length) capacity *= 2
    this.slots = new Int32Array(2 * capacity)
    this.mask = capacity - 1
    for (let d = 0; d < existing.length; d++) this.place(hashString(existing[d]), d)
  }

  /** out[at + k] = the id of strs[k] for k < size, adding strings not seen before; hs holds their hashes. */
  lookUp(strs: string[], hs: Int32Array, size: number, out: Int32Array, at: number): void {
    const slots = this.slots
    const mask = this.mask
    const ids = this.ids
    // First probe of every string in a loop of independent loads; a hit is confirmed against the stored string.
    for (let k = 0; k < size; k++) {
      const p = 2 * (hs[k] & mask)
      out[at + k] = slots[p] === hs[k] ? slots[p + 1] - 1 : -1
    }
    for (let k = 0; k < size; k++) {
      const d = out[at + k]
      if (d < 0 || ids[d] !== strs[k]) out[at + k] = this.find(strs[k], hs[k])
    }
  }

  /** The id of s (hash h), added when new: the slow path of a full probe. */
  private find(s: string, h: number): number {
    const slots = this.slots
    const mask = this.mask
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const d = slots[2 * i + 1] - 1
      if (d < 0) break
      if (slots[2 * i] === h && this.ids[d] === s) return d
    }
    const d = this.ids.length
    this.ids.push(s)
    this.place(h, d)
    return d
  }

  private place(h: number, d: number): void {
    if (2 * (d + 1) > this.mask + 1) this.grow()
    const slots = this.slots
    const mask = this.mask
    let i = h & mask
    while (slots[2 * i + 1] !== 0) i = (i + 1) & mask
    slots[2 * i] = h
    slots[2 * i + 1] = d + 1
  }

  private grow(): void {
    const old = this.slots
    this.mask = 2 * (this.mask + 1) - 1
    this.slots = new Int32Array(2 * (this.mask + 1))
    for (let p = 0; p < old.length; p += 2) {
      if (old[p + 1] === 0) continue
      let i = old[p] & this.mask
      while (this.slots[2 * i + 1] !== 0) i = (i + 1) & this.mask
      this.slots[2 * i] = old[p]
      this.slots[2 * i + 1] = old[p + 1]
    }
  }

  /** Adds the ids first seen here to `map`, in order; they get the numbers used here. */
  addNewTo(map: IdMap): void {
    if (map.size !== this.known) throw new Error('id map changed while events were numbered')
    for (let d = this.known; d < this.ids.length; d++) {
      if (map.add(this.ids[d]) !== d) throw new Error(`id '${this.ids[d]}' numbered differently by the id map`)
    }
  }
}

/**
 * The working arrays, on one SharedArrayBuffer, and the CSR's indices and data. V8 counts a plain
 * ArrayBuffer's bytes as external memory and starts a full collection for every 64 MB or so of new ones: a
 * marking of all the caller's events, seconds each at tens of millions of events. A SharedArrayBuffer is not
 * counted (it may be shared across isolates), so the scratch space does not set one off. The results (indptr,
 * indices, data, times) are on SharedArrayBuffers too, each on its own whole buffer (a.buffer holds a and only
 * a): sending them to a worker shares rather than copies them, and they cannot go in a transfer list.
 */
function workArrays(n: number, timed: boolean): Work {
  const scratch = new SharedArrayBuffer((timed ? 24 : 20) * n)
  return {
    r: new Int32Array(scratch, 0, n),
    c: new Int32Array(scratch, 4 * n, n),
    v: new Float32Array(scratch, 8 * n, n),
    byRowCol: new Int32Array(scratch, 12 * n, n),
    byRowValue: new Float32Array(scratch, 16 * n, n),
    byRowEvent: timed ? new Int32Array(scratch, 20 * n, n) : undefined,
  }
}

interface Work {
  r: Int32Array
  c: Int32Array
  v: Float32Array
  /** Column, value and event index of each triple, bucketed by row in input order. */
  byRowCol: Int32Array
  byRowValue: Float32Array
  byRowEvent?: Int32Array
}

/** Rows up to this long are put in column order by insertion sort; longer ones by a native sort of keys. */
const SHORT_ROW = 48

/**
 * The rows x cols CSR of the triples (repeated pairs summed in float32 in input order, as csrFromTriples
 * does), and with byRowEvent, entryOf[i] = where triple i landed in indices/data (written over r, which is not
 * needed by then). Triples are bucketed by row in input order (one pass of independent stores), then each row,
 * now in cache, is put in column order stably: short rows (most) by insertion sort, long ones by a native
 * sort of packed keys.
 */
function csrOfEvents(rows: number, cols: number, work: Work): { matrix: Csr; entryOf?: Int32Array } {
  const { r, c, v, byRowCol: cs, byRowValue: vs, byRowEvent: es } = work
  const n = r.length
  const starts = new Int32Array(rows + 1)
  for (let i = 0; i < n; i++) starts[r[i] + 1]++
  for (let row = 0; row < rows; row++) starts[row + 1] += starts[row]
  const fill = starts.slice(0, rows)
  for (let i = 0; i < n; i++) {
    const at = fill[r[i]]++
    cs[at] = c[i]
    vs[at] = v[i]
    if (es) es[at] = i
  }
  const entryOf = es ? r : undefined
  const indptr = new Int32Array(new SharedArrayBuffer(4 * (rows + 1)))
  const indices = new Int32Array(new SharedArrayBuffer(4 * n))
  const data = new Float32Array(new SharedArrayBuffer(4 * n))
  let keys = new Float64Array(0)
  let w = 0
  for (let row = 0; row < rows; row++) {
    const start = starts[row]
    const end = starts[row + 1]
    const len = end - start
    if (len <= SHORT_ROW) {
      for (let p = start + 1; p < end; p++) {
        const col = cs[p]
        if (cs[p - 1] <= col) continue
        const value = vs[p]
        const event = es ? es[p] : 0
        let q = p - 1
        for (; q >= start && cs[q] > col; q--) {
          cs[q + 1] = cs[q]
          vs[q + 1] = vs[q]
          if (es) es[q + 1] = es[q]
        }
        cs[q + 1] = col
        vs[q + 1] = value
        if (es) es[q + 1] = event
      }
    } else {
      // col * len + offset is exact in a double (cols * len < 2^53) and sorts by column, then input order.
      if (keys.length < 3 * len) keys = new Float64Array(Math.max(3 * len, 2 * keys.length))
      for (let j = 0; j < len; j++) keys[j] = cs[start + j] * len + j
      const sorted = keys.subarray(0, len).sort()
      const copy = keys.subarray(len, 3 * len)
      for (let j = 0; j < len; j++) {
        copy[j] = vs[start + j]
        copy[len + j] = es ? es[start + j] : 0
      }
      for (let j = 0; j < len; j++) {
        const from = sorted[j] % len
        cs[start + j] = (sorted[j] - from) / len
        vs[start + j] = copy[from]
        if (es) es[start + j] = copy[len + from]
      }
    }
    const first = w
    for (let p = start; p < end; p++) {
      const col = cs[p]
      if (w > first && indices[w - 1] === col) data[w - 1] += vs[p]
      else {
        indices[w] = col
        data[w++] = vs[p]
      }
      if (entryOf) entryOf[es![p]] = w - 1
    }
    indptr[row + 1] = w
  }
  const matrix = { rows, cols, indptr, indices: w === n ? indices : sharedCopy(indices, w), data: w === n ? data : sharedCopy(data, w) }
  return { matrix, entryOf }
}

/** The first `length` values of `a` in a typed array of their own on a SharedArrayBuffer (see workArrays). */
function sharedCopy<T extends Int32Array | Float32Array>(a: T, length: number): T {
  const out = new (a.constructor as new (buffer: SharedArrayBuffer) => T)(new SharedArrayBuffer(a.BYTES_PER_ELEMENT * length))
  out.set(a.subarray(0, length))
  return out
}

/** The latest timestamp of each (user, item) entry, placed where that entry sits in the CSR. */
function alignTimes(m: Csr, events: readonly RawInteraction[], entryOf: Int32Array): Float64Array {
  const times = new Float64Array(new SharedArrayBuffer(8 * m.indices.length)).fill(NaN)
  for (let i = 0; i < events.length; i++) {
    const t = events[i].time
    if (t === undefined) continue
    const p = entryOf[i]
    if (!(times[p] >= t)) times[p] = t
  }
  return times
}
