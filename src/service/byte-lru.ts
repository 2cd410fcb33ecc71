/**
 * A least-recently-used map bounded by an estimate of the BYTES its entries hold, not by their number (issue 8
 * §5): the server's caches had entry caps whose entries ranged from hundreds of bytes to ~50 KB, so a cap said
 * little about memory, and a full cache's many small objects made every major GC mark them (the round-to-round
 * slowdown of the HTTP bench). Each entry is given its size when stored; the oldest go first once the total
 * passes the budget. An entry larger than the whole budget is not kept.
 */
export class ByteLru<K, V> {
  private readonly entries = new Map<K, { value: V; bytes: number }>()
  private total = 0

  constructor(
    /** The most the entries' estimated sizes may add up to. */
    readonly budgetBytes: number,
  ) {
    if (!(budgetBytes > 0) || !Number.isFinite(budgetBytes)) throw new RangeError(`ByteLru: budget must be a positive number of bytes, not ${budgetBytes}`)
  }

  /** The value for `key`, which becomes the most recently used; undefined when absent. */
  get(key: K): V | undefined {
    const e = this.entries.get(key)
    if (!e) return undefined
    this.entries.delete(key)
    this.entries.set(key, e)
    return e.value
  }

  /** The value for `key` without touching its place in the order. */
  peek(key: K): V | undefined {
    return this.entries.get(key)?.value
  }

  /** Stores `value` as the most recently used, `bytes` its estimated size, and drops the oldest past the budget. */
  set(key: K, value: V, bytes: number): void {
    if (!(bytes >= 0) || !Number.isFinite(bytes)) throw new RangeError(`ByteLru: an entry's size must be a number of bytes >= 0, not ${bytes}`)
    this.delete(key)
    if (bytes > this.budgetBytes) return
    this.entries.set(key, { value, bytes })
    this.total += bytes
    while (this.total > this.budgetBytes) {
      const [oldest, e] = this.entries.entries().next().value!
      this.entries.delete(oldest)
      this.total -= e.bytes
    }
  }

  delete(key: K): boolean {
    const e = this.entries.get(key)
    if (!e) return false
    this.entries.delete(key)
    this.total -= e.bytes
    return true
  }

  clear(): void {
    this.entries.clear()
    this.total = 0
  }

  get size(): number {
    return this.entries.size
  }

  /** The estimated bytes of the entries kept (at most budgetBytes). */
  get bytes(): number {
    return this.total
  }
}

/*
 * Sizes of V8 heap objects on 64-bit Node without pointer compression (Node's default build), rounded up: what the
 * estimates below add up. They were checked against the heap a full cache retains (bench/server-memory.bench.ts
 * empties each cache and measures the drop after a full GC).
 */
/** A plain object's header (map, properties, elements) and one in-object field. */
export const OBJECT_BYTES = 24
export const FIELD_BYTES = 8
/** A JS array's object and its backing store's header; each element is one more field. */
export const ARRAY_BYTES = 48
/** A heap number (a double field that is not a small integer). */
export const NUMBER_BYTES = 16
/** A typed array's view and ArrayBuffer objects and its backing store's bookkeeping, besides its bytes. */
export const TYPED_ARRAY_BYTES = 200
/** One Map or Set entry in its hash table (key, value, chain), besides the key and value themselves. */
export const MAP_ENTRY_BYTES = 24

/** A string of `length` characters: one byte each (Latin-1) or two, after a 16-byte header. */
export function stringBytes(s: string): number {
  // Strings of ASCII text are one-byte in V8; a conservative estimate counts the rest at two bytes a character.
  let twoByte = false
  for (let i = 0; i < s.length && !twoByte; i++) twoByte = s.charCodeAt(i) > 0xff
  return 16 + s.length * (twoByte ? 2 : 1)
}
