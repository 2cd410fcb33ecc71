import { SegueError } from '../core/errors.js'
import type { LongWorkOptions } from '../core/progress.js'
import { readPlaylists, type PlaylistsReport } from '../data/playlists/read.js'
import { linkPlaylistTracks, type PlaylistLink } from '../data/playlists/link.js'
import type { CatalogueView } from '../engine.js'

/** A track of the listener's (a dense item id) and how much it tells (see ListenerHistory's weights). */
export interface WeightedItem {
  item: number
  weight: number
}

/** A recommended track, its score, and the listener's track that contributed most to it. */
export interface CooccurrenceHit {
  item: number
  score: number
  /** The history item whose playlists gave this track the largest share of its score. */
  because: number
}

export interface CooccurrenceOptions {
  /**
   * Normalisation of a co-occurrence count c(h, j) between a listener's track h and a candidate j seen in n(h)
   * and n(j) playlists: c / (n(h)^alpha * n(j)^(1 - alpha)). 0.5 is cosine; 1 is P(j | h), which favours
   * popular candidates; lower values damp popular candidates more. Default DEFAULT_COOCCURRENCE_ALPHA.
   */
  alpha?: number
}

export interface CooccurrenceQuery {
  n: number
  /** Only these items may be recommended (the catalogue-linked ones, say). */
  accept?: (item: number) => boolean
  /** Items never to recommend besides the history's own (a listener's rejected tracks, say). */
  exclude?: (item: number) => boolean
  /** This query's normalisation (see CooccurrenceOptions.alpha); default the model's. */
  alpha?: number
}

/** How recommend() blends the two views of the playlists; each field defaults to the DEFAULT_BLEND value. */
export interface BlendQuery extends CooccurrenceQuery {
  /** Playlists most like the listener's tracks that vote (user-kNN's k); 0 leaves item co-occurrence alone. */
  neighbours?: number
  /** Share of the playlist-neighbour list in the fusion; the item co-occurrence list has the rest. */
  neighbourShare?: number
  /** Reciprocal-rank fusion constant of the two lists. */
  fusionK?: number
}

/**
 * Chosen on the continuation task's validation split (bench/tune-product.bench.ts, 1,000 validation playlists,
 * the per-artist cap a tenth of the list): item co-occurrence alone R-precision 0.125, user-kNN 0.1266, the two
 * fused half and half 0.1317 (shares 0.3 and 0.7, with a cap of a twentieth: 0.130). k 50 is user-kNN's
 * default (25: 0.1309, 100: 0.1312); the fusion constant moved R-precision by 0.0006 between 20 and 60.
 */
export const DEFAULT_BLEND: Readonly<Required<Pick<BlendQuery, 'neighbours' | 'neighbourShare' | 'fusionK'>>> = Object.freeze({
  neighbours: 50,
  neighbourShare: 0.5,
  fusionK: 60,
})

/**
 * Chosen on the continuation task's validation split (bench/tune-product.bench.ts, 300 playlists): NDCG 0.117,
 * 0.157, 0.171, 0.175 for alpha 0.3, 0.5 (cosine, the value before tuning), 0.7, 0.9. Leaning to P(j | h) wins:
 * playlists share their hits, and a hit met in many of the listener's playlists is a good guess.
 */
export const DEFAULT_COOCCURRENCE_ALPHA = 0.9

/**
 * Track-to-track co-occurrence in playlists (item-based collaborative filtering on binary playlist membership,
 * as in the RecSys Challenge 2018 baselines): two tracks are alike when the same playlists hold them. Counts
 * are computed on demand from the item -> playlists and playlist -> items lists (CSR, a track once per
 * playlist), so building costs one pass over the playlists and a query costs the playlists of its tracks.
 */
export class TrackCooccurrence {
  /** Playlists holding each item (CSR over items). */
  readonly itemPtr: Int32Array
  readonly itemPlaylists: Int32Array
  /** Items of each playlist, distinct (CSR over playlists). */
  readonly listPtr: Int32Array
  readonly listItems: Int32Array
  /** Playlists holding each item. */
  readonly counts: Int32Array
  private readonly alpha: number
  /** Reused per query: summed scores, one history item's share, and the best share so far. */
  private readonly acc: Float64Array
  private readonly share: Float64Array
  private readonly best: Float64Array
  private readonly bestOf: Int32Array

  /**
   * @param playlists each playlist's items (dense ids below `items`, repeats allowed and counted once)
   * @param items number of distinct items
   */
  constructor(playlists: readonly (readonly number[])[], readonly items: number, opts: CooccurrenceOptions = {}) {
    this.alpha = opts.alpha ?? DEFAULT_COOCCURRENCE_ALPHA
    if (!(this.alpha >= 0 && this.alpha <= 1)) throw new SegueError('E_BAD_ARGUMENT', `alpha must be in [0, 1], got ${opts.alpha}`)
    const lists = playlists.map((p) => distinct(p, items))
    this.listPtr = new Int32Array(lists.length + 1)
    lists.forEach((l, i) => (this.listPtr[i + 1] = this.listPtr[i] + l.length))
    this.listItems = new Int32Array(this.listPtr[lists.length])
    lists.forEach((l, i) => this.listItems.set(l, this.listPtr[i]))
    this.counts = new Int32Array(items)
    for (const it of this.listItems) this.counts[it]++
    this.itemPtr = new Int32Array(items + 1)
    for (let i = 0; i < items; i++) this.itemPtr[i + 1] = this.itemPtr[i] + this.counts[i]
    this.itemPlaylists = new Int32Array(this.listItems.length)
    const fill = this.itemPtr.slice(0, items)
    lists.forEach((l, p) => l.forEach((it) => (this.itemPlaylists[fill[it]++] = p)))
    this.acc = new Float64Array(items)
    this.share = new Float64Array(items)
    this.best = new Float64Array(items)
    this.bestOf = new Int32Array(items)
  }

  /** True when some playlist holds the item: only then can it say anything. */
  covers(item: number): boolean {
    return item >= 0 && item < this.items && this.counts[item] > 0
  }

  /** Tracks most often in playlists with `item`, by the normalised count. */
  similarTracks(item: number, q: CooccurrenceQuery): CooccurrenceHit[] {
    return this.recommendForHistory([{ item, weight: 1 }], q)
  }

  /**
   * Fold-in of a listener: the weighted sum, over their tracks, of each track's normalised co-occurrences, best
   * first (ties by item id); the history's own items are left out. Each hit names the history item with the
   * largest share, which explains it ("Often in playlists with X").
   */
  recommendForHistory(history: readonly WeightedItem[], q: CooccurrenceQuery): CooccurrenceHit[] {
    const alpha = q.alpha ?? this.alpha
    const touched: number[] = []
    const own = new Set(history.map((h) => h.item))
    for (const h of mergeHistory(history)) {
      if (!this.covers(h.item)) continue
      const unit = h.weight / this.counts[h.item] ** alpha
      const mine: number[] = []
      for (let e = this.itemPtr[h.item]; e < this.itemPtr[h.item + 1]; e++) {
        const p = this.itemPlaylists[e]
        for (let f = this.listPtr[p]; f < this.listPtr[p + 1]; f++) {
          const j = this.listItems[f]
          if (this.share[j] === 0) mine.push(j)
          this.share[j] += unit
        }
      }
      for (const j of mine) {
        if (this.acc[j] === 0) touched.push(j)
        this.acc[j] += this.share[j]
        if (this.share[j] > this.best[j]) [this.best[j], this.bestOf[j]] = [this.share[j], h.item]
        this.share[j] = 0
      }
    }
    const hits: CooccurrenceHit[] = []
    for (const j of touched) {
      if (!own.has(j) && (!q.accept || q.accept(j)) && !q.exclude?.(j)) {
        hits.push({ item: j, score: this.acc[j] / this.counts[j] ** (1 - alpha), because: this.bestOf[j] })
      }
      this.acc[j] = 0
      this.best[j] = 0
    }
    return topN(hits, q.n)
  }

  /**
   * What the product's "Listeners like you" lists from playlists: the item co-occurrence fold-in
   * (recommendForHistory) fused by reciprocal rank with the votes of the playlists most like the listener's
   * tracks (user-based kNN), which on the continuation task beat either alone (see DEFAULT_BLEND).
   */
  recommend(history: readonly WeightedItem[], q: BlendQuery): CooccurrenceHit[] {
    const { neighbours, neighbourShare, fusionK } = { ...DEFAULT_BLEND, ...definedOnly(q) }
    const items = this.recommendForHistory(history, q)
    if (neighbours <= 0 || neighbourShare <= 0) return items
    const own = new Set(history.map((h) => h.item))
    const votes: CooccurrenceHit[] = []
    for (const [item, v] of neighbourVotes(this, history, neighbours)) {
      if (!own.has(item) && (!q.accept || q.accept(item)) && !q.exclude?.(item)) votes.push({ item, score: v.score, because: v.because })
    }
    return fuseHits(items, 1 - neighbourShare, topN(votes, q.n), neighbourShare, fusionK).slice(0, q.n)
  }
}

/** The query's blend fields that are set (an explicit undefined keeps the default). */
function definedOnly(q: BlendQuery): Partial<BlendQuery> {
  return Object.fromEntries(Object.entries({ neighbours: q.neighbours, neighbourShare: q.neighbourShare, fusionK: q.fusionK }).filter(([, v]) => v !== undefined))
}

/**
 * Playlists most like a listener's tracks (user-based kNN with playlists as users): a playlist's similarity is
 * the summed weight of the listener's tracks it holds over sqrt(its length) (cosine, the listener's own norm
 * being the same for every playlist); the k most similar vote for their tracks, each vote the similarity over
 * sqrt(the voter's length). `because` is the heaviest of the listener's tracks in the strongest voter.
 */
function neighbourVotes(m: PlaylistLists, history: readonly WeightedItem[], k: number): Map<number, { score: number; because: number; best: number }> {
  const sims = new Map<number, { sim: number; heaviest: number; weight: number }>()
  for (const h of mergeHistory(history)) {
    if (h.item < 0 || h.item >= m.itemPtr.length - 1) continue
    for (let e = m.itemPtr[h.item]; e < m.itemPtr[h.item + 1]; e++) {
      const p = m.itemPlaylists[e]
      const s = sims.get(p)
      if (!s) sims.set(p, { sim: h.weight, heaviest: h.item, weight: h.weight })
      else {
        s.sim += h.weight
        if (h.weight > s.weight) [s.heaviest, s.weight] = [h.item, h.weight]
      }
    }
  }
  const length = (p: number) => m.listPtr[p + 1] - m.listPtr[p]
  const voters = [...sims].map(([p, s]) => ({ p, ...s, sim: s.sim / Math.sqrt(length(p)) }))
  voters.sort((a, b) => b.sim - a.sim || a.p - b.p)
  const votes = new Map<number, { score: number; because: number; best: number }>()
  for (const v of voters.slice(0, k)) {
    const vote = v.sim / Math.sqrt(length(v.p))
    for (let f = m.listPtr[v.p]; f < m.listPtr[v.p + 1]; f++) {
      const j = m.listItems[f]
      const got = votes.get(j)
      if (!got) votes.set(j, { score: vote, because: v.heaviest, best: vote })
      else {
        got.score += vote
        if (vote > got.best) [got.because, got.best] = [v.heaviest, vote]
      }
    }
  }
  return votes
}

/** The CSR lists neighbourVotes reads. */
interface PlaylistLists {
  itemPtr: Int32Array
  itemPlaylists: Int32Array
  listPtr: Int32Array
  listItems: Int32Array
}

/** Reciprocal-rank fusion of two hit lists, weight / (k + rank) summed; `because` from the list that gave more. */
function fuseHits(a: readonly CooccurrenceHit[], wa: number, b: readonly CooccurrenceHit[], wb: number, k: number): CooccurrenceHit[] {
  const merged = new Map<number, CooccurrenceHit & { part: number }>()
  const add = (list: readonly CooccurrenceHit[], w: number) =>
    list.forEach((h, rank) => {
      const s = w / (k + rank + 1)
      const m = merged.get(h.item)
      if (!m) merged.set(h.item, { ...h, score: s, part: s })
      else {
        m.score += s
        if (s > m.part) [m.because, m.part] = [h.because, s]
      }
    })
  add(a, wa)
  add(b, wb)
  return topN([...merged.values()].map(({ item, score, because }) => ({ item, score, because })), Infinity)
}

/** One entry per item, weights summed (a track both liked and picked counts once, with both weights). */
function mergeHistory(history: readonly WeightedItem[]): WeightedItem[] {
  const w = new Map<number, number>()
  for (const h of history) if (h.weight > 0) w.set(h.item, (w.get(h.item) ?? 0) + h.weight)
  return [...w].map(([item, weight]) => ({ item, weight }))
}

function distinct(items: readonly number[], size: number): number[] {
  const out = [...new Set(items)]
  for (const it of out) {
    if (!Number.isInteger(it) || it < 0 || it >= size) throw new SegueError('E_BAD_ARGUMENT', `playlist item ${it} is outside 0..${size - 1}`)
  }
  return out
}

function topN(hits: CooccurrenceHit[], n: number): CooccurrenceHit[] {
  return hits.sort((a, b) => b.score - a.score || a.item - b.item).slice(0, n)
}

/**
 * Track co-occurrence joined to the catalogue: the playlists' tracks (all of them, so the model learns from
 * every playlist) and, for those the catalogue has, their catalogue row, so a listener's tracks become the
 * model's items and its items become tracks the app can show.
 */
export class CatalogueCooccurrence {
  private readonly itemsByRow = new Map<number, number[]>()

  /**
   * @param rowOfItem catalogue row of each playlist track, -1 where the catalogue lacks it (linkPlaylistTracks)
   */
  constructor(readonly model: TrackCooccurrence, readonly rowOfItem: Int32Array) {
    if (rowOfItem.length !== model.items) throw new SegueError('E_BAD_ARGUMENT', `rowOfItem has ${rowOfItem.length} entries for ${model.items} tracks`)
    rowOfItem.forEach((row, item) => {
      if (row < 0) return
      const items = this.itemsByRow.get(row)
      if (items) items.push(item)
      else this.itemsByRow.set(row, [item])
    })
  }

  /** Catalogue rows some playlist track links to. */
  get linkedRows(): number {
    return this.itemsByRow.size
  }

  /** The playlist tracks of a catalogue row that some playlist holds (none: the playlists do not cover it). */
  coveredItems(row: number): number[] {
    return (this.itemsByRow.get(row) ?? []).filter((item) => this.model.covers(item))
  }
}

/** What loading playlists for the service did, for its start-up log. */
export interface PlaylistsLoaded {
  taste: CatalogueCooccurrence
  report: PlaylistsReport
  /** How playlist tracks were linked to the catalogue (by id, by first artist and title). */
  link: PlaylistLink
  seconds: number
}

/**
 * Reads playlists (any layout readPlaylists knows), links their tracks to catalogue rows (linkPlaylistTracks: by
 * id, then by first artist and title) and builds the track co-occurrence model over all of them.
 */
export async function loadPlaylistTaste(path: string, view: CatalogueView, opts: LongWorkOptions & CooccurrenceOptions = {}): Promise<PlaylistsLoaded> {
  const started = performance.now()
  const { set, report } = await readPlaylists(path, { signal: opts.signal, onProgress: opts.onProgress })
  const link = linkPlaylistTracks(set, view.tracks)
  const model = new TrackCooccurrence(set.playlists.map((p) => p.tracks), set.tracks.length, { alpha: opts.alpha })
  return { taste: new CatalogueCooccurrence(model, link.rowOf), report, link, seconds: (performance.now() - started) / 1000 }
}
