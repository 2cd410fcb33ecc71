import { SegueError } from '../core/errors.js'
import type { Track } from '../core/track.js'
import type { CatalogueView, FeatureMatch } from '../engine.js'
import { hygieneFilter, SameTitleGuard } from '../rerank/hygiene.js'
import { representativeRows } from '../rerank/recording.js'
import { DEFAULT_FOR_YOU_PARAMS } from './for-you-params.js'

export const MAX_SEEDS = 5

export interface PlaylistOptions {
  /** Tracks drawn around each seed (default DEFAULT_FOR_YOU_PARAMS.playlistPerSeed). */
  perSeed?: number
  /** Length of the playlist (default seeds x perSeed); rounds continue past perSeed when it is larger. */
  total?: number
  /** At most this many tracks by one artist (default DEFAULT_FOR_YOU_PARAMS.playlistPerArtist). */
  maxPerArtist?: number
  /** Track rows never to include (a listener's skips and dislikes), nor any other release of their recordings. */
  exclude?: ReadonlySet<number>
  /** Rows the listener liked or played: with the seeds, the history whose classes hygiene allows (rerank/hygiene.ts). */
  history?: Iterable<number>
  /** When given, only rows it accepts (a mood filter); each seed then reaches further for the same length. */
  accept?: (row: number) => boolean
}

export interface PlaylistItem {
  track: Track
  /** The seed this track was drawn around. */
  seedId: string
  /** Cosine similarity to that seed. */
  score: number
  because: FeatureMatch[]
}

export interface Playlist {
  seeds: Track[]
  items: PlaylistItem[]
}

/**
 * A playlist grown from up to five seeds: each seed's nearest tracks, taken a seed at a time in turn so the
 * seeds share the list evenly; no recording twice (each shown as its most popular release), no release of a
 * seed or of an excluded track, and at most `maxPerArtist` tracks per artist. A seed whose neighbourhood runs
 * dry asks for more neighbours.
 */
export async function buildPlaylist(view: CatalogueView, seedIds: readonly string[], opts: PlaylistOptions = {}): Promise<Playlist> {
  const rows = checkSeeds(view, seedIds)
  const perSeed = opts.perSeed ?? DEFAULT_FOR_YOU_PARAMS.playlistPerSeed
  const total = opts.total ?? rows.length * perSeed
  const maxPerArtist = opts.maxPerArtist ?? DEFAULT_FOR_YOU_PARAMS.playlistPerArtist
  // Keys of recordings that may not appear: the seeds', the excluded ones' and, as the list grows, those taken.
  const takenKeys = new Set([...rows, ...(opts.exclude ?? [])].map((r) => view.dupKeys[r]))
  const reps = representativeRows(view.tracks, view.dupKeys, view.rowOf)
  const perArtist = new Map<string, number>()
  // No kids, karaoke or cover tracks unless the seeds or the listener's history ask for them.
  const clean = hygieneFilter(view.tracks, [...rows, ...(opts.history ?? [])])
  // One track per title by different artists, seeds included: no cover beside the seed or beside another pick.
  const titles = new SameTitleGuard(view.tracks)
  for (const row of rows) titles.take(row)
  const usable = (row: number) =>
    !takenKeys.has(view.dupKeys[row]) && view.tracks[reps[row]].artists.every((a) => (perArtist.get(a) ?? 0) < maxPerArtist) && clean(reps[row]) && titles.admits(reps[row]) && (opts.accept?.(reps[row]) ?? true)
  const queues = rows.map((row) => new SeedQueue(view, row, perSeed * 3 + 10))
  const items: PlaylistItem[] = []
  while (items.length < total && queues.some((q) => !q.exhausted)) {
    for (let s = 0; s < queues.length && items.length < total; s++) {
      const hit = await queues[s].next(usable)
      if (!hit) continue
      const t = view.tracks[reps[hit.row]]
      takenKeys.add(view.dupKeys[hit.row])
      titles.take(reps[hit.row])
      for (const a of t.artists) perArtist.set(a, (perArtist.get(a) ?? 0) + 1)
      const seed = view.tracks[rows[s]]
      items.push({ track: t, seedId: seed.id, score: Math.max(0, 1 - hit.distance), because: view.explain(seed, t, 3) })
    }
  }
  return { seeds: rows.map((r) => view.tracks[r]), items }
}

function checkSeeds(view: CatalogueView, seedIds: readonly string[]): number[] {
  if (seedIds.length === 0 || seedIds.length > MAX_SEEDS) {
    throw new SegueError('E_BAD_ARGUMENT', `a playlist needs 1 to ${MAX_SEEDS} seed tracks, got ${seedIds.length}`)
  }
  const seen = new Set<string>()
  return seedIds.map((id) => {
    if (seen.has(id)) throw new SegueError('E_BAD_ARGUMENT', `seed '${id}' is given twice`)
    seen.add(id)
    const row = view.rowOf.get(id)
    if (row === undefined) throw new SegueError('E_NOT_FOUND', `no track has the id '${id}'`)
    return row
  })
}

/** One seed's neighbours, nearest first, fetched in growing batches as the playlist consumes them. */
class SeedQueue {
  private hits: { row: number; distance: number }[] = []
  private pos = 0
  private fetched = 0
  exhausted = false

  constructor(private readonly view: CatalogueView, private readonly seedRow: number, private batch: number) {}

  async next(usable: (row: number) => boolean): Promise<{ row: number; distance: number } | null> {
    for (;;) {
      while (this.pos < this.hits.length) {
        const h = this.hits[this.pos++]
        if (usable(h.row)) return h
      }
      if (this.fetched >= this.view.tracks.length || this.fetched >= 5000) {
        this.exhausted = true
        return null
      }
      await this.fetchMore()
    }
  }

  private async fetchMore(): Promise<void> {
    const k = Math.min(this.view.tracks.length, this.fetched + this.batch)
    const hits = await this.view.nearest(this.view.vector(this.seedRow), k, () => (row) => row !== this.seedRow)
    this.hits = hits.slice(this.fetched).map((h) => ({ row: h.index, distance: h.distance }))
    this.pos = 0
    this.fetched = k
    this.batch *= 2
  }
}
