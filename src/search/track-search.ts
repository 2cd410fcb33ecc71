import MiniSearch from 'minisearch'
import type { Track } from '../core/track.js'

export interface SearchHit {
  track: Track
  score: number
}

export interface SearchOptions {
  /** How many hits to return (default 10). */
  limit?: number
}

/** Lower-case and strip accents, so "Sinead" finds "Sinéad" and "BEYONCE" finds "Beyoncé". */
export function normalizeText(s: string): string {
  return s.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase()
}

/**
 * Typo-tolerant search over track titles and artists. Every word of the query must match some field
 * (a prefix, or within edit distance ~20% of its length); when that finds nothing, any word may match.
 * Among equally good matches, more popular tracks come first.
 */
export class TrackSearch {
  private readonly index: MiniSearch<{ id: number; name: string; artists: string; album: string }>

  constructor(private readonly tracks: readonly Track[]) {
    this.index = new MiniSearch({
      fields: ['name', 'artists', 'album'],
      idField: 'id',
      processTerm: (term) => normalizeText(term),
      searchOptions: { boost: { name: 2, artists: 1.5, album: 0.5 }, prefix: true, fuzzy: 0.2 },
    })
    this.index.addAll(
      tracks.map((t, i) => ({ id: i, name: t.name, artists: t.artists.join(' '), album: t.album ?? '' })),
    )
  }

  search(query: string, opts: SearchOptions = {}): SearchHit[] {
    const limit = opts.limit ?? 10
    if (query.trim() === '') return []
    const boostDocument = (id: unknown) => 1 + Math.log1p(this.tracks[id as number].popularity ?? 0) / 10
    let hits = this.index.search(query, { combineWith: 'AND', boostDocument })
    if (hits.length === 0) hits = this.index.search(query, { combineWith: 'OR', boostDocument })
    return hits.slice(0, limit).map((h) => ({ track: this.tracks[h.id as number], score: h.score }))
  }
}
