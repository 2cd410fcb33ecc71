import { SegueError } from '../../core/errors.js'
import type { Playlist } from '../../data/playlists/types.js'
import type { ContinuationModel, ContinuationQuery, ContinuationTrain } from './types.js'
import { PopularityOrder, fillList } from './fill.js'

/**
 * A playlist's title reduced to what people mean by it: Unicode-compatible forms folded (NFKC), accents and
 * case dropped, anything that is not a letter or digit (emoji, punctuation) made a space, spaces collapsed.
 * "Chill Vibes 🌴", "chill vibes!" and "CHILL  VIBES" are one title.
 */
export function normaliseTitle(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
}

/** Counts per track, and how many playlists were counted. */
interface TrackCounts {
  playlists: number
  counts: Map<number, number>
}

function addPlaylist(into: Map<string, TrackCounts>, key: string, p: Playlist): void {
  let c = into.get(key)
  if (!c) into.set(key, (c = { playlists: 0, counts: new Map() }))
  c.playlists++
  for (const t of new Set(p.tracks)) c.counts.set(t, (c.counts.get(t) ?? 0) + 1)
}

/**
 * The tracks of training playlists with the same title: those with exactly this normalised title first, by how
 * many such playlists hold them; then a token-level back-off, where each title word contributes the share of
 * its playlists holding a track, weighted by the word's inverse document frequency (so "workout" speaks louder
 * than "my"); then the most popular tracks. Built for the title-only category, where nothing else is known.
 */
export class TitleContinuation implements ContinuationModel {
  readonly name = 'title'
  private byTitle = new Map<string, TrackCounts>()
  private byToken = new Map<string, TrackCounts>()
  private total = 0
  private popular?: PopularityOrder

  async fit(train: ContinuationTrain): Promise<void> {
    this.byTitle = new Map()
    this.byToken = new Map()
    for (const p of train.playlists) {
      const title = normaliseTitle(p.name)
      if (title === '') continue
      addPlaylist(this.byTitle, title, p)
      for (const token of new Set(title.split(' '))) addPlaylist(this.byToken, token, p)
    }
    this.total = train.playlists.length
    this.popular = PopularityOrder.of(train.interactions)
  }

  continue(query: ContinuationQuery, n: number): number[] {
    return fillList(n, query.seeds, [this.titleTracks(query.title, n + query.seeds.length), this.popularity().top(n + query.seeds.length)])
  }

  /** The title's own ranking (exact title, then word back-off), without the popularity fill. */
  titleTracks(title: string, n: number): number[] {
    const key = normaliseTitle(title)
    if (key === '') return []
    const exact = ranked(this.byTitle.get(key)?.counts ?? new Map<number, number>(), n)
    return exact.length >= n ? exact : exact.concat(ranked(this.tokenScores(key), n))
  }

  private tokenScores(key: string): Map<number, number> {
    const scores = new Map<number, number>()
    for (const token of new Set(key.split(' '))) {
      const c = this.byToken.get(token)
      if (!c) continue
      const idf = Math.log(1 + this.total / c.playlists)
      for (const [t, k] of c.counts) scores.set(t, (scores.get(t) ?? 0) + (idf * k) / c.playlists)
    }
    return scores
  }

  private popularity(): PopularityOrder {
    if (!this.popular) throw new SegueError('E_BAD_ARGUMENT', 'title: the model is not fitted yet; call fit() first')
    return this.popular
  }
}

/** The n highest-scored tracks, ties broken by the lower index. */
function ranked(scores: Map<number, number>, n: number): number[] {
  return [...scores].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, n).map(([t]) => t)
}
