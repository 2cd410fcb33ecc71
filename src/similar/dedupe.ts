import type { Track } from '../core/track.js'
import { artistSet, recordingTitle } from '../rerank/recording.js'

/**
 * A key from one track alone: its recording title (release notes such as "- Remastered 2011" dropped, see
 * rerank/recording.ts) and its set of artists. Coarser than `recordingKeys`, which also compares durations
 * and audio across the catalogue; used where only a handful of tracks is at hand (search hits).
 */
export function duplicateKey(t: Track): string {
  return `${recordingTitle(t.name)}\u0000${artistSet(t).join('|')}`
}

/** Keeps the first of each group of duplicates, in the order given. */
export function collapseDuplicates<T>(items: readonly T[], trackOf: (x: T) => Track): T[] {
  const seen = new Set<string>()
  return items.filter((x) => {
    const key = duplicateKey(trackOf(x))
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
