import type { Interactions } from '../../data/interactions.js'
import { itemPopularity } from '../../models/shared/popularity-vector.js'

/** Training tracks by how many training playlists hold them, most first (ties: lower index first). */
export class PopularityOrder {
  private constructor(
    readonly order: Int32Array,
    /** Playlists per track; 0 for tracks no training playlist holds. */
    readonly counts: Float32Array,
  ) {}

  static of(data: Interactions): PopularityOrder {
    const counts = itemPopularity(data.matrix)
    const order = Int32Array.from({ length: counts.length }, (_, i) => i)
      .filter((i) => counts[i] > 0)
      .sort((a, b) => counts[b] - counts[a] || a - b)
    return new PopularityOrder(order, counts)
  }

  /** The k most popular tracks. */
  top(k: number): Int32Array {
    return this.order.subarray(0, Math.min(k, this.order.length))
  }

  /** Whether any training playlist holds the track. */
  known(track: number): boolean {
    return track >= 0 && track < this.counts.length && this.counts[track] > 0
  }
}

/**
 * Up to n distinct tracks taken from the sources in order (each source best first), never a seed: a model's
 * own list, then its fall-backs.
 */
export function fillList(n: number, seeds: readonly number[], sources: readonly ArrayLike<number>[]): number[] {
  const taken = new Set<number>(seeds)
  const out: number[] = []
  for (const source of sources) {
    for (let i = 0; i < source.length && out.length < n; i++) {
      if (taken.has(source[i])) continue
      taken.add(source[i])
      out.push(source[i])
    }
    if (out.length >= n) break
  }
  return out
}
