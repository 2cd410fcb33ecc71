import { SegueError } from '../../core/errors.js'
import type { PlaylistSet } from '../../data/playlists/types.js'
import type { CatalogueView, Engine } from '../../engine.js'
import { ArtistCap, ForYou, fuse, type FusedCandidate } from '../../service/for-you.js'
import { artistCap, forYouParams, type ForYouParams } from '../../service/for-you-params.js'
import { buildPlaylist, MAX_SEEDS } from '../../service/playlist.js'
import { buildProfile, positiveWeight, type Profile } from '../../service/profile.js'
import { TrackCooccurrence } from '../../service/track-cooccurrence.js'
import type { FeedbackEvent } from '../../store/store.js'
import { linkByIdThenName, type TrackLinker } from './content.js'
import { PopularityOrder, fillList } from './fill.js'
import { TitleContinuation } from './title.js'
import type { ContinuationFactory, ContinuationModel, ContinuationQuery, ContinuationTrain } from './types.js'

/** The product's recommenders as continuation models, by their harness names. */
export const PRODUCT_MODELS = {
  content: 'for-you-content',
  collaborative: 'for-you-collaborative',
  hybrid: 'for-you-hybrid',
  playlist: 'seed-playlist',
} as const
export type ProductModelKind = keyof typeof PRODUCT_MODELS

export interface ProductContinuationOptions {
  /** ForYouParams over the product's defaults. */
  params?: Partial<ForYouParams>
  /** TrackCooccurrence's normalisation (its default when absent). */
  alpha?: number
  /** Set track -> catalogue row (default: linkPlaylistTracks, by id then by first artist and title). */
  link?: TrackLinker
}

/** What fit() leaves for continue(). */
interface Fitted {
  set: PlaylistSet
  popular: PopularityOrder
  cooc: TrackCooccurrence | null
  catalogue: CatalogueLink | null
}

/**
 * The catalogue side: the product works on catalogue rows, the task on set tracks. A catalogue recording (its
 * releases share a dupKey) stands for the training tracks linked to any of its releases, most popular first.
 */
interface CatalogueLink {
  view: CatalogueView
  rowOfTrack: Int32Array
  tracksAtKey: Map<string, number[]>
  /** Rows whose recording no training track links to: the product may not offer them here. */
  unlinked: ReadonlySet<number>
}

/**
 * "For you" (content, collaborative, hybrid) and seed playlists, run through the product's own code with
 * ForYouParams: a playlist's seeds are a listener's likes in playlist order (so recency decay weighs the
 * latest most), content is ForYou.recommend over the catalogue with every recording no training track links
 * to counted as heard, collaborative is TrackCooccurrence over all training tracks (the artist bridge knows only
 * HetRec's artists) with the product's recency weights and per-artist cap, hybrid is the product's fusion of
 * the two (with playlistHybridWeights, as the product fuses with playlists), and the seed playlist is buildPlaylist from the first (at most five) catalogue-linked seeds. Like the
 * harness's content kNN, a list that runs short is filled from the title model, then popularity.
 */
export class ProductContinuation implements ContinuationModel {
  readonly name: string
  readonly params: ForYouParams
  private fitted?: Fitted
  private title = new TitleContinuation()
  /** The product's "For you" over the catalogue with these params, made on first use. */
  private forYou?: ForYou

  constructor(
    readonly kind: ProductModelKind,
    private readonly engine: Engine | null,
    private readonly opts: ProductContinuationOptions = {},
  ) {
    this.name = PRODUCT_MODELS[kind]
    this.params = forYouParams(opts.params)
    if (!engine && kind !== 'collaborative') throw new SegueError('E_BAD_ARGUMENT', `${this.name} needs an engine with the catalogue loaded`)
  }

  /**
   * The same fitted model with other params (and co-occurrence alpha), without fitting again: for tuning.
   * Its fit() would fit afresh.
   */
  withParams(params: Partial<ForYouParams>, alpha?: number): ProductContinuation {
    const other = new ProductContinuation(this.kind, this.engine, { ...this.opts, params, alpha })
    other.fitted = this.fitted
    other.title = this.title
    return other
  }

  async fit(train: ContinuationTrain): Promise<void> {
    const popular = PopularityOrder.of(train.interactions)
    const usesCooc = this.kind === 'collaborative' || this.kind === 'hybrid'
    const cooc = usesCooc ? new TrackCooccurrence(train.playlists.map((p) => p.tracks), train.set.tracks.length, { alpha: this.opts.alpha }) : null
    const catalogue = this.engine && this.kind !== 'collaborative' ? await this.linkCatalogue(train.set, popular) : null
    await this.title.fit(train)
    this.fitted = { set: train.set, popular, cooc, catalogue }
  }

  async continue(query: ContinuationQuery, n: number): Promise<number[]> {
    const f = this.fitted
    if (!f) throw new SegueError('E_BAD_ARGUMENT', `${this.name}: the model is not fitted yet; call fit() first`)
    const own = await this.ownList(f, query.seeds, n)
    // Seeds and the model's own tracks among the title's are skipped by the fill: ask for enough to cover them.
    const byTitle = own.length < n ? this.title.titleTracks(query.title, n + query.seeds.length + own.length) : []
    return fillList(n, query.seeds, [own, byTitle, f.popular.top(n + query.seeds.length)])
  }

  private async ownList(f: Fitted, seeds: readonly number[], n: number): Promise<number[]> {
    if (seeds.length === 0) return []
    switch (this.kind) {
      case 'content':
        return (await this.content(f.catalogue!, seeds, n)).map((c) => c.row)
      case 'collaborative':
        return capped(this.collaborative(f, seeds, n), f.set, artistCap(this.params, n), n)
      case 'hybrid': {
        const { rrfK, playlistHybridWeights: hybridWeights } = this.params
        const fused = fuse(await this.content(f.catalogue!, seeds, n), this.collaborative(f, seeds, n), { rrfK, hybridWeights })
        return capped(fused, f.set, artistCap(this.params, n), n)
      }
      case 'playlist':
        return this.playlist(f.catalogue!, seeds, n)
    }
  }

  /** ForYou's content list for the seeds as likes, as set tracks in its order. */
  private async content(c: CatalogueLink, seeds: readonly number[], n: number): Promise<FusedCandidate[]> {
    const rows = linkedRows(c, seeds)
    if (rows.length === 0) return []
    const events: FeedbackEvent[] = rows.map((row, i) => ({ seq: i + 1, listenerId: 'playlist', trackId: c.view.tracks[row].id, kind: 'like', at: '' }))
    const base = buildProfile(c.view, events, [], this.params)
    const profile: Profile = { ...base, heard: { has: (row) => base.heard.has(row) || c.unlinked.has(row) } }
    this.forYou ??= new ForYou(c.view, null, this.params)
    const result = await this.forYou.recommend(profile, 'content', n)
    return result.items.flatMap((item) => {
      const tracks = c.tracksAtKey.get(c.view.dupKeys[c.view.rowOf.get(item.track.id)!]) ?? []
      return tracks.map((row) => ({ row, score: item.score, reasons: [] }))
    })
  }

  /**
   * The product's playlist "Listeners like you" (TrackCooccurrence.recommend: item co-occurrence fused with the
   * most similar playlists' votes) over the seeds, weighted as ListenerHistory weighs likes in order.
   */
  private collaborative(f: Fitted, seeds: readonly number[], n: number): FusedCandidate[] {
    const history = seeds.map((item, i) => ({ item, weight: positiveWeight('like', seeds.length - 1 - i, this.params) }))
    const known = (item: number) => f.popular.known(item)
    const { playlistNeighbours: neighbours, playlistNeighbourShare: neighbourShare, rrfK: fusionK } = this.params
    const hits = f.cooc!.recommend(history, { n: n * 2, accept: known, alpha: this.opts.alpha, neighbours, neighbourShare, fusionK })
    return hits.map((h) => ({ row: h.item, score: h.score, reasons: [] }))
  }

  /** buildPlaylist from the first linked seeds, n tracks long, as set tracks. */
  private async playlist(c: CatalogueLink, seeds: readonly number[], n: number): Promise<number[]> {
    const rows = linkedRows(c, seeds).slice(0, MAX_SEEDS)
    if (rows.length === 0) return []
    const ids = rows.map((row) => c.view.tracks[row].id)
    const { playlistPerSeed: perSeed, playlistPerArtist: maxPerArtist } = this.params
    const list = await buildPlaylist(c.view, ids, { perSeed, maxPerArtist, total: n, exclude: c.unlinked })
    return list.items.flatMap((item) => c.tracksAtKey.get(c.view.dupKeys[c.view.rowOf.get(item.track.id)!]) ?? [])
  }

  private async linkCatalogue(set: PlaylistSet, popular: PopularityOrder): Promise<CatalogueLink> {
    const view = await this.engine!.catalogue()
    const rowOfTrack = (this.opts.link ?? linkByIdThenName)(set, view)
    const tracksAtKey = new Map<string, number[]>()
    for (const t of popular.order) {
      const row = rowOfTrack[t]
      if (row < 0) continue
      const key = view.dupKeys[row]
      const at = tracksAtKey.get(key)
      if (at) at.push(t)
      else tracksAtKey.set(key, [t])
    }
    const unlinked = new Set<number>()
    for (let row = 0; row < view.tracks.length; row++) if (!tracksAtKey.has(view.dupKeys[row])) unlinked.add(row)
    return { view, rowOfTrack, tracksAtKey, unlinked }
  }
}

/** The seeds' catalogue rows, distinct, in seed order (seeds the catalogue lacks are left out). */
function linkedRows(c: CatalogueLink, seeds: readonly number[]): number[] {
  const rows = seeds.map((t) => c.rowOfTrack[t]).filter((row) => row >= 0)
  return [...new Set(rows)]
}

/** Best first, one entry per track, at most `cap` per artist (the product's ArtistCap), n long. */
function capped(list: readonly FusedCandidate[], set: PlaylistSet, cap: number, n: number): number[] {
  const artists = new ArtistCap(cap)
  const out: number[] = []
  const seen = new Set<number>()
  for (const c of list) {
    const by = [set.tracks[c.row].artist]
    if (seen.has(c.row) || !artists.admits(by)) continue
    seen.add(c.row)
    artists.take(by)
    out.push(c.row)
    if (out.length === n) break
  }
  return out
}

/**
 * Registry entries (src/eval/continuation/models.ts): each product model by its harness name. Context params
 * are ForYouParams fields, plus `alpha` for the co-occurrence normalisation.
 */
export const PRODUCT_CONTINUATION_MODELS: Record<string, ContinuationFactory> = Object.fromEntries(
  (Object.keys(PRODUCT_MODELS) as ProductModelKind[]).map((kind) => [
    PRODUCT_MODELS[kind],
    (ctx) => {
      const { alpha, ...params } = ctx.params ?? {}
      if (alpha !== undefined && typeof alpha !== 'number') throw new SegueError('E_BAD_ARGUMENT', `alpha must be a number, got ${JSON.stringify(alpha)}`)
      return new ProductContinuation(kind, ctx.engine ?? null, { params: params as Partial<ForYouParams>, alpha })
    },
  ]),
)
