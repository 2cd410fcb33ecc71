import type { Track } from '../core/track.js'
import type { Neighbour, VectorIndex } from '../index/types.js'
import { hygieneFilter, SameTitleGuard } from '../rerank/hygiene.js'
import { representativeRows } from '../rerank/recording.js'

export interface SimilarFilters {
  /** Leave out tracks sharing an artist with the seed. */
  excludeSeedArtist: boolean
  /**
   * One entry per recording (rerank/recording.ts), shown as its most popular release, and none of the seed's
   * own releases.
   */
  collapseDuplicates: boolean
  /** When non-empty, only tracks listed under at least one of these genres. */
  genres: readonly string[]
  /**
   * Leave out kids, karaoke and cover tracks, and covers of the seed, unless the seed is in that class
   * (rerank/hygiene.ts, with the seed as the listener's history). Default true.
   */
  hygiene?: boolean
  /** When given, only rows it accepts (a mood filter, say). */
  accept?: (row: number) => boolean
}

/**
 * The k nearest tracks to a seed that pass the filters. Indexes know nothing of filters, so this asks
 * for more neighbours than needed and widens the request until k pass or the catalogue is exhausted:
 * filters never make the answer shorter than k while enough tracks qualify. When releases are collapsed, a
 * recording ranks by its nearest release and is shown as its representative (most popular) release, unless
 * that one fails the filters; its distance is the nearest release's.
 */
export function filteredNeighbours(
  index: VectorIndex,
  tracks: readonly Track[],
  /** recordingKeys of the catalogue: rows sharing a key are releases of one recording. */
  dupKeys: readonly string[],
  seedRow: number,
  query: Float32Array,
  k: number,
  filters: SimilarFilters,
  maxFetch = index.size,
  /** Row of each track id, when the caller has it: spares building one over the catalogue (a one-shot's cost). */
  rowOf?: ReadonlyMap<string, number>,
): Neighbour[] {
  const keep = makePredicate(tracks, dupKeys, seedRow, filters)
  const hits = acceptedNeighbours(index, query, k, () => {
    const seenKeys = new Set<string>()
    // With hygiene, one track per title by different artists, the seed's included (rerank/hygiene.ts).
    const titles = new SameTitleGuard(tracks)
    titles.take(seedRow)
    return (row) => {
      if (row === seedRow || !keep(row)) return false
      if (filters.hygiene !== false && !titles.admits(row)) return false
      if (filters.collapseDuplicates) {
        const key = dupKeys[row]
        if (seenKeys.has(key)) return false
        seenKeys.add(key)
      }
      titles.take(row)
      return true
    }
  }, maxFetch, firstFetch(k, filters))
  if (!filters.collapseDuplicates) return hits
  // A recording's key is its representative's id.
  const repOf = rowOf ? (row: number) => rowOf.get(dupKeys[row]) ?? row : (row: number) => representativeRows(tracks, dupKeys)[row]
  return hits.map((h) => {
    const rep = repOf(h.index)
    return rep === h.index || !keep(rep) ? h : { index: rep, distance: h.distance }
  })
}

/**
 * How many neighbours to ask for at first. Collapsing duplicates rejects only the seed and a few re-releases,
 * so half again as many as wanted is plenty; artist and genre filters can reject most of a neighbourhood.
 */
function firstFetch(k: number, f: SimilarFilters): number {
  return f.excludeSeedArtist || f.genres.length > 0 || f.accept ? k * 3 + 10 : k + (k >> 1) + 6
}

/**
 * The k nearest rows to a query that a predicate accepts, asking the index for more neighbours than needed
 * and widening the request until k pass or `maxFetch` is reached. `makeAccept` is called once per round, so a
 * predicate may keep state (such as the duplicates already taken) that starts afresh when the request widens.
 */
export function acceptedNeighbours(
  index: VectorIndex,
  query: Float32Array,
  k: number,
  makeAccept: () => (row: number) => boolean,
  maxFetch = index.size,
  /** The first request's size: room for the rejects a caller expects (default 3k + 10). */
  firstFetch = k * 3 + 10,
): Neighbour[] {
  let fetch = Math.min(maxFetch, Math.max(k, firstFetch))
  for (;;) {
    const accept = makeAccept()
    const out: Neighbour[] = []
    for (const n of index.search(query, fetch)) {
      if (!accept(n.index)) continue
      out.push(n)
      if (out.length === k) return out
    }
    if (fetch >= maxFetch) return out
    fetch = Math.min(maxFetch, fetch * 4)
  }
}

function makePredicate(tracks: readonly Track[], dupKeys: readonly string[], seedRow: number, f: SimilarFilters): (row: number) => boolean {
  const seedArtists = new Set(tracks[seedRow].artists)
  const seedKey = dupKeys[seedRow]
  const genres = new Set(f.genres)
  const clean = f.hygiene === false ? () => true : hygieneFilter(tracks, [seedRow])
  return (row) => {
    const t = tracks[row]
    if (f.excludeSeedArtist && t.artists.some((a) => seedArtists.has(a))) return false
    if (f.collapseDuplicates && dupKeys[row] === seedKey) return false
    if (genres.size > 0 && !t.genres.some((g) => genres.has(g))) return false
    if (f.accept && !f.accept(row)) return false
    return clean(row)
  }
}
