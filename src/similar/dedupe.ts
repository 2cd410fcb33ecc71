import type { Track } from '../core/track.js'
import { normalizeText } from '../search/track-search.js'

/**
 * A remaster note at the end of a title: "- Remastered 2011", "- 2009 Remaster", "(Remastered)",
 * "[Remaster]". A remaster is the same recording; live versions, remixes and edits are not, so they stay.
 */
const REMASTER_SUFFIX = /\s*(?:-\s*|[([]\s*)(?:\d{4}\s+)?(?:digital(?:ly)?\s+)?remaster(?:ed)?(?:\s+(?:version|\d{4}))?(?:\s+(?:version|\d{4}))?\s*[)\]]?$/

/**
 * A key shared by releases of the same recording under different ids (the single and the album
 * version, a compilation, a re-release, a remaster): the same title, less any remaster note, and the same set
 * of artists.
 */
export function duplicateKey(t: Track): string {
  const artists = t.artists.map(normalizeText).sort().join('|')
  return `${normalizeText(t.name).replace(REMASTER_SUFFIX, '').trim()}\u0000${artists}`
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
