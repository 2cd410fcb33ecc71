import type { Track } from '../core/track.js'
import { artistKey, linkArtists, type ArtistLinks } from '../data/link-artists.js'
import type { TrainedModel } from '../listening/trained.js'
import { foldsUsers, type FoldedUser } from '../models/als/factor-model.js'
import type { ExplainBasis } from '../models/als/explain.js'
import { canExplainMany, isExplainable, type Explanation, type Scored } from '../models/types.js'

/**
 * Joins catalogue tracks to a collaborative model trained on artist-level listening (HetRec Last.fm): a
 * track's artists become the model's items, and the model's artists become catalogue spellings again.
 */
export class ArtistBridge {
  /** artistKey of a catalogue artist -> the model's dense item id. */
  private readonly itemByKey = new Map<string, number>()
  /** dense item id -> the catalogue's spelling of the artist. */
  private readonly nameByItem = new Map<number, string>()
  /** 1 for the items linked to a catalogue artist: the filter of every collaborative request, as an array lookup. */
  private readonly linkedMask: Uint8Array
  /** The linked items, ascending, and each item's place among them (-1: not linked). */
  private readonly linkedItems: Int32Array
  private readonly linkedIndex: Int32Array
  /** topLinked's marks of a listener's own items, by place among the linked items (all 0 between calls). */
  private readonly seenMask: Uint8Array
  /** itemsOf, per catalogue track: the artist names need normalising only once. */
  private readonly itemsByTrack = new WeakMap<Track, number[]>()
  /** Linked items by total plays, most played first: what a listener with no taste yet is offered. */
  readonly popular: readonly Scored[]

  /** `links`: the listening data's artists linked to the catalogue's, when already at hand (saved, say). */
  constructor(readonly trained: TrainedModel, tracks: readonly Track[], readonly links: ArtistLinks = linkArtists(trained.listening.itemNames, tracks)) {
    const l = trained.listening
    for (const [rawId, spelling] of links.byLastfmId) {
      const item = l.data.items.dense(rawId)
      if (item === undefined) continue
      this.itemByKey.set(artistKey(spelling), item)
      this.nameByItem.set(item, spelling)
    }
    this.linkedMask = new Uint8Array(l.data.items.size)
    for (const item of this.nameByItem.keys()) this.linkedMask[item] = 1
    this.linkedItems = Int32Array.from(this.nameByItem.keys()).sort()
    this.linkedIndex = new Int32Array(l.data.items.size).fill(-1)
    this.linkedItems.forEach((item, i) => (this.linkedIndex[item] = i))
    this.seenMask = new Uint8Array(this.linkedItems.length)
    this.popular = popularItems(trained, this.nameByItem)
  }

  get linkedArtists(): number {
    return this.nameByItem.size
  }

  /** The model's items for a track's artists (those the listening data knows); worked out once per track. */
  itemsOf(track: Track): readonly number[] {
    let out = this.itemsByTrack.get(track)
    if (out) return out
    out = []
    for (const a of track.artists) {
      const item = this.itemByKey.get(artistKey(a))
      if (item !== undefined) out.push(item)
    }
    this.itemsByTrack.set(track, out)
    return out
  }

  artistName(item: number): string | undefined {
    return this.nameByItem.get(item)
  }

  /**
   * Artists for an ad-hoc listener whose history is given as item -> weight (in play counts, the unit the
   * model learnt from). Only artists present in the catalogue come back; the listener's own are left out.
   */
  recommendArtists(history: ReadonlyMap<number, number>, n: number): Scored[] {
    const ref = { history: [...history.keys()], weights: [...history.values()] }
    const linked = (item: number) => this.linkedMask[item] === 1
    return this.trained.model.recommend(ref, { n, excludeSeen: true, filter: { accept: linked } })
  }

  /**
   * recommendArtists, and a lookup of strongestReasons for those artists: one fold-in and one scoring of every
   * artist for both where the model can share them (ALS), and each artist explained only when first asked
   * for (a list shows a few of them), the two calls otherwise.
   */
  artistsWithReasons(history: ReadonlyMap<number, number>, n: number, near?: NearTaste): { artists: Scored[]; strongest: (item: number) => number | undefined } {
    const m = this.trained.model
    if (history.size === 0 || !foldsUsers(m)) {
      const artists = this.recommendArtists(history, n)
      const strongest = this.strongestReasons(history, artists.map((a) => a.item))
      return { artists, strongest: (item) => strongest.get(item) }
    }
    // Only linked artists can be offered: a quarter of HetRec's, so scoring just those is a quarter of the work.
    const folded = m.foldUserOver({ history: [...history.keys()], weights: [...history.values()] }, this.linkedItems)
    const artists = this.topLinked(folded, n)
    const recommended = new Set(artists.map((a) => a.item))
    // The explainer keeps the listener's vector and history and the recommended artists' scores, not every score.
    const scoreOf = new Map(artists.map((a) => [a.item, a.score]))
    const kept: FoldedUser = { vector: folded.vector, seen: folded.seen, values: folded.values, scores: NO_SCORES }
    let explain: ((item: number, top?: number) => Explanation) | undefined
    const strongest = new Map<number, number | undefined>()
    return {
      artists,
      strongest: (item) => {
        if (!recommended.has(item)) return undefined
        explain ??= near && explainsNear(m) ? m.explainerNear(kept, near.basis(), (i) => scoreOf.get(i)!) : m.explainerFolded(kept, (i) => scoreOf.get(i)!)
        if (!strongest.has(item)) strongest.set(item, explain(item, 1).because[0]?.item)
        return strongest.get(item)
      },
    }
  }

  /**
   * What recommendFolded gives with excludeSeen and the linked items as filter (the n best finite scores, ties to
   * the lower item), from foldUserOver's scores of the linked items (ascending, so a lower place is a lower item).
   * One pass keeping the best n in order, the listener's items marked in a reused mask: selectTopN's answer without
   * its Set and heap (a fifth of a fresh seed's fold-in and scoring).
   */
  private topLinked(folded: FoldedUser, n: number): Scored[] {
    const { linkedItems: linked, linkedIndex: index, seenMask: seen } = this
    const scores = folded.scores
    for (const item of folded.seen) if (index[item] >= 0) seen[index[item]] = 1
    const places: number[] = []
    const best: number[] = []
    try {
      for (let i = 0; i < scores.length && n > 0; i++) {
        const s = scores[i]
        // A later place with an equal score loses the tie, so a full list admits only a strictly better score.
        if (!Number.isFinite(s) || (best.length === n && s <= best[n - 1]) || seen[i] === 1) continue
        let at = best.length === n ? n - 1 : best.length
        while (at > 0 && best[at - 1] < s) at--
        if (best.length === n) {
          places.pop()
          best.pop()
        }
        places.splice(at, 0, i)
        best.splice(at, 0, s)
      }
    } finally {
      for (const item of folded.seen) if (index[item] >= 0) seen[index[item]] = 0
    }
    return places.map((place, j) => ({ item: linked[place], score: best[j] }))
  }

  /**
   * For each recommended artist, the listener's artist that contributed most to its score, where the model
   * can say (absent otherwise).
   */
  strongestReasons(history: ReadonlyMap<number, number>, items: readonly number[]): Map<number, number> {
    const m = this.trained.model
    const ref = { history: [...history.keys()], weights: [...history.values()] }
    const out = new Map<number, number>()
    if (history.size === 0 || items.length === 0) return out
    const explanations = canExplainMany(m) ? m.explainMany(ref, items, 1) : isExplainable(m) ? items.map((item) => m.explain(ref, item, 1)) : []
    for (const e of explanations) if (e.because[0]) out.set(e.item, e.because[0].item)
    return out
  }
}

const NO_SCORES = new Float32Array(0)

/**
 * A taste's explaining made cheaper by a nearby taste's (a request's seeds added to the listener's history): the
 * nearby taste's factorisation (ALS explainBasis), kept by the caller and made on first use. The reasons are the
 * same up to rounding (see explainerNear in models/als/explain.ts).
 */
export interface NearTaste {
  basis(): ExplainBasis
}

/** The models that explain a taste from a nearby one's factorisation (ALS). */
export interface ExplainsNear {
  explainBasis(history: ArrayLike<number>, weights: ArrayLike<number>): ExplainBasis
  explainerNear(folded: FoldedUser, basis: ExplainBasis, scoreOf?: (item: number) => number): (item: number, top?: number) => Explanation
}

export const explainsNear = (m: object): m is ExplainsNear =>
  typeof (m as Partial<ExplainsNear>).explainBasis === 'function' && typeof (m as Partial<ExplainsNear>).explainerNear === 'function'

function popularItems(t: TrainedModel, linked: ReadonlyMap<number, string>): Scored[] {
  const m = t.listening.data.matrix
  const plays = new Float64Array(t.listening.data.items.size)
  for (let p = 0; p < m.indptr[m.rows]; p++) plays[m.indices[p]] += 1
  return [...linked.keys()].map((item) => ({ item, score: plays[item] })).sort((a, b) => b.score - a.score || a.item - b.item).slice(0, 200)
}
