import { SegueError } from '../../core/errors.js'
import { linkPlaylistTracks } from '../../data/playlists/link.js'
import type { PlaylistSet } from '../../data/playlists/types.js'
import type { CatalogueView, Engine } from '../../engine.js'
import { PopularityOrder, fillList } from './fill.js'
import { TitleContinuation } from './title.js'
import type { ContinuationModel, ContinuationQuery, ContinuationTrain } from './types.js'

/** For each set track, its catalogue row, or -1 when the catalogue does not have it. */
export type TrackLinker = (set: PlaylistSet, view: CatalogueView) => Int32Array

/** Links by Spotify track id alone. */
export const linkById: TrackLinker = (set, view) => Int32Array.from(set.tracks, (t) => view.rowOf.get(t.id) ?? -1)

/** The playlist readers' linking: by Spotify track id, then by (first artist, title) for ids the catalogue lacks. */
export const linkByIdThenName: TrackLinker = (set, view) => linkPlaylistTracks(set, view.tracks).rowOf

/**
 * Content kNN: the seeds that the catalogue has are averaged into one vector of the engine's audio-feature
 * pipeline, and the catalogue's nearest rows (the engine's own cosine search) that are training tracks of the
 * playlist set come back, nearest first. Only catalogue-linked tracks can be found this way (a few thousand of
 * the sample's 200,000); the rest of the list comes from the title model, then popularity.
 */
export class ContentKnnContinuation implements ContinuationModel {
  readonly name = 'content-knn'
  private view?: CatalogueView
  /** Catalogue row of each set track (-1: not in the catalogue). */
  private rowOfTrack: Int32Array = new Int32Array(0)
  /** Set tracks (training ones only) at each linked catalogue row. */
  private tracksAtRow = new Map<number, number[]>()
  private popular?: PopularityOrder
  private readonly title = new TitleContinuation()

  constructor(
    private readonly engine: Engine,
    private readonly link: TrackLinker = linkByIdThenName,
  ) {}

  async fit(train: ContinuationTrain): Promise<void> {
    const view = await this.engine.catalogue()
    const popular = PopularityOrder.of(train.interactions)
    this.rowOfTrack = this.link(train.set, view)
    this.tracksAtRow = new Map()
    // Most popular first, so a row several set tracks link to lists its best-known one first.
    for (const t of popular.order) {
      const row = this.rowOfTrack[t]
      if (row < 0) continue
      const at = this.tracksAtRow.get(row)
      if (at) at.push(t)
      else this.tracksAtRow.set(row, [t])
    }
    await this.title.fit(train)
    this.view = view
    this.popular = popular
  }

  async continue(query: ContinuationQuery, n: number): Promise<number[]> {
    if (!this.view || !this.popular) throw new SegueError('E_BAD_ARGUMENT', `${this.name}: the model is not fitted yet; call fit() first`)
    const own = await this.nearestTracks(this.view, query.seeds, n)
    const byTitle = own.length < n ? this.title.titleTracks(query.title, n + query.seeds.length + own.length) : []
    return fillList(n, query.seeds, [own, byTitle, this.popular.top(n + query.seeds.length)])
  }

  private async nearestTracks(view: CatalogueView, seeds: readonly number[], n: number): Promise<number[]> {
    const seedRows = new Set(seeds.map((t) => this.rowOfTrack[t] ?? -1).filter((r) => r >= 0))
    if (seedRows.size === 0) return []
    const query = meanVector(view, seedRows)
    const hits = await view.nearest(query, Math.min(n, this.tracksAtRow.size), () => (row) => this.tracksAtRow.has(row) && !seedRows.has(row))
    return hits.flatMap((h) => this.tracksAtRow.get(h.index) ?? [])
  }
}

/** The mean of the rows' unit-length vectors (cosine search reads only its direction). */
function meanVector(view: CatalogueView, rows: ReadonlySet<number>): Float32Array {
  const out = new Float32Array(view.dims)
  for (const row of rows) {
    const v = view.vector(row)
    let norm = 0
    for (let i = 0; i < v.length; i++) norm += v[i] * v[i]
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0
    for (let i = 0; i < v.length; i++) out[i] += v[i] * scale
  }
  return out
}
