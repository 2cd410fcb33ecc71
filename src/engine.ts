import { existsSync, rmSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { join, resolve } from 'node:path'
import { SegueError, isSegueError } from './core/errors.js'
import { loadArtifact, saveArtifact } from './core/artifact.js'
import type { LongWorkOptions } from './core/progress.js'
import { AUDIO_FEATURES, type Track } from './core/track.js'
import type { ImportReport } from './data/read-catalogue.js'
import { FeaturePipeline, DEFAULT_PIPELINE, type PipelineConfig } from './features/pipeline.js'
import { CONTINUOUS_AUDIO } from './features/config.js'
import { createExactIndex } from './index/exact.js'
import { loadExactOrder, saveExactOrder } from './index/exact-layout.js'
import { SPARSE_MAX_DENSITY, SparseExactIndex, denseRow, density, toDense, toSparseRows, type SparseRows } from './index/exact-sparse.js'
import type { Metric, Neighbour, VectorIndex } from './index/types.js'
import { RerankedIndex } from './index/rerank.js'
import { TrackSearch, type SearchHit } from './search/track-search.js'
import { ArtistCatalogue, type ArtistTaste, type ArtistTrack } from './models/hybrid/artist-tracks.js'
import { collapseDuplicates } from './similar/dedupe.js'
import { recordingKeys } from './rerank/recording.js'
import { acceptedNeighbours, filteredNeighbours, type SimilarFilters } from './similar/similar.js'
import { openStore } from './store/open.js'
import { loadSnapshot, saveSnapshot, type CatalogueSnapshot } from './engine-snapshot.js'
import type { ImportOutcome, Store } from './store/store.js'

export interface EngineOptions {
  /** Folder holding the store and saved artifacts (default: SEGUE_HOME or ./.segue). */
  home?: string
  /**
   * Where the data lives: a PostgreSQL URL (postgres://...) so several servers can share one database, or a
   * SQLite file path. Default: segue.db inside `home`.
   */
  store?: string
  /** PostgreSQL standbys of `store` for reads that tolerate lag (src/store/replicated.ts). */
  storeReplicas?: readonly string[]
  /** Feature pipeline settings; artifacts are rebuilt when these change. */
  pipeline?: Partial<PipelineConfig>
  /**
   * Catalogues at least this large use the approximate index unless asked otherwise, or unless exact cosine
   * search over their sparse vectors scores only a few rows per query (see pickMode).
   */
  annThreshold?: number
  /** Where notices go (a damaged artifact being rebuilt); default: stderr. */
  onWarning?: (message: string) => void
  /**
   * 'reuse' (default): load what earlier starts saved (catalogue snapshot, search index, exact-index order)
   * when the catalogue version and config match, else build and save it. 'rebuild': build everything afresh
   * on every start and save nothing, as segue did before these artifacts existed (for comparisons).
   * Default: 'rebuild' when the environment has SEGUE_ARTIFACTS=rebuild, else 'reuse'.
   */
  artifacts?: 'reuse' | 'rebuild'
  /**
   * Make each catalogue track only when first read (from a saved snapshot): for one-shot commands, which read
   * a few dozen tracks of ~90k. Whole-catalogue work (stats, serving) is faster with the default, eager load.
   */
  lazyTracks?: boolean
}

/** How one derived piece of the engine came to be on this start, and how long that took. */
export interface LoadStep {
  origin: 'loaded' | 'built'
  ms: number
}

export type SearchMode = 'exact' | 'ann' | 'auto'

export interface SimilarOptions extends Partial<SimilarFilters> {
  k?: number
  metric?: Metric
  mode?: SearchMode
  /** How many audio features to list in each result's explanation. */
  explainTop?: number
}

export interface SimilarItem {
  track: Track
  distance: number
  /** Similarity in [0, 1]: 1 - cosine distance, or 1 / (1 + distance) for the other metrics. */
  score: number
  /** The audio features on which the two tracks are closest, in original units. */
  because: FeatureMatch[]
  sharedGenres: string[]
}

export interface SimilarResult {
  seed: Track
  /** How the seed was found: an exact id, or the best match of a text search. */
  resolvedBy: 'id' | 'search'
  mode: 'exact' | 'ann'
  metric: Metric
  items: SimilarItem[]
}

/** One audio feature on which two tracks are close, in original units. */
export interface FeatureMatch {
  feature: string
  seed: number
  track: number
  contribution: number
}

/**
 * The loaded catalogue, read-only, for services that score tracks themselves (listener recommendations,
 * playlists). Rows are positions in `tracks`; vectors are the fitted pipeline's output.
 */
export interface CatalogueView {
  readonly tracks: readonly Track[]
  readonly rowOf: ReadonlyMap<string, number>
  /** recordingKeys of the rows: releases of one recording share a key, the id of its most popular release. */
  readonly dupKeys: readonly string[]
  readonly dims: number
  /** The catalogue version the view was loaded from (what artifacts derived from it are keyed by). */
  readonly version: string
  /** Row `row`'s vector: a view of the dense matrix once one is made (see `artists`), else a fresh copy. */
  vector(row: number): Float32Array
  /**
   * The same vectors by their non-zero values, as loaded (nothing copied, no dense matrix made): for work over
   * every row, which would otherwise touch ~90 MB of dense zeros.
   */
  readonly sparse: SparseVectors
  /** Cosine similarity of two rows' vectors, in [-1, 1]. */
  cosine(a: number, b: number): number
  /** The continuous audio features on which `track` is closest to `seed`, closest first. */
  explain(seed: Track, track: Track, top: number): FeatureMatch[]
  /**
   * The k rows nearest to a query vector by cosine distance that `makeAccept()` accepts (a fresh predicate
   * per widening round, so it may keep state).
   */
  nearest(query: Float32Array, k: number, makeAccept: () => (row: number) => boolean): Promise<Neighbour[]>
  /** Made on first read, with the dense n x dims matrix it needs (about 90 MB for the 114k catalogue). */
  readonly artists: ArtistCatalogue
}

/** Row r's non-zero columns and values are cols/vals[indptr[r] .. indptr[r + 1]], in column order. */
export interface SparseVectors {
  readonly indptr: Int32Array
  readonly cols: Uint16Array | Int32Array
  readonly vals: Float32Array
  /** Each row's squared length, summed in column order (the dense sum bit for bit: the zeros add nothing). */
  readonly squares: Float64Array
}

export interface CatalogueStats {
  tracks: number
  artists: number
  genres: { name: string; tracks: number }[]
  features: { name: string; min: number; median: number; max: number; mean: number }[]
  releaseYears: { min: number; max: number } | null
  version: string | null
}

/**
 * Features worth naming as a reason two tracks are alike. Mode, key and time signature match between most
 * pairs of tracks (most songs are in 4/4), so naming them says nothing; shared genres are listed apart.
 */
const EXPLAINED_FEATURES: ReadonlySet<string> = new Set(CONTINUOUS_AUDIO)

/**
 * Below these values a feature is simply absent (most songs have vocals and no rap), so two tracks both
 * sitting there are not alike in any way worth naming.
 */
const ABSENT_BELOW: Readonly<Record<string, number>> = { instrumentalness: 0.05, speechiness: 0.06 }

/** The most neighbours asked of the approximate index before falling back to exact search. */
const ANN_MAX_FETCH = 2000
/**
 * 'auto' answers exactly, whatever the catalogue's size, when the bounded exact cosine search scores at most
 * this share of the rows per query (SparseExactIndex.scoredShare): then it beats the graph, which reads about
 * 2,000 rows' i8 vectors per query at ef 64. Measured on the bundled catalogue (89,741 rows): 1.3%, 81 us per
 * query against the graph's 154 us (`npm run bench -- exact-bounded`).
 */
const PRUNED_EXACT_MAX_SHARE = 0.05

/**
 * The graph stores i8 vectors (a quarter of f32's memory traffic per comparison) and its candidates are
 * re-scored exactly from the f32 rows (RerankedIndex). On the bundled catalogue's 255-dim vectors this
 * searches in about half the time of f32 at ef 64 with nearly the same recall@10 against exact search
 * (0.973 against 0.976 in a 1,000-query check), which a server answering thousands of queries a second needs.
 */
export const HNSW_PARAMS = { M: 16, efConstruction: 200, ef: 64, threads: 0, quantization: 'i8' } as const

/** The facade the shells use: a store, the catalogue it holds, the fitted pipeline and the indexes. */
export class Engine {
  readonly home: string
  readonly store: Store
  private readonly pipelineConfig: PipelineConfig
  private readonly annThreshold: number
  private readonly warn: (message: string) => void
  private readonly reuse: boolean
  private readonly lazyTracks: boolean
  private state: Promise<Loaded> | null = null
  /**
   * What this engine loaded from saved artifacts and what it built, by name: pipeline, catalogue (tracks,
   * vectors, duplicate keys), search, exact-<metric>, hnsw-<metric>; services add their own (listening, model).
   */
  readonly loadReport: Record<string, LoadStep> = {}

  private constructor(home: string, store: Store, opts: EngineOptions) {
    this.home = home
    this.store = store
    this.pipelineConfig = { ...DEFAULT_PIPELINE, ...opts.pipeline }
    this.annThreshold = opts.annThreshold ?? 200_000
    this.warn = opts.onWarning ?? ((m) => process.stderr.write(`segue: warning: ${m}\n`))
    this.lazyTracks = opts.lazyTracks ?? false
    this.reuse = (opts.artifacts ?? (process.env.SEGUE_ARTIFACTS === 'rebuild' ? 'rebuild' : 'reuse')) === 'reuse'
  }

  /** Records how a named piece came to be (see loadReport); returns its value. */
  noteLoad<T>(name: string, started: number, origin: LoadStep['origin'], value: T): T {
    this.loadReport[name] = { origin, ms: Math.round((performance.now() - started) * 10) / 10 }
    return value
  }

  static async open(opts: EngineOptions = {}): Promise<Engine> {
    const home = resolve(opts.home ?? process.env.SEGUE_HOME ?? '.segue')
    return new Engine(home, await openStore(opts.store ?? join(home, 'segue.db'), { replicas: opts.storeReplicas, onWarning: opts.onWarning }), opts)
  }

  /** Reads a catalogue file and adds it to the store; on any error the stored catalogue is unchanged. */
  async importCatalogue(
    path: string,
    opts: LongWorkOptions & { strict?: boolean; replace?: boolean } = {},
  ): Promise<{ report: ImportReport; outcome: ImportOutcome }> {
    // Loaded here, not at the top: commands that only query the catalogue never parse CSV.
    const { readCatalogue } = await import('./data/read-catalogue.js')
    const { tracks, report } = await readCatalogue(path, opts)
    const outcome = await this.store.upsertTracks(tracks, {
      replace: opts.replace,
      record: { source: resolve(path), layout: report.layout, report },
    })
    if (outcome.added + outcome.updated > 0 || opts.replace) this.state = null
    return { report, outcome }
  }

  /** From the stored catalogue record (one row), not a count over every track. */
  async isEmpty(): Promise<boolean> {
    const info = await this.store.catalogueInfo()
    return !info || info.tracks === 0
  }

  /** Typo-tolerant search over titles and artists; releases of the same recording appear once. */
  async search(text: string, limit = 10): Promise<SearchHit[]> {
    const s = await this.load()
    const hits = await this.searchIndex(s).searchAsync(text, { limit: limit * 3 })
    return collapseDuplicates(representativeHits(s, hits), (h) => h.track).slice(0, limit)
  }

  /** A track by exact id, or else the best text match; E_NOT_FOUND when neither finds one. */
  async resolveTrack(ref: string): Promise<{ track: Track; resolvedBy: 'id' | 'search' }> {
    const s = await this.load()
    const row = s.rowOf.get(ref)
    if (row !== undefined) return { track: s.tracks[row], resolvedBy: 'id' }
    const hit = this.searchIndex(s).search(ref, { limit: 1 })[0]
    if (!hit) throw new SegueError('E_NOT_FOUND', `no track has the id '${ref}' and no title or artist matches it`)
    return { track: hit.track, resolvedBy: 'search' }
  }

  /** Tracks that sound like the seed: nearest neighbours over the fitted feature vectors. */
  async similar(ref: string, opts: SimilarOptions = {}, work: LongWorkOptions = {}): Promise<SimilarResult> {
    const k = checkK(opts.k ?? 10)
    const metric = opts.metric ?? 'cosine'
    const { track: seed, resolvedBy } = await this.resolveTrack(ref)
    const s = await this.load()
    const row = s.rowOf.get(seed.id)!
    const filters: SimilarFilters = {
      excludeSeedArtist: opts.excludeSeedArtist ?? false,
      collapseDuplicates: opts.collapseDuplicates ?? true,
      genres: opts.genres ?? [],
      accept: opts.accept,
    }
    for (const g of filters.genres) if (!s.genreSet.has(g)) throw new SegueError('E_BAD_ARGUMENT', `unknown genre '${g}'`)
    const mode = this.pickMode(opts.mode ?? 'auto', s, metric)
    const query = rowVector(s, row)
    const neighbours = async (m: 'exact' | 'ann', maxFetch?: number) =>
      filteredNeighbours(await this.index(m, metric, work), s.tracks, s.dupKeys, row, query, k, filters, maxFetch, s.rowOf)
    let used = mode
    let hits = await neighbours(mode, mode === 'ann' ? Math.min(s.tracks.length, ANN_MAX_FETCH) : undefined)
    if (hits.length < k && mode === 'ann') {
      // Filters rejected most of what the graph offered (a rare genre, say): answer exactly instead.
      used = 'exact'
      hits = await neighbours('exact')
    }
    // query is the seed's row vector: decoded once for all the explanations.
    const items = hits.map((h) => this.describe(s, seed, query, s.tracks[h.index], h.distance, metric, opts.explainTop ?? 3))
    return { seed, resolvedBy, mode: used, metric, items }
  }

  /**
   * Tracks for artist-level taste (e.g. artists a collaborative model recommends): tracks by those artists,
   * ranked by the artist's weight and by closeness to the sound of the artists in `played`.
   */
  async tracksForArtists(candidates: readonly ArtistTaste[], played: readonly ArtistTaste[], n = 10): Promise<ArtistTrack[]> {
    return (await this.catalogue()).artists.recommend(candidates, { n, profile: played })
  }

  /** The loaded catalogue for services built on the engine (loading it first if need be). */
  async catalogue(work: LongWorkOptions = {}): Promise<CatalogueView> {
    const s = await this.load()
    const mode = this.pickMode('auto', s, 'cosine')
    const index = await this.index(mode, 'cosine', work)
    const dims = s.pipeline.dims
    const vector = (row: number) => rowVector(s, row)
    return {
      tracks: s.tracks,
      rowOf: s.rowOf,
      dupKeys: s.dupKeys,
      dims,
      version: s.version,
      vector,
      sparse: (s.sparse ??= sparseVectors(s.rows)),
      cosine: (a, b) => cosineOf(vector(a), vector(b)),
      explain: (seed, track, top) => this.because(s, seed, track, top),
      nearest: async (query, k, makeAccept) =>
        // Callers reject few rows (what a listener heard), so the first request asks for little more than k.
        acceptedNeighbours(index, query, k, makeAccept, mode === 'ann' ? Math.min(s.tracks.length, ANN_MAX_FETCH) : undefined, k + 16),
      // From the sparse rows and the id -> row map at hand: no 90 MB dense copy of the matrix is made for it.
      get artists() {
        return (s.artists ??= new ArtistCatalogue(s.tracks, s.rows, dims, s.dupKeys, s.rowOf))
      },
    }
  }

  /** Builds (or loads) the index for a metric ahead of use, with progress. */
  async prepare(mode: SearchMode, metric: Metric, work: LongWorkOptions = {}): Promise<void> {
    const s = await this.load()
    await this.index(this.pickMode(mode, s, metric), metric, work)
  }

  async stats(): Promise<CatalogueStats> {
    const s = await this.load()
    const genreCounts = new Map<string, number>()
    const artists = new Set<string>()
    let minYear = Infinity
    let maxYear = -Infinity
    for (const t of s.tracks) {
      for (const g of t.genres) genreCounts.set(g, (genreCounts.get(g) ?? 0) + 1)
      for (const a of t.artists) artists.add(a)
      if (t.releaseYear !== null) {
        minYear = Math.min(minYear, t.releaseYear)
        maxYear = Math.max(maxYear, t.releaseYear)
      }
    }
    return {
      tracks: s.tracks.length,
      artists: artists.size,
      genres: [...genreCounts].map(([name, tracks]) => ({ name, tracks })).sort((a, b) => b.tracks - a.tracks || a.name.localeCompare(b.name)),
      features: AUDIO_FEATURES.map((name, j) => summarize(name, s.tracks.map((t) => t.features[j]))),
      releaseYears: minYear <= maxYear ? { min: minYear, max: maxYear } : null,
      version: (await this.store.catalogueInfo())?.version ?? null,
    }
  }

  async close(): Promise<void> {
    const s = this.state ? await this.state.catch(() => null) : null
    for (const idx of s?.indexes.values() ?? []) await (await idx.catch(() => null))?.close()
    await s?.search?.close()
    await this.store.close()
  }

  /**
   * 'auto' takes the approximate index for large catalogues, except for Manhattan, which HNSW lacks, and except
   * where exact cosine search needs to score only a few rows per query (SparseExactIndex's bound: on the bundled
   * catalogue about 1.3%), which answers exactly, faster than the graph, and needs no graph built.
   */
  private pickMode(mode: SearchMode, s: Loaded, metric: Metric): 'exact' | 'ann' {
    if (mode !== 'auto') return mode
    if (s.tracks.length < this.annThreshold || metric === 'manhattan') return 'exact'
    return metric === 'cosine' && this.exactIsCheap(s, metric) ? 'exact' : 'ann'
  }

  /**
   * Whether the bounded exact search prunes well enough on this catalogue (PRUNED_EXACT_MAX_SHARE). Measuring it
   * lays out the bound's tables (about 0.1 s for 90k rows), so the answer is saved per catalogue and pipeline:
   * a later start or a one-shot command reads it instead.
   */
  private exactIsCheap(s: Loaded, metric: Metric): boolean {
    const sparse = this.sparseExact(s, metric)
    if (!sparse) return false
    if (sparse.cheap !== undefined) return sparse.cheap
    const path = this.artifactPath(`exact-${metric}-choice.art`)
    const key = `${s.key}:${metric}:${PRUNED_EXACT_MAX_SHARE}`
    const saved = this.reuse ? loadOrNull(() => loadExactChoice(path, key), path, this.warn) : null
    // Auto chose (or will choose) exact search because of the bound: a server, so its tables are laid out now.
    if (saved !== null) {
      if (saved) sparse.index.prepareBounds()
      return (sparse.cheap = saved)
    }
    const share = sparse.index.scoredShare()
    sparse.cheap = share <= PRUNED_EXACT_MAX_SHARE
    // The graph will serve: the measurement's tables would only hold memory.
    if (!sparse.cheap) sparse.index.releaseBounds()
    if (this.reuse) saveArtifact(path, { ...EXACT_CHOICE_ARTIFACT, key, meta: { share, cheap: sparse.cheap } }, {})
    return sparse.cheap
  }

  /**
   * The exact index straight over the sparse rows (null for denser vectors), and once pickMode has asked,
   * whether its bound prunes well.
   */
  private sparseExact(s: Loaded, metric: Metric): { index: SparseExactIndex; cheap?: boolean } | null {
    if (density(s.rows) > SPARSE_MAX_DENSITY) return null
    let found = s.sparseExact.get(metric)
    if (!found) s.sparseExact.set(metric, (found = { index: new SparseExactIndex(s.rows, metric) }))
    return found
  }

  private describe(s: Loaded, seed: Track, seedVector: Float32Array, t: Track, distance: number, metric: Metric, top: number): SimilarItem {
    const seedGenres = new Set(seed.genres)
    return {
      track: t,
      distance,
      score: metric === 'cosine' ? Math.max(0, 1 - distance) : 1 / (1 + distance),
      because: this.because(s, seed, t, top, seedVector),
      sharedGenres: t.genres.filter((g) => seedGenres.has(g)),
    }
  }

  /** `seedVector`: the seed's row vector when the caller has it. */
  private because(s: Loaded, seed: Track, t: Track, top: number, seedVector?: Float32Array): FeatureMatch[] {
    // The catalogue's own tracks already have their vectors in the matrix; anything else is encoded afresh.
    const vectorOf = (x: Track) => {
      const r = s.rowOf.get(x.id)
      return r !== undefined && s.tracks[r] === x ? rowVector(s, r) : undefined
    }
    const [va, vb] = [seedVector ?? vectorOf(seed), vectorOf(t)]
    return s.pipeline
      .explain(seed, t, Infinity, { vectors: va && vb ? { a: va, b: vb } : undefined, terms: false })
      .filter((e) => EXPLAINED_FEATURES.has(e.feature) && !(e.a < (ABSENT_BELOW[e.feature] ?? -Infinity) && e.b < (ABSENT_BELOW[e.feature] ?? -Infinity)))
      .slice(0, top)
      .map((e) => ({ feature: e.feature, seed: e.a, track: e.b, contribution: e.contribution }))
  }

  /** Loads the catalogue from the store and the fitted pipeline (from its artifact when still valid). */
  private load(): Promise<Loaded> {
    if (!this.state) {
      this.state = this.loadNow()
      // A failed load (empty catalogue, store down) is not remembered: the next call tries again.
      this.state.catch(() => { this.state = null })
    }
    return this.state
  }

  private async loadNow(): Promise<Loaded> {
    const info = await this.store.catalogueInfo()
    if (!info || info.tracks === 0) {
      throw new SegueError('E_EMPTY_CATALOGUE', 'the catalogue is empty: import one first (segue import <file>)')
    }
    const key = artifactKey(info.version, this.pipelineConfig)
    const started = performance.now()
    const pipelinePath = this.artifactPath('pipeline.art')
    const saved = this.reuse ? loadOrNull(() => FeaturePipeline.load(pipelinePath, key), pipelinePath, this.warn) : null
    if (saved) this.noteLoad('pipeline', started, 'loaded', saved)
    // The snapshot's vectors came from the saved pipeline, so it is only trusted alongside it.
    const snapshot = saved ? this.loadSnapshot(`${key}:${DERIVED_FINGERPRINT}`) : null
    const tracks = snapshot?.tracks ?? (await this.readTracks())
    const pipeline = saved ?? this.fitPipeline(tracks, pipelinePath, key)
    let built: Float32Array | undefined
    const derived = snapshot ?? this.buildSnapshot(tracks, (built = pipeline.transform(tracks)), pipeline.dims, `${key}:${DERIVED_FINGERPRINT}`)
    return {
      tracks: derived.tracks,
      rowOf: rowsById(derived.ids),
      dupKeys: derived.dupKeys,
      genreSet: new Set(derived.genres),
      pipeline,
      rows: derived.rows,
      dense: derived === snapshot ? null : built!,
      search: null,
      version: info.version,
      key,
      indexes: new Map(),
      sparseExact: new Map(),
    }
  }

  private async readTracks(): Promise<Track[]> {
    const started = performance.now()
    return this.noteLoad('tracks', started, 'built', await this.store.allTracks())
  }

  private fitPipeline(tracks: readonly Track[], path: string, key: string): FeaturePipeline {
    const started = performance.now()
    const pipeline = FeaturePipeline.fit(tracks, this.pipelineConfig)
    if (this.reuse) pipeline.save(path, key)
    return this.noteLoad('pipeline', started, 'built', pipeline)
  }

  private artifactPath(name: string): string {
    return join(this.home, 'artifacts', name)
  }

  private loadSnapshot(key: string): CatalogueSnapshot | null {
    const started = performance.now()
    const path = this.artifactPath('catalogue.art')
    const snapshot = loadOrNull(() => loadSnapshot(path, key, { lazy: this.lazyTracks }), path, this.warn)
    return snapshot ? this.noteLoad('catalogue', started, 'loaded', snapshot) : null
  }

  /** The pipeline's vectors, duplicate keys and genres of freshly read tracks, saved for the next start. */
  private buildSnapshot(tracks: Track[], matrix: Float32Array, dims: number, key: string): CatalogueSnapshot {
    const started = performance.now()
    const snapshot: CatalogueSnapshot = {
      tracks,
      ids: tracks.map((t) => t.id),
      rows: toSparseRows(matrix, dims),
      dupKeys: dupKeysOf(tracks),
      genres: [...new Set(tracks.flatMap((t) => t.genres))],
    }
    if (this.reuse) saveSnapshot(this.artifactPath('catalogue.art'), key, snapshot)
    return this.noteLoad('catalogue', started, 'built', snapshot)
  }

  /**
   * The text search index, loaded or built on first use: a one-shot command given a track id never needs it.
   * Keyed by the catalogue version alone (it does not depend on the feature pipeline).
   */
  private searchIndex(s: Loaded): TrackSearch {
    if (s.search) return s.search
    const started = performance.now()
    const path = this.artifactPath('search.art')
    const loaded = this.reuse ? loadOrNull(() => TrackSearch.load(path, s.version, s.tracks), path, this.warn) : null
    if (loaded) return (s.search = this.noteLoad('search', started, 'loaded', loaded))
    const built = new TrackSearch(s.tracks)
    if (this.reuse) built.save(path, s.version)
    return (s.search = this.noteLoad('search', started, 'built', built))
  }

  /** Loads the text search index now and starts its worker thread (a server does, so searches never block it). */
  async prepareSearch(): Promise<void> {
    this.searchIndex(await this.load()).startThread()
  }

  private async index(mode: 'exact' | 'ann', metric: Metric, work: LongWorkOptions): Promise<VectorIndex> {
    const s = await this.load()
    const name = `${mode}-${metric}`
    let idx = s.indexes.get(name)
    if (!idx) {
      // The promise is kept, not the index, so concurrent first requests share one build.
      idx = mode === 'exact' ? Promise.resolve(this.exactIndex(s, metric)) : this.annIndex(s, metric, work)
      s.indexes.set(name, idx)
      idx.catch(() => s.indexes.delete(name))
    }
    return idx
  }

  /**
   * The exact index: straight over the sparse rows when the vectors are mostly zeros (nothing to build), else
   * the blocked kernels' layout, whose dimension order (the only part that takes a search to choose) is saved.
   */
  private exactIndex(s: Loaded, metric: Metric): VectorIndex {
    const started = performance.now()
    const sparse = this.sparseExact(s, metric)
    if (sparse) return this.noteLoad(`exact-${metric}`, started, 'loaded', sparse.index)
    const path = this.artifactPath(`exact-${metric}.art`)
    const key = `${s.key}:${metric}`
    const order = this.reuse ? loadOrNull(() => loadExactOrder(path, key, s.pipeline.dims), path, this.warn) : null
    const idx = createExactIndex(this.denseMatrix(s), s.pipeline.dims, metric, { backend: 'auto', order: order ?? undefined })
    if (!order && this.reuse) saveExactOrder(path, key, idx.order)
    return this.noteLoad(`exact-${metric}`, started, order ? 'loaded' : 'built', idx)
  }

  /**
   * The vectors as a dense n x dims matrix, made on first need and noted in loadReport as 'dense': a later
   * start needs it only for building an index.
   */
  private denseMatrix(s: Loaded): Float32Array {
    if (s.dense) return s.dense
    const started = performance.now()
    return (s.dense = this.noteLoad('dense', started, 'built', toDense(s.rows)))
  }

  private async annIndex(s: Loaded, metric: Metric, work: LongWorkOptions): Promise<VectorIndex> {
    const started = performance.now()
    // The native HNSW packages load only when the approximate index is used (never by a one-shot exact query).
    const { createHnswIndex, loadHnswArtifact, saveHnswArtifact } = await import('./index/hnsw.js')
    const path = this.artifactPath(`hnsw-${metric}.art`)
    const key = `${s.key}:${metric}:${JSON.stringify(HNSW_PARAMS)}`
    const loaded = loadOrNull(() => loadHnswArtifact(path, key), path, this.warn)
    // Candidates are re-scored from the sparse rows: no dense copy of the matrix is made for it.
    if (loaded) return this.noteLoad(`hnsw-${metric}`, started, 'loaded', new RerankedIndex(loaded, s.rows))
    const idx = await createHnswIndex(this.denseMatrix(s), s.pipeline.dims, metric, { ...HNSW_PARAMS, ...work })
    saveHnswArtifact(path, idx, key)
    return this.noteLoad(`hnsw-${metric}`, started, 'built', new RerankedIndex(idx, s.rows))
  }
}

interface Loaded {
  tracks: Track[]
  rowOf: Map<string, number>
  dupKeys: string[]
  genreSet: Set<string>
  pipeline: FeaturePipeline
  /** The pipeline's vectors by their non-zero values (as saved in the snapshot). */
  rows: SparseRows
  /** The same vectors as a dense n x dims matrix, made on first need (denseMatrix): a one-shot query never needs it. */
  dense: Float32Array | null
  /** Built or loaded on first use (searchIndex). */
  search: TrackSearch | null
  /** The catalogue version these were derived from. */
  version: string
  /** Catalogue version and pipeline config: what the vectors and the indexes over them depend on. */
  key: string
  indexes: Map<string, Promise<VectorIndex>>
  /** Exact indexes over the sparse rows by metric, made on first need (sparseExact). */
  sparseExact: Map<Metric, { index: SparseExactIndex; cheap?: boolean }>
  artists?: ArtistCatalogue
  sparse?: SparseVectors
}

/** id -> row, filled in a loop: mapping to [id, row] pairs first would make 90k short-lived arrays per start. */
function rowsById(ids: readonly string[]): Map<string, number> {
  const out = new Map<string, number>()
  for (let i = 0; i < ids.length; i++) out.set(ids[i], i)
  return out
}

function sparseVectors(rows: SparseRows): SparseVectors {
  const squares = new Float64Array(rows.size)
  for (let r = 0; r < rows.size; r++) {
    let s = 0
    for (let p = rows.indptr[r]; p < rows.indptr[r + 1]; p++) s += rows.vals[p] * rows.vals[p]
    squares[r] = s
  }
  return { indptr: rows.indptr, cols: rows.cols, vals: rows.vals, squares }
}


/** Row `row`'s vector: a view of the dense matrix when there is one, else a copy from the sparse rows. */
function rowVector(s: Loaded, row: number): Float32Array {
  const dims = s.rows.dims
  return s.dense ? s.dense.subarray(row * dims, (row + 1) * dims) : denseRow(s.rows, row)
}

/**
 * Each hit shown as its recording's most popular release (a recording key is its representative's id), once
 * per recording, at the best rank any of its releases reached.
 */
function representativeHits(s: Loaded, hits: readonly SearchHit[]): SearchHit[] {
  const seen = new Set<string>()
  const out: SearchHit[] = []
  for (const h of hits) {
    const row = s.rowOf.get(h.track.id)
    const key = row === undefined ? h.track.id : s.dupKeys[row]
    if (seen.has(key)) continue
    seen.add(key)
    const rep = s.rowOf.get(key)
    out.push(rep === undefined ? h : { ...h, track: s.tracks[rep] })
  }
  return out
}

/** Reads an artifact; a damaged or outdated one is deleted and reported as absent so the caller rebuilds it. */
/** Whether auto mode answers exactly on a catalogue (Engine.exactIsCheap), saved so it is measured once. */
const EXACT_CHOICE_ARTIFACT = { kind: 'exact-choice', version: 1 } as const

function loadExactChoice(path: string, key: string): boolean {
  const { header } = loadArtifact(path, EXACT_CHOICE_ARTIFACT)
  if (header.key !== key) throw new SegueError('E_ARTIFACT_VERSION', `${path}: exact-search choice for '${header.key}', expected '${key}'`)
  if (typeof header.meta.cheap !== 'boolean') throw new SegueError('E_ARTIFACT_CORRUPT', `${path}: no choice recorded`)
  return header.meta.cheap
}

function loadOrNull<T>(load: () => T | null, path: string, warn: (message: string) => void): T | null {
  if (!existsSync(path)) return null
  try {
    return load()
  } catch (err) {
    if (!isSegueError(err) || (err.code !== 'E_ARTIFACT_CORRUPT' && err.code !== 'E_ARTIFACT_VERSION')) throw err
    warn(`${err.message}; rebuilding it`)
    rmSync(path, { force: true })
    return null
  }
}

/**
 * Each row's recording key (recordingKeys): releases of one recording share it. One call, saved in the catalogue snapshot;
 * the snapshot's key carries a fingerprint of this function (DERIVED_FINGERPRINT), so changing how keys are
 * computed here makes the next start rebuild it.
 */
function dupKeysOf(tracks: readonly Track[]): string[] {
  return recordingKeys(tracks)
}

/**
 * Bump when what the snapshot derives from tracks changes in a way this file does not show (e.g. the inside
 * of the duplicate-key function); the text of dupKeysOf is part of the key as well.
 */
const DERIVED_VERSION = 1
const DERIVED_FINGERPRINT = createHash('sha256').update(`${DERIVED_VERSION}:${dupKeysOf.toString()}`).digest('hex').slice(0, 12)

function artifactKey(catalogueVersion: string, config: PipelineConfig): string {
  const configHash = createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 16)
  return `${catalogueVersion}:${configHash}`
}

function cosineOf(a: Float32Array, b: Float32Array): number {
  let dot = 0
  let na = 0
  let nb = 0
  for (let j = 0; j < a.length; j++) {
    dot += a[j] * b[j]
    na += a[j] * a[j]
    nb += b[j] * b[j]
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0
}

function checkK(k: number): number {
  if (!Number.isInteger(k) || k < 1 || k > 1000) throw new SegueError('E_BAD_ARGUMENT', `k must be a whole number from 1 to 1000, got ${k}`)
  return k
}

function summarize(name: string, values: number[]) {
  const sorted = Float64Array.from(values).sort()
  const mean = values.reduce((a, b) => a + b, 0) / (values.length || 1)
  return { name, min: sorted[0], median: sorted[sorted.length >> 1], max: sorted[sorted.length - 1], mean }
}
