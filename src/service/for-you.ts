import { genreDisplayName } from '../core/genre-names.js'
import type { Track } from '../core/track.js'
import type { CatalogueView, FeatureMatch } from '../engine.js'
import type { Neighbour } from '../index/types.js'
import { profileHygiene, SameTitleGuard } from '../rerank/hygiene.js'
import type { ArtistBridge } from './artist-bridge.js'
import { ArtistPartCache } from './for-you-collab-cache.js'
import { artistCap, DEFAULT_FOR_YOU_PARAMS, type ForYouParams } from './for-you-params.js'
import { ContentCache, ExplainCache, seedExcluded, seedFiltered, type AnchorList, type ContentState } from './for-you-content-cache.js'
import { isFresh, profileParts, type Positive, type Profile, type ProfileParts } from './profile.js'
import type { CatalogueCooccurrence } from './track-cooccurrence.js'
import { popularAcrossGenres } from './popular-rows.js'

export const FOR_YOU_MODELS = ['content', 'collaborative', 'hybrid'] as const
export type ForYouModel = (typeof FOR_YOU_MODELS)[number]

export const MODEL_INFO: Record<ForYouModel, { label: string; description: string }> = {
  content: { label: 'Sounds like', description: 'Tracks whose audio features, genres and era are closest to what you like and picked' },
  collaborative: { label: 'Listeners like you', description: 'Artists that Last.fm listeners with your taste play, as catalogue tracks' },
  hybrid: { label: 'Mix', description: 'Both lists fused, spread across artists' },
}

export interface Reason {
  kind: 'seed' | 'like' | 'play' | 'collaborative' | 'popular'
  trackId?: string
  text: string
}

export interface ForYouItem {
  track: Track
  score: number
  reasons: Reason[]
  /** Audio features on which the track is closest to the seed or liked track it came from. */
  because: FeatureMatch[]
}

export interface ForYouResult {
  model: ForYouModel
  /** True when the listener has no positive signal yet: the list is what is popular, spread across genres. */
  coldStart: boolean
  items: ForYouItem[]
}

/**
 * Neighbours kept per anchor track: enough for a list of 20 after leaving out what a listener heard. They do not
 * depend on the listener, so every listener with that anchor shares them.
 */
const ANCHOR_NEIGHBOURS = 64
/**
 * Anchor tracks whose neighbour lists are kept; the least recently used go first. A list is 64 Neighbour objects
 * and its promise, ~4.2 KB measured (bench/server-memory.bench.ts: 500 lists freed 2.1 MB), so this is a budget of
 * ~21 MB (20,000 before: ~84 MB of small objects for every major GC to mark). Kept as typed arrays (64 Int32 rows
 * and Float32 distances, ~0.7 KB) the same bytes would hold six times as many.
 */
const ANCHORS_KEPT = 5_000

/**
 * Unit feature vectors by their non-zero values (CSR over the view's sparse rows): row r's columns are
 * indices[indptr[r] .. indptr[r + 1]] and its values there, scaled to length 1, units[indptr[r] ..].
 */
interface UnitRows {
  units: Float32Array
  indptr: Int32Array
  indices: Uint16Array | Int32Array
  /** Squared length of each row's raw vector, summed as view.cosine sums it. */
  squares: Float64Array
}

/**
 * A profile's skipped and disliked tracks for negativePull: their unit vectors feature-major (byFeature[f * m + j]
 * is rejected track j's value on feature f, m tracks), their weights, and room for one row's m cosines.
 */
export interface RejectedSound {
  byFeature: Float32Array
  weights: Float64Array
  cos: Float64Array
}

interface Candidate {
  row: number
  score: number
  reasons: Reason[]
  /** The listener's track it came from, for the feature view. */
  anchor?: number
}

/**
 * "For you": recommendations for a listener from their profile, by audio content, by what similar listeners
 * play (a collaborative model over artists), or both fused. Every item says why it is there.
 */
export class ForYou {
  private readonly anchorNeighbours = new Map<number, Promise<Neighbour[]>>()
  private units?: UnitRows
  private readonly rejected = new WeakMap<Profile, RejectedSound>()
  /** "Listeners like you": the artist part of each taste in use (for-you-collab-cache.ts), made on first use. */
  private artistParts?: ArtistPartCache
  /** Per listener, what their history alone decides of a content list (for-you-content-cache.ts). */
  private readonly contentCache = new ContentCache((part, row) => isFresh(this.view, part, row))
  private readonly explained: ExplainCache

  /**
   * @param bridge the artist-level collaborative model (HetRec), or null
   * @param playlists track co-occurrence from playlists: when given, "Listeners like you" uses it for the
   *   listener's tracks it covers and the bridge for the rest
   * @param popularRows what a listener with no taste yet is offered; it depends on the catalogue alone, so
   *   withBridge passes it on (70-160 ms at 90k tracks on a busy 2-core machine: too long for a swap, which
   *   runs on the request thread)
   */
  constructor(
    private readonly view: CatalogueView,
    private readonly bridge: ArtistBridge | null,
    readonly params: Readonly<ForYouParams> = DEFAULT_FOR_YOU_PARAMS,
    private playlists: CatalogueCooccurrence | null = null,
    private readonly popularRows: number[] = popularAcrossGenres(view.tracks, 400),
  ) {
    this.explained = new ExplainCache()
  }

  get hasCollaborative(): boolean {
    return this.bridge !== null || this.playlists !== null
  }

  /** The artist-level collaborative model, null without one. */
  get artistBridge(): ArtistBridge | null {
    return this.bridge
  }

  /**
   * The same recommender over another collaborative model (a newly published version): parameters and
   * playlists and the popular rows carry over, caches start empty. The service swaps it in with one
   * assignment (src/rollout).
   */
  withBridge(bridge: ArtistBridge): ForYou {
    return new ForYou(this.view, bridge, this.params, this.playlists, this.popularRows)
  }

  /** Joins (or replaces) the playlists' track co-occurrence model: a server loads it after it starts. */
  usePlaylists(playlists: CatalogueCooccurrence | null): void {
    this.playlists = playlists
  }

  /**
   * The hybrid's fusion: with playlists, the weights tuned with track co-occurrence on the continuation task;
   * without, the hand-set ones of the artist-level model (which that task cannot measure).
   */
  private fusion(): Pick<ForYouParams, 'hybridWeights' | 'rrfK'> {
    const { rrfK, hybridWeights, playlistHybridWeights } = this.params
    return { rrfK, hybridWeights: this.playlists ? playlistHybridWeights : hybridWeights }
  }

  /** A model's label and description, saying which listening data "Listeners like you" draws on. */
  info(model: ForYouModel): { label: string; description: string } {
    if (model !== 'collaborative' || !this.playlists) return MODEL_INFO[model]
    const rest = this.bridge ? '; for your tracks they lack, artists that Last.fm listeners with your taste play' : ''
    return { ...MODEL_INFO[model], description: `Tracks that often share playlists with yours${rest}` }
  }

  async recommend(p: Profile, model: ForYouModel, n: number): Promise<ForYouResult> {
    if (p.positives.length === 0) return { model, coldStart: true, items: this.finish(this.popular(p, n * 2), p, n) }
    let list: Candidate[]
    if (model === 'content') list = await this.content(p, n * 2)
    else if (model === 'collaborative') list = this.collaborative(p, n * 2)
    else list = fuse(await this.content(p, n * 2), this.collaborative(p, n * 2), this.fusion())
    // No kids, karaoke or cover tracks unless the listener's history asks for them (rerank/hygiene.ts). finish()
    // asks it of candidates best first, only as far as the list needs; all of them only when few pass.
    const clean = profileHygiene(this.view.tracks, p)
    if (!atLeast(list, n, (c) => clean(c.row))) {
      list = list.filter((c) => clean(c.row))
      // Too few personal picks (the listener's artists are unknown to the listening data, say): popular tracks
      // fill the rest, scored below every personal pick so they come after them.
      const floor = Math.min(...list.map((c) => c.score))
      list = [...list, ...this.popular(p, n * 2).map((c) => ({ ...c, score: Number.isFinite(floor) ? floor * 0.5 * c.score : c.score }))]
    }
    return { model, coldStart: false, items: this.finish(list, p, n, clean) }
  }

  /**
   * Nearest neighbours of each anchor (the heaviest positives), fused by reciprocal rank so every anchor gets
   * its share of the list; a sound close to a disliked one counts against.
   */
  private async content(p: Profile, n: number): Promise<Candidate[]> {
    const { maxAnchors, rrfK, anchorAgreement } = this.params
    const anchors = p.positives.slice(0, maxAnchors)
    const top = anchors[0].weight
    const parts = profileParts(p)
    const state = this.contentCache.state(parts)
    const merged = new Map<number, Candidate & { best: number; sum: number }>()
    for (const a of anchors) {
      // The history's anchors come from the listener's cache; a seed's are the request's own work.
      const hits = state && a.kind !== 'seed' ? await this.historyNeighbours(state, parts!, a.row, n + 10, p) : await this.freshNeighbours(a.row, n + 10, p)
      // One reason per anchor, shared by its hits (reasons are never changed after this).
      const reason = this.anchorReason(a)
      hits.forEach((h, rank) => {
        const s = a.weight / top / (rrfK + rank + 1)
        const c = merged.get(h.index)
        if (!c) merged.set(h.index, { row: h.index, score: s, best: s, sum: s, reasons: [reason], anchor: a.row })
        else {
          c.sum += s
          if (s > c.best) Object.assign(c, { best: s, anchor: a.row, reasons: [reason, ...c.reasons] })
          else c.reasons.push(reason)
        }
      })
    }
    // Agreement between anchors only breaks near-ties, so two similar likes do not crowd out a third, different one.
    const out = [...merged.values()].map((c) => ({
      row: c.row,
      reasons: c.reasons,
      anchor: c.anchor,
      score: (c.best + anchorAgreement * (c.sum - c.best)) * (1 - (state ? state.pull(c.row, (row) => this.negativePull(p, row)) : this.negativePull(p, c.row))),
    }))
    return out.sort((x, y) => y.score - x.score || x.row - y.row)
  }

  /**
   * The k nearest tracks to an anchor that the listener has not heard: from the anchor's shared neighbour list,
   * or, when the listener heard too many of those, from a search that leaves out what they heard.
   */
  private async freshNeighbours(anchor: number, k: number, p: Profile): Promise<Neighbour[]> {
    const shared = await this.neighboursOf(anchor)
    const fresh = shared.filter((h) => isFresh(this.view, p, h.index))
    if (fresh.length >= k || shared.length < ANCHOR_NEIGHBOURS) return fresh.slice(0, k)
    return this.view.nearest(this.view.vector(anchor), k, () => (row) => isFresh(this.view, p, row))
  }

  /**
   * freshNeighbours for one of the history's anchors, from the listener's cached list: the seeds' exclusions are
   * applied to the history's fresh rows, which is the same filter. When too few are left the history's own search
   * serves if the seeds exclude none of its rows (the same rounds then accept the same rows), else the search runs
   * again for this request.
   */
  private async historyNeighbours(state: ContentState, parts: ProfileParts, anchor: number, k: number, p: Profile): Promise<Neighbour[]> {
    const list = await state.anchorList(anchor, k, () => this.anchorList(anchor, parts))
    const keep = (row: number) => !seedExcluded(parts, this.view.dupKeys, row)
    const hits = seedFiltered(list, k, keep)
    if (hits) return hits
    const searched = await (list.searched ??= this.view.nearest(this.view.vector(anchor), k, () => (row) => isFresh(this.view, parts.history, row)))
    if (searched.every((h) => keep(h.index))) return searched.slice()
    return this.view.nearest(this.view.vector(anchor), k, () => (row) => isFresh(this.view, p, row))
  }

  /** An anchor's shared neighbours that the listener's history has not heard (no seeds applied). */
  private async anchorList(anchor: number, parts: ProfileParts): Promise<AnchorList> {
    const shared = await this.neighboursOf(anchor)
    return { fresh: shared.filter((h) => isFresh(this.view, parts.history, h.index)), sharedShort: shared.length < ANCHOR_NEIGHBOURS }
  }

  private neighboursOf(anchor: number): Promise<Neighbour[]> {
    let hits = this.anchorNeighbours.get(anchor)
    if (hits) this.anchorNeighbours.delete(anchor)
    else {
      hits = this.view.nearest(this.view.vector(anchor), ANCHOR_NEIGHBOURS, () => (row) => row !== anchor)
      hits.catch(() => this.anchorNeighbours.delete(anchor))
    }
    this.anchorNeighbours.set(anchor, hits)
    if (this.anchorNeighbours.size > ANCHORS_KEPT) this.anchorNeighbours.delete(this.anchorNeighbours.keys().next().value!)
    return hits
  }

  /**
   * "Listeners like you": with playlists, the listener's tracks they hold are folded into the track
   * co-occurrence model and the others go to the artist-level model, the two lists fused by the share of the
   * listener's weight each covers; without playlists, the artist-level model alone.
   */
  private collaborative(p: Profile, n: number): Candidate[] {
    if (!this.playlists) return this.artistLevel(p, p.positives, n)
    const covered = p.positives.filter((x) => this.playlists!.coveredItems(x.row).length > 0)
    const rest = p.positives.filter((x) => this.playlists!.coveredItems(x.row).length === 0)
    const tracks = this.trackLevel(p, covered, n)
    const artists = this.artistLevel(p, rest, n)
    if (tracks.length === 0 || artists.length === 0) return tracks.length > 0 ? tracks : artists
    const weight = (list: readonly Positive[]) => list.reduce((s, x) => s + x.weight, 0)
    const total = weight(covered) + weight(rest)
    return fuseWeighted(tracks, weight(covered) / total, artists, weight(rest) / total, this.params.rrfK)
  }

  /**
   * The listener's tracks folded into the playlist co-occurrence model; its tracks the catalogue has and the
   * listener has not heard come back, each explained by the listener's track that shares most playlists with it.
   */
  private trackLevel(p: Profile, positives: readonly Positive[], n: number): Candidate[] {
    const pl = this.playlists
    if (!pl || positives.length === 0) return []
    const anchorOf = new Map<number, Positive>()
    const history = positives.flatMap((pos) =>
      pl.coveredItems(pos.row).map((item) => {
        anchorOf.set(item, pos)
        return { item, weight: pos.weight }
      }),
    )
    const accept = (item: number) => pl.rowOfItem[item] >= 0 && isFresh(this.view, p, pl.rowOfItem[item])
    const { playlistNeighbours: neighbours, playlistNeighbourShare: neighbourShare, rrfK: fusionK } = this.params
    return pl.model.recommend(history, { n: n * 2, accept, neighbours, neighbourShare, fusionK }).map((h) => {
      const row = pl.rowOfItem[h.item]
      const anchor = anchorOf.get(h.because)!
      const text = `Often in playlists with “${this.view.tracks[anchor.row].name}”`
      return { row, score: h.score * (1 - this.negativePull(p, row)), reasons: [{ kind: 'collaborative', trackId: this.view.tracks[anchor.row].id, text }], anchor: anchor.row }
    })
  }

  /** The listener's artists folded into the artist-level model; its artists become their closest-sounding tracks. */
  private artistLevel(p: Profile, positives: readonly Positive[], n: number): Candidate[] {
    if (!this.bridge) return []
    const { perArtist, cfWeight } = this.params
    // What the taste decides (the model's artists and their scored tracks) is kept across requests with that taste,
    // and what the history alone decides (its taste, its tracks' recordings) across requests until its next event.
    this.artistParts ??= new ArtistPartCache(this.bridge, this.view.artists, this.view.tracks, this.view.dupKeys, cfWeight)
    const parts = profileParts(p)
    const history = this.artistParts.taste(positives, positives === p.positives ? parts : undefined)
    if (history.size === 0) return []
    const { artists, strongest, scored, itemOfName } = this.artistParts.get(history, Math.max(10, Math.ceil(n / perArtist) + 5))
    if (artists.length === 0) return []
    const exclude = parts ? { excludeKeys: this.artistParts.excluded(parts) } : { exclude: new Set(p.positives.map((x) => this.view.tracks[x.row].id)) }
    const picks = this.view.artists.pick(scored, { n: n * 2, perArtist, ...exclude, accept: profileHygiene(this.view.tracks, p) })
    // A rejected sound's pull depends on the history alone: kept with the history's content state when there is one.
    const state = this.contentCache.state(parts)
    const pull = (row: number) => (state ? state.pull(row, (r) => this.negativePull(p, r)) : this.negativePull(p, row))
    // Each recommended artist is explained by the listener's artist that drove its score, and through that
    // artist by the listener's heaviest track of theirs: the liked (or picked, or played) track it came from.
    // Working that out takes a factorisation and a solve per artist, so it waits until finish() shows the track.
    const reasons = new Map<string, Reason>()
    // Each model item's first positive (in the positives' order) by one of that positive's artists, made on the
    // first reason shown: one pass over the positives instead of one per shown item.
    const firstPositive = once(() => {
      const byItem = new Map<number, number>()
      for (const pos of positives) for (const item of this.bridge!.itemsOf(this.view.tracks[pos.row])) if (!byItem.has(item)) byItem.set(item, pos.row)
      return byItem
    })
    const reasonOf = (name: string): Reason => {
      let reason = reasons.get(name)
      if (!reason) {
        reasons.set(name, (reason = { kind: 'collaborative', text: '' }))
        const item = itemOfName.get(name)!
        pendingReasons.set(reason, once(() => this.explainArtist(p, firstPositive, reason!, name, strongest(item))))
      }
      return reason
    }
    return picks
      .map((t) => {
        const row = this.view.rowOf.get(t.track.id)!
        return { row, score: t.score * (1 - pull(row)), reasons: [reasonOf(t.artist)] }
      })
      .filter((c) => isFresh(this.view, p, c.row))
  }

  /**
   * Fills in a collaborative reason: "Listeners of <via> also play <name>; you liked <track>", where via is the
   * listener's artist that drove the recommended artist's score and track the heaviest positive of via's
   * (firstPositive: by model item, the first of the positives with that artist). Returns that track (the item's
   * anchor), or undefined when the model cannot say.
   */
  private explainArtist(p: Profile, firstPositive: () => ReadonlyMap<number, number>, reason: Reason, name: string, via: number | undefined): number | undefined {
    const anchor = via === undefined ? undefined : firstPositive().get(via)
    if (via === undefined || anchor === undefined) {
      reason.text = `Listeners with your taste play ${name}`
      return undefined
    }
    const t = this.view.tracks[anchor]
    const verb = { seed: 'picked', like: 'liked', play: 'played' }[p.positives.find((x) => x.row === anchor)!.kind]
    // Rebuilt so its keys keep the order of an eager reason (kind, trackId, text) in the JSON answer.
    delete (reason as Partial<Reason>).text
    Object.assign(reason, { trackId: t.id, text: `Listeners of ${this.bridge!.artistName(via)} also play ${name}; you ${verb} “${t.name}”` })
    return anchor
  }

  /** Popular tracks, taken across genres in turn so one genre does not fill the list. */
  private popular(p: Profile, n: number): Candidate[] {
    const out: Candidate[] = []
    for (const row of this.popularRows) {
      if (!isFresh(this.view, p, row) || !profileHygiene(this.view.tracks, p)(row) || this.negativePull(p, row) > 0.3) continue
      const t = this.view.tracks[row]
      out.push({ row, score: (t.popularity ?? 0) / 100, reasons: [{ kind: 'popular', text: `Popular in ${t.genres[0] ? genreDisplayName(t.genres[0]) : 'the catalogue'}` }] })
      if (out.length >= n) break
    }
    return out
  }

  /**
   * How close a row sounds to what the listener skipped or disliked, in [0, 0.9]: 0 when nothing rejected is
   * nearer than cosine 0.5; scores are multiplied by (1 - pull). Each cosine runs over the row's non-zero
   * features only (about 14 of 255): the skipped terms are exact zeros, so the sum is the dense one, bit for bit.
   */
  private negativePull(p: Profile, row: number): number {
    const rejected = this.rejectedSound(p)
    if (rejected.weights.length === 0) return 0
    const { negativeThreshold, negativeSlope, negativeMax } = this.params
    const { units, indptr, indices } = this.unitRows()
    const { byFeature, weights, cos } = rejected
    const m = weights.length
    cos.fill(0)
    // Feature by feature over the row's non-zeros, every rejected track at once: each cosine still sums its
    // terms in the row's feature order, so it is the per-track loop's sum bit for bit.
    for (let e = indptr[row]; e < indptr[row + 1]; e++) {
      const x = units[e]
      const at = indices[e] * m
      for (let j = 0; j < m; j++) cos[j] += x * byFeature[at + j]
    }
    let pull = 0
    for (let j = 0; j < m; j++) pull = Math.max(pull, weights[j] * Math.max(0, cos[j] - negativeThreshold) * negativeSlope)
    return Math.min(negativeMax, pull)
  }

  /** The profile's rejected tracks as unit vectors, feature-major, built once per profile (negativePull's other side). */
  private rejectedSound(p: Profile): RejectedSound {
    let r = this.rejected.get(p)
    if (r) return r
    // A profile with a cached history shares its history's (their negatives are the same).
    const state = this.contentCache.state(profileParts(p))
    if (state?.rejected) {
      this.rejected.set(p, state.rejected)
      return state.rejected
    }
    const m = p.negatives.length
    const { units, indptr, indices } = this.unitRows()
    const byFeature = new Float32Array(this.view.dims * m)
    p.negatives.forEach((neg, j) => {
      for (let e = indptr[neg.row]; e < indptr[neg.row + 1]; e++) byFeature[indices[e] * m + j] = units[e]
    })
    r = { byFeature, weights: Float64Array.from(p.negatives, (n) => n.weight), cos: new Float64Array(m) }
    this.rejected.set(p, r)
    if (state) state.rejected = r
    return r
  }

  /**
   * Every track's feature vector scaled to length 1 (zero stays zero) over its non-zero features, from the
   * view's sparse rows (no dense matrix), with its squared length; built on first use (a few ms).
   */
  private unitRows(): UnitRows {
    if (this.units) return this.units
    const { indptr, cols, vals, squares } = this.view.sparse
    const units = new Float32Array(vals.length)
    for (let row = 0; row + 1 < indptr.length; row++) {
      const scale = squares[row] > 0 ? 1 / Math.sqrt(squares[row]) : 0
      for (let e = indptr[row]; e < indptr[row + 1]; e++) units[e] = vals[e] * scale
    }
    return (this.units = { units, indptr, indices: cols, squares })
  }

  /**
   * The positive (of the heaviest 50) whose sound is closest to a row: view.cosine over the row's non-zero
   * features only, which is the same sum bit for bit.
   */
  private closestPositive(p: Profile, row: number): number | undefined {
    const { indptr, indices, squares } = this.unitRows()
    const v = this.view.vector(row)
    let best: number | undefined
    let bestSim = -Infinity
    for (const pos of p.positives.slice(0, 50)) {
      const u = this.view.vector(pos.row)
      let dot = 0
      for (let e = indptr[row]; e < indptr[row + 1]; e++) dot += v[indices[e]] * u[indices[e]]
      const s = squares[row] > 0 && squares[pos.row] > 0 ? dot / Math.sqrt(squares[row] * squares[pos.row]) : 0
      if (s > bestSim) [best, bestSim] = [pos.row, s]
    }
    return best
  }

  private anchorReason(a: Positive): Reason {
    const t = this.view.tracks[a.row]
    const what = `“${t.name}” by ${t.artists.join(', ') || 'an unknown artist'}`
    const text = a.kind === 'seed' ? `Sounds like your pick ${what}` : a.kind === 'like' ? `Because you liked ${what}` : `Because you played ${what}`
    return { kind: a.kind, trackId: t.id, text }
  }

  /**
   * Best first, one release per recording, at most params.perArtist per artist, n items, each with its feature
   * view; candidates `accept` refuses are left out (as if filtered out of the list before).
   */
  private finish(list: readonly Candidate[], p: Profile, n: number, accept: (row: number) => boolean = () => true): ForYouItem[] {
    const out: ForYouItem[] = []
    const keys = new Set<string>()
    const cap = new ArtistCap(artistCap(this.params, n))
    const titles = new SameTitleGuard(this.view.tracks)
    const sorted = [...list].sort((a, b) => b.score - a.score || a.row - b.row)
    for (const c of sorted) {
      const key = this.view.dupKeys[c.row]
      // A recording's key is the id of its most popular release: that is the one shown.
      const t = this.view.tracks[this.view.rowOf.get(key) ?? c.row]
      if (!accept(c.row) || keys.has(key) || !cap.admits(t.artists) || !titles.admits(c.row)) continue
      keys.add(key)
      cap.take(t.artists)
      titles.take(c.row)
      let anchor = c.anchor
      for (const r of c.reasons) {
        const via = pendingReasons.get(r)?.()
        anchor ??= via
      }
      anchor ??= this.closestPositive(p, c.row)
      const shown = this.view.rowOf.get(key) ?? c.row
      out.push({
        track: t,
        score: c.score,
        reasons: dedupeReasons(c.reasons),
        because: anchor === undefined ? [] : this.explained.get(anchor, shown, () => this.view.explain(this.view.tracks[anchor!], t, 3)),
      })
      if (out.length === n) break
    }
    return out
  }
}

/** Tracks per artist as a list grows: a track is admitted while each of its artists is under the cap. */
export class ArtistCap {
  private readonly counts = new Map<string, number>()

  constructor(readonly cap: number) {}

  admits(artists: readonly string[]): boolean {
    return artists.every((a) => (this.counts.get(a) ?? 0) < this.cap)
  }

  take(artists: readonly string[]): void {
    for (const a of artists) this.counts.set(a, (this.counts.get(a) ?? 0) + 1)
  }
}

/** Reciprocal-rank fusion of the content and collaborative lists by params.hybridWeights; reasons from both are kept. */
export function fuse<C extends FusedCandidate>(content: readonly C[], collaborative: readonly C[], params: Pick<ForYouParams, 'hybridWeights' | 'rrfK'>): C[] {
  return fuseWeighted(content, params.hybridWeights.content, collaborative, params.hybridWeights.collaborative, params.rrfK)
}

/** What fusion needs of a candidate: an id (a catalogue row, or a playlist track in the harness) and reasons. */
export interface FusedCandidate {
  row: number
  score: number
  reasons: Reason[]
  anchor?: number
}

/** Reciprocal-rank fusion of two ranked lists, weight / (k + rank), summed where a row is in both. */
export function fuseWeighted<C extends FusedCandidate>(a: readonly C[], wa: number, b: readonly C[], wb: number, k: number): C[] {
  const merged = new Map<number, C>()
  const add = (list: readonly C[], w: number) =>
    list.forEach((c, rank) => {
      const s = w / (k + rank + 1)
      const m = merged.get(c.row)
      if (!m) merged.set(c.row, { ...c, score: s, reasons: [...c.reasons] })
      else {
        m.score += s
        m.reasons.push(...c.reasons)
        m.anchor ??= c.anchor
      }
    })
  add(a, wa)
  add(b, wb)
  return [...merged.values()].sort((x, y) => y.score - x.score || x.row - y.row)
}

/**
 * Reasons whose text is filled in only when their item is shown (artistLevel's): the filler, which returns the
 * item's anchor track. Run again it returns the same anchor without redoing the work.
 */
const pendingReasons = new WeakMap<Reason, () => number | undefined>()

function once<T>(f: () => T): () => T {
  let done = false
  let value: T
  return () => {
    if (!done) [value, done] = [f(), true]
    return value
  }
}

/** True when at least n items pass the test (stops at the n-th). */
function atLeast<T>(items: readonly T[], n: number, test: (item: T) => boolean): boolean {
  let passed = 0
  for (const x of items) if (test(x) && ++passed >= n) return true
  return passed >= n
}

function dedupeReasons(reasons: readonly Reason[]): Reason[] {
  const seen = new Set<string>()
  return reasons.filter((r) => !seen.has(r.text) && seen.add(r.text) !== undefined).slice(0, 3)
}
