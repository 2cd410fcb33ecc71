import type { ArtistCatalogue, ArtistScores } from '../models/hybrid/artist-tracks.js'
import type { Scored } from '../models/types.js'
import type { ArtistBridge } from './artist-bridge.js'

/**
 * What a listener's artist-level taste decides of a "Listeners like you" list before anything a request leaves
 * out: the artists the collaborative model recommends (one fold-in and scoring), the explainer of each one's
 * strongest reason (a factorisation, on first use), and every track of those artists scored against the sound
 * of the listener's artists. It depends on the taste alone, so requests with the same taste share it.
 */
export interface ArtistPart {
  readonly artists: readonly Scored[]
  /** The listener's artist (model item) that contributed most to a recommended artist's score. */
  readonly strongest: (item: number) => number | undefined
  readonly scored: ArtistScores
  /** Recommended artists by their catalogue spelling. */
  readonly itemOfName: ReadonlyMap<string, number>
}

/**
 * Artist parts kept, the least recently used dropped first: one per listener state in use (and per seed whose
 * artists the model knows). An entry holds up to ~120 KB once its reasons are explained, so at most ~60 MB.
 */
const ARTIST_PARTS_KEPT = 500

/**
 * "Listeners like you" per request, split (issue 8 §5): a request's taste is the history's artists weighted by
 * their tracks' feedback plus the seed's artists. Most seeds leave that taste as the history made it (the model
 * does not know their artists) or repeat one seen before, and then the artist part is the kept one; only what the
 * request excludes (its seeds, heard tracks, list hygiene) is worked out again. The key is the taste itself,
 * every item and weight in order, so a kept part is exactly what computing it afresh would give; a new event
 * changes the history's weights (recency) and so the key, and a new model version gets a new cache (ForYou's
 * withBridge).
 */
export class ArtistPartCache {
  private readonly parts = new Map<string, ArtistPart>()

  constructor(private readonly bridge: ArtistBridge, private readonly catalogue: ArtistCatalogue) {}

  /** The part for a taste (model item -> play-count weight, in the profile's order) and a number of artists. */
  get(taste: ReadonlyMap<number, number>, count: number): ArtistPart {
    const key = tasteKey(taste, count)
    let part = this.parts.get(key)
    if (part) this.parts.delete(key)
    else part = this.build(taste, count)
    this.parts.set(key, part)
    if (this.parts.size > ARTIST_PARTS_KEPT) this.parts.delete(this.parts.keys().next().value!)
    return part
  }

  get size(): number {
    return this.parts.size
  }

  private build(taste: ReadonlyMap<number, number>, count: number): ArtistPart {
    const bridge = this.bridge
    const { artists, strongest } = bridge.artistsWithReasons(taste, count)
    const profile = [...taste].map(([item, w]) => ({ artist: bridge.artistName(item)!, weight: w }))
    const liked = artists.map((a, i) => ({ artist: bridge.artistName(a.item)!, weight: artists.length - i }))
    const scored = artists.length === 0 ? { liked: [], scores: [] } : this.catalogue.score(liked, profile)
    const itemOfName = new Map<string, number>()
    for (const a of artists) itemOfName.set(bridge.artistName(a.item)!, a.item)
    return { artists, strongest, scored, itemOfName }
  }
}

/** A taste's exact identity: its items and weights in order (a number's string form reads back to the same number). */
function tasteKey(taste: ReadonlyMap<number, number>, count: number): string {
  let key = `${count}`
  for (const [item, w] of taste) key += `|${item}:${w}`
  return key
}
