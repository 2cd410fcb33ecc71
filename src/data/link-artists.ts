import type { Track } from '../core/track.js'
import { normalizeText } from '../search/track-search.js'
import type { RawInteraction } from './interactions.js'

/** How Last.fm artists were linked to catalogue artists. */
export interface ArtistLinks {
  /** Last.fm artist id -> the catalogue's spelling of the same artist's name. */
  byLastfmId: Map<string, string>
  matched: number
  total: number
  /** matched / total (0 when there are no artists). */
  matchRate: number
  /** Share of all plays that fall on linked artists; present when plays were given. */
  playWeightedMatchRate?: number
}

/**
 * The key two spellings of one artist share: accents and case dropped (normalizeText), '&' read as 'and',
 * blanks trimmed and collapsed, a leading 'the ' dropped ('The Beatles' = 'Beatles'). Remembered per name
 * (see KEYS_KEPT): the catalogue's ~130k artist credits hold far fewer names, and a server keys each of them
 * for the artist links, the per-artist tables and the collaborative bridge.
 */
export function artistKey(name: string): string {
  let key = keyMemo.get(name)
  if (key !== undefined) return key
  if (keyMemo.size >= KEYS_KEPT) keyMemo.clear()
  key = keyOf(name)
  keyMemo.set(name, key)
  return key
}

/** Names whose keys are remembered: more than the 114k catalogue's distinct artists, bounded all the same. */
const KEYS_KEPT = 200_000
const keyMemo = new Map<string, string>()

function keyOf(name: string): string {
  const words = normalizeText(name).replace(/&/g, ' and ').trim().split(/\s+/)
  if (words.length > 1 && words[0] === 'the') words.shift()
  return words.join(' ')
}

/**
 * Changes when linking would link differently: the text of the functions it is made of, so a saved set of
 * links (listening/saved.ts) is rebuilt when any of them changes.
 */
export function linkingFingerprint(): string {
  return [keyOf, normalizeText, linkArtists, catalogueSpellings].map((f) => f.toString()).join('\n')
}

/**
 * Links Last.fm artists (id -> name) to the artists of catalogue tracks by artistKey. Where several
 * catalogue spellings share a key, the one on most tracks wins (then the first seen), so a link is stable.
 * Pass the plays (item = Last.fm artist id) to also get the share of plays that are linked.
 */
export function linkArtists(
  lastfmNames: ReadonlyMap<string, string>,
  tracks: readonly Track[],
  plays?: readonly RawInteraction[],
): ArtistLinks {
  const catalogue = catalogueSpellings(tracks)
  const byLastfmId = new Map<string, string>()
  for (const [id, name] of lastfmNames) {
    const found = catalogue.get(artistKey(name))
    if (found !== undefined) byLastfmId.set(id, found)
  }
  const total = lastfmNames.size
  const links: ArtistLinks = { byLastfmId, matched: byLastfmId.size, total, matchRate: total === 0 ? 0 : byLastfmId.size / total }
  if (plays !== undefined) links.playWeightedMatchRate = linkedShare(plays, byLastfmId)
  return links
}

/** Key -> the most used catalogue spelling with that key. */
function catalogueSpellings(tracks: readonly Track[]): Map<string, string> {
  const counts = new Map<string, Map<string, number>>()
  for (const t of tracks) {
    for (const artist of t.artists) {
      const key = artistKey(artist)
      if (key === '') continue
      let spellings = counts.get(key)
      if (spellings === undefined) counts.set(key, (spellings = new Map()))
      spellings.set(artist, (spellings.get(artist) ?? 0) + 1)
    }
  }
  const best = new Map<string, string>()
  for (const [key, spellings] of counts) {
    // Map iteration follows insertion, and only a strictly larger count replaces: ties keep the first seen.
    let top = ''
    let most = 0
    for (const [s, n] of spellings) if (n > most) [top, most] = [s, n]
    best.set(key, top)
  }
  return best
}

function linkedShare(plays: readonly RawInteraction[], linked: ReadonlyMap<string, string>): number {
  let all = 0
  let hit = 0
  for (const p of plays) {
    all += p.value
    if (linked.has(p.item)) hit += p.value
  }
  return all === 0 ? 0 : hit / all
}
