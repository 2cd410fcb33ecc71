import type { Track } from '../core/track.js'
import { normalizeText } from '../search/track-search.js'

/**
 * A key shared by releases of the same recording under different ids (the single and the album
 * version, a compilation, a re-release): the same title and the same set of artists.
 */
export function duplicateKey(t: Track): string {
  const artists = t.artists.map(normalizeText).sort().join('|')
  return `${normalizeText(t.name).trim()}\u0000${artists}`
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
