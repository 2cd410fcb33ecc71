import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { SegueError } from '../core/errors.js'
import { bundledCatalogue } from '../core/paths.js'
import type { LongWorkOptions, ProgressFn } from '../core/progress.js'
import type { Track } from '../core/track.js'
import { Engine, type CatalogueView, type SimilarResult } from '../engine.js'
import { FEATURES_MODEL, similarByModel } from '../deep/embeddings.js'
import { linkArtistsSaved, loadListeningSaved } from '../listening/saved.js'
import { BUNDLED_LISTENING, type ListeningData } from '../listening/source.js'
import { dataKey, loadOrTrain, type TrainedModel } from '../listening/trained.js'
import { readAutoWinner } from '../eval/auto-tune.js'
import type { FitProgress } from '../models/types.js'
import type { SearchHit } from '../search/track-search.js'
import type { FeedbackEvent, FeedbackKind, ListenerRecord, Store } from '../store/store.js'
import { ArtistBridge } from './artist-bridge.js'
import { ARRAY_BYTES, ByteLru, FIELD_BYTES, NUMBER_BYTES, OBJECT_BYTES, stringBytes } from './byte-lru.js'
import { FOR_YOU_MODELS, ForYou, type ForYouModel, type ForYouResult } from './for-you.js'
import { buildPlaylist, type Playlist, type PlaylistOptions } from './playlist.js'
import { ListenerHistories, type ListenerHistory } from './profile.js'
import { loadPlaylistTaste, type CatalogueCooccurrence } from './track-cooccurrence.js'
import { ServiceMoods } from '../moods/catalogue-moods.js'
import { moodForYou } from '../moods/product.js'
import type { Mood } from '../moods/moods.js'
import type { Profile } from './profile.js'
import type { ArtistLinks } from '../data/link-artists.js'

export interface ServiceOptions extends LongWorkOptions {
  /** Folder for the SQLite store, saved models and artifacts (default SEGUE_HOME or ./.segue). */
  home?: string
  /** A PostgreSQL URL or SQLite path; default the SQLite file in `home`. */
  store?: string
  /** PostgreSQL standbys of `store` for reads that tolerate lag (--store-replica). */
  storeReplicas?: readonly string[]
  /** Catalogue imported when the store has none (default: the bundled 114k catalogue). */
  catalogue?: string
  /** Listening data for the collaborative model (default: bundled HetRec Last.fm 2K); null: content only. */
  listening?: string | null
  /**
   * Playlists (a folder or file readPlaylists knows: the MPD's slices, the sample's TSV): "Listeners like you"
   * then uses track co-occurrence in them, and the artist-level model for tracks they do not hold.
   */
  playlists?: string
  /** Collaborative model and parameters (default: what `segue tune --auto` saved for this listening data, else ALS with its tuned defaults). */
  cfModel?: { name: string; params: Record<string, unknown> }
  /**
   * 'local' (default): fit the collaborative model here when no saved one fits the data. 'worker': never fit in
   * this process (PostgreSQL store only): serve the version `segue worker` published, which src/rollout loads
   * and follows, and content only until one exists.
   */
  training?: 'local' | 'worker'
  /**
   * Catalogues at least this large are searched with the HNSW index (built on first start, then loaded).
   * Default 20,000: a server answers many queries, so the one-off build pays for itself.
   */
  annThreshold?: number
  /** Where start-up notes go (first-run import, model fitted or loaded). */
  log?: (message: string) => void
}

const SERVER_ANN_THRESHOLD = 20_000

/**
 * Bytes of recommendation answers kept for repeated requests (resultBytes' estimate, the text the server writes
 * of each included): the least recently asked for go first. An answer of 10 items is ~28 KB (2,000 of them, the
 * old cap, held 54 MB: bench/server-memory.bench.ts), so this keeps ~600: far more than the listeners who ask
 * again before their next event, and the answers' many small objects no longer fill the old generation.
 */
const RESULTS_BUDGET_BYTES = 16 * 2 ** 20

/**
 * What the HTTP API (and any other shell) serves: the engine's catalogue, listeners and their feedback in
 * the store, the content/collaborative/hybrid "for you" recommender, and playlists. Holds the loaded models and
 * each listener's folded history, which every request first catches up with the events stored since
 * (ListenerHistories), so several instances can share a PostgreSQL database and each sees every acknowledged
 * event at once.
 */
export class SegueService {
  private readonly histories: ListenerHistories
  /**
   * Recent answers, valid while the listener's folded history is the one they came from and has no newer event
   * (any event, from any server, changes lastSeq). A repeated request is then free; a listener who just gave
   * feedback, or asks with other seeds, gets a fresh list.
   */
  private readonly results = new ByteLru<string, { history: ListenerHistory; seq: number; forYou: ForYou; result: ForYouResult }>(RESULTS_BUDGET_BYTES)
  /**
   * Resolves once the playlists given at start are read and in use by "Listeners like you" (at once when none
   * were given). They load after start, so the server answers meanwhile with the artist-level model.
   */
  playlistsReady: Promise<void> = Promise.resolve()
  /** Stops a playlist load still running when the service closes. */
  private readonly closing = new AbortController()

  private constructor(
    readonly engine: Engine,
    readonly view: CatalogueView,
    /** Replaced whole, in one assignment, when a new collaborative model version lands (swapCollaborative). */
    private forYou: ForYou,
  ) {
    this.histories = new ListenerHistories(view, engine.store)
    this.moods = new ServiceMoods(view, engine.home)
  }

  /** Every track's mood (src/moods): loaded, or built on another thread on a first start. */
  readonly moods: ServiceMoods
  /** The collaborative model this server serves, or waits for (training: 'worker'): its name and listening data. */
  collaborativeTarget: CollaborativeTarget | null = null

  get store(): Store {
    return this.engine.store
  }

  /** The collaborative model served now (null without listening data). */
  get collaborative(): TrainedModel | null {
    return this.forYou.artistBridge?.trained ?? null
  }

  /**
   * Serves `trained` from now on (a version published to every server, src/rollout): the recommender over it
   * is built first, then swapped in with one assignment, so a request uses the old model or the new one,
   * never a mix. Answers cached from the old model are dropped. `trained` must share the served listening data.
   */
  swapCollaborative(trained: TrainedModel): void {
    const current = this.forYou.artistBridge
    const next = this.forYou.withBridge(new ArtistBridge(trained, this.view.tracks, current?.links ?? this.collaborativeTarget?.links))
    this.forYou = next
    this.results.clear()
  }

  /**
   * Opens the store; on first start imports the catalogue, fits the feature pipeline and the collaborative
   * model (saving both); on later starts loads them. Progress goes to `onProgress`.
   */
  static async start(opts: ServiceOptions = {}): Promise<SegueService> {
    const log = opts.log ?? (() => {})
    const engine = await Engine.open({
      home: opts.home,
      store: opts.store,
      storeReplicas: opts.storeReplicas,
      annThreshold: opts.annThreshold ?? SERVER_ANN_THRESHOLD,
      onWarning: (m) => log(`warning: ${m}`),
    })
    try {
      if (await engine.isEmpty()) {
        const file = opts.catalogue ?? bundledCatalogue()
        log(`first start: importing the catalogue ${file} into ${engine.store.location}`)
        const { outcome } = await engine.importCatalogue(file, { onProgress: opts.onProgress, signal: opts.signal })
        log(`imported ${outcome.info.tracks} tracks`)
      }
      const view = await engine.catalogue({ onProgress: opts.onProgress, signal: opts.signal })
      // Searches then run on their own thread, so no query holds the request thread.
      await engine.prepareSearch()
      const cfStart = opts.listening === null ? null : await startCollaborative(engine, view, opts, log)
      const bridge = cfStart instanceof ArtistBridge ? cfStart : null
      const cf = bridge?.trained ?? null
      if (bridge) log(`collaborative model ${cf!.name} ${cf!.origin}; ${bridge.linkedArtists} of its artists are in the catalogue`)
      if (opts.playlists !== undefined && !existsSync(opts.playlists)) {
        throw new SegueError('E_INPUT_FILE', `${opts.playlists}: no such file or folder (--playlists)`, { location: { file: opts.playlists } })
      }
      const service = new SegueService(engine, view, new ForYou(view, bridge))
      service.collaborativeTarget = bridge ? { name: bridge.trained.name, listening: bridge.trained.listening, links: bridge.links } : (cfStart as CollaborativeTarget | null)
      if (opts.playlists !== undefined) service.loadPlaylists(opts.playlists, opts, log)
      if (opts.training === 'worker' && service.collaborativeTarget) (await import('../jobs/serving.js')).noteWorkerTraining(service, service.collaborativeTarget.name)
      return service
    } catch (err) {
      await engine.close()
      throw err
    }
  }

  /** Reads the playlists in the background; once built, "Listeners like you" uses them and cached answers go. */
  private loadPlaylists(path: string, opts: ServiceOptions, log: (m: string) => void): void {
    const signal = this.closing.signal
    this.playlistsReady = startPlaylists(path, this.view, this.engine, { onProgress: opts.onProgress, signal }, log).then(
      (taste) => {
        this.forYou.usePlaylists(taste)
        this.results.clear()
      },
      (err: Error) => {
        if (!signal.aborted) log(`warning: the playlists ${path} are not used: ${err.message}`)
      },
    )
  }

  async close(): Promise<void> {
    this.closing.abort()
    await this.playlistsReady
    await this.moods.close()
    await this.engine.close()
  }

  models(): { default: ForYouModel; models: { name: ForYouModel; label: string; description: string }[] } {
    const names = FOR_YOU_MODELS.filter((m) => m === 'content' || this.forYou.hasCollaborative)
    return { default: names.includes('hybrid') ? 'hybrid' : 'content', models: names.map((name) => ({ name, ...this.forYou.info(name) })) }
  }

  search(q: string, limit: number): Promise<SearchHit[]> {
    return this.engine.search(q, limit)
  }

  track(id: string): Track {
    const row = this.view.rowOf.get(id)
    if (row === undefined) throw new SegueError('E_NOT_FOUND', `no track has the id '${id}'`)
    return this.view.tracks[row]
  }

  /** `model`: 'features' (the fitted pipeline) or a trained embedding model (src/deep/embeddings.ts). */
  similar(id: string, n: number, excludeSeedArtist: boolean, mood?: Mood, model = FEATURES_MODEL): Promise<SimilarResult> {
    this.track(id)
    const accept = mood && this.moods.current.is(mood)
    if (model !== FEATURES_MODEL) return similarByModel(this.engine, id, { k: n, excludeSeedArtist, accept, model })
    return this.engine.similar(id, { k: n, excludeSeedArtist, accept })
  }

  playlist(seeds: readonly string[], opts: PlaylistOptions & { mood?: Mood }): Promise<Playlist> {
    return buildPlaylist(this.view, seeds, { ...opts, accept: opts.mood && this.moods.current.is(opts.mood) })
  }

  /** A new listener and their token. Only the token's hash is stored, so it is shown once. */
  async createListener(name: string | null): Promise<{ listener: ListenerRecord; token: string }> {
    const token = randomBytes(32).toString('base64url')
    const listener: ListenerRecord = { id: randomBytes(9).toString('base64url'), name, tokenHash: hashToken(token), createdAt: new Date().toISOString() }
    await this.store.createListener(listener)
    return { listener, token }
  }

  /**
   * The listener when `token` is theirs. No token: E_UNAUTHORIZED. An unknown listener and another listener's
   * (or a wrong) token get the same E_FORBIDDEN, so a token cannot be used to find out which ids exist. Tokens
   * are compared in constant time, against a stand-in hash when there is no such listener.
   */
  async authenticate(id: string, token: string | undefined): Promise<ListenerRecord> {
    if (!token) throw new SegueError('E_UNAUTHORIZED', 'this request needs the listener\'s token: Authorization: Bearer <token>')
    const listener = await this.store.getListener(id)
    const given = Buffer.from(hashToken(token), 'hex')
    const expected = Buffer.from(listener?.tokenHash ?? NO_LISTENER_HASH, 'hex')
    if (!listener || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new SegueError('E_FORBIDDEN', `the token does not grant access to listener '${id}'`)
    }
    return listener
  }

  /**
   * The listener's events by kind, from their folded history (caught up with the store first), so the cost
   * does not grow with the history.
   */
  async counts(id: string): Promise<Record<FeedbackKind, number>> {
    return { ...(await this.histories.get(id)).kinds }
  }

  history(id: string, limit: number): Promise<FeedbackEvent[]> {
    return this.store.feedback(id, { limit })
  }

  /** Stores one event durably; resolves only once it is committed, so the caller may acknowledge it. */
  async feedback(id: string, trackId: string, kind: FeedbackKind): Promise<FeedbackEvent> {
    this.track(trackId)
    const [event] = await this.store.appendFeedback(id, [{ trackId, kind }])
    return event
  }

  async deleteListener(id: string): Promise<boolean> {
    this.histories.forget(id)
    return this.store.deleteListener(id)
  }

  /** "For you": the listener's whole history and this request's seeds folded into a profile at once. */
  async recommendations(id: string, opts: { model: ForYouModel; n: number; seeds: readonly string[]; mood?: Mood }): Promise<ForYouResult> {
    for (const s of opts.seeds) this.track(s)
    // One recommender for the whole request, though a new model version may be swapped in meanwhile.
    const forYou = this.forYou
    if (opts.model !== 'content' && !forYou.hasCollaborative) {
      throw new SegueError('E_BAD_ARGUMENT', `the ${opts.model} model needs listening data, and this server runs without it`)
    }
    const history = await this.histories.get(id)
    const key = JSON.stringify([id, opts.model, opts.n, opts.seeds, opts.mood ?? null])
    const cached = this.results.get(key)
    if (cached && cached.history === history && cached.seq === history.lastSeq && cached.forYou === forYou) return cached.result
    const profile = history.profile(opts.seeds)
    const result = opts.mood === undefined
      ? await forYou.recommend(profile, opts.model, opts.n)
      : await moodForYou(this.view, this.moods.current, profile, opts.mood, opts.n, (n) => forYou.recommend(profile, opts.model, n))
    this.results.set(key, { history, seq: history.lastSeq, forYou, result }, resultBytes(key, result))
    return result
  }

  /** The listener's taste and exclusions as their history has them now (mood lists read it). */
  async listenerProfile(id: string, seeds: readonly string[] = []): Promise<Profile> {
    return (await this.histories.get(id)).profile(seeds)
  }

  /** Rows a listener ever skipped or disliked, to keep out of their playlists. */
  async rejectedRows(id: string): Promise<ReadonlySet<number>> {
    return (await this.histories.get(id)).rejected
  }

  /** Rows a listener liked or played (the newest of each kind): the history hygiene reads for their playlists. */
  async positiveRows(id: string): Promise<number[]> {
    return (await this.histories.get(id)).profile().positives.map((p) => p.row)
  }
}

/**
 * Bytes a cached recommendations answer holds, estimated from its shape: the entry and key, the result's items with
 * their reasons and feature matches (tracks are the catalogue's, not counted), and the JSON text the server writes
 * of it once (src/server/answers.ts; ANSWER_TEXT_BYTES_PER_ITEM).
 */
export function resultBytes(key: string, result: ForYouResult): number {
  let bytes = stringBytes(key) + 2 * (OBJECT_BYTES + 4 * FIELD_BYTES) + ARRAY_BYTES + FIELD_BYTES * result.items.length
  for (const item of result.items) {
    bytes += OBJECT_BYTES + 4 * FIELD_BYTES + NUMBER_BYTES + ANSWER_TEXT_BYTES_PER_ITEM
    bytes += 2 * ARRAY_BYTES + FIELD_BYTES * (item.reasons.length + item.because.length)
    for (const r of item.reasons) bytes += OBJECT_BYTES + 3 * FIELD_BYTES + stringBytes(r.text)
    bytes += item.because.length * (OBJECT_BYTES + 4 * FIELD_BYTES + 3 * NUMBER_BYTES)
  }
  return bytes
}

/**
 * The server's JSON text of one answer item (its track's summary, score, reasons, matches: ~700 characters, two
 * bytes each when any title in the answer is outside Latin-1) and its share of the answer's record. With it the
 * estimate of a full results cache was 27 KB an answer where emptying it freed 28.7 KB (bench/server-memory).
 */
const ANSWER_TEXT_BYTES_PER_ITEM = 2000

/** Compared against when no listener has the id, so that case costs the same as a wrong token. */
const NO_LISTENER_HASH = '0'.repeat(64)

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/** What a server serves collaborative recommendations from, model or not: the model's name and its listening data. */
export interface CollaborativeTarget {
  name: string
  listening: ListeningData
  /** The listening data's artists linked to the catalogue's, when known. */
  links?: ArtistLinks
}

async function startCollaborative(engine: Engine, view: CatalogueView, opts: ServiceOptions, log: (m: string) => void): Promise<ArtistBridge | CollaborativeTarget> {
  const source = opts.listening ?? BUNDLED_LISTENING
  const warn = (m: string) => log(`warning: ${m}`)
  let started = performance.now()
  // Parsed once, then loaded from its artifact while the source files are unchanged.
  const saved = await loadListeningSaved(source, join(engine.home, 'artifacts', 'listening.art'), { onProgress: opts.onProgress, signal: opts.signal, warn })
  engine.noteLoad('listening', started, saved.origin, saved.listening)
  const { name, params } = opts.cfModel ?? autoTuned(engine.home, saved.listening, log) ?? { name: 'als', params: {} }
  if (opts.training === 'worker') return trainedByWorker(engine, view, saved, name, log)
  const path = join(engine.home, 'models', `${name}-service.art`)
  const onProgress = opts.onProgress ? fitProgressOf(opts.onProgress, name) : undefined
  started = performance.now()
  const trained = await loadOrTrain(path, name, params, saved.listening, { onProgress, signal: opts.signal, warn })
  engine.noteLoad('model', started, trained.origin === 'loaded' ? 'loaded' : 'built', trained)
  started = performance.now()
  if (saved.key === null) return engine.noteLoad('artist-links', started, 'built', new ArtistBridge(trained, view.tracks))
  // Linked once per listening data and catalogue, then loaded (linking keys every artist credit of the catalogue).
  const linksPath = join(engine.home, 'artifacts', 'artist-links.art')
  const linked = linkArtistsSaved(linksPath, saved.key, view.version, saved.listening.itemNames, view.tracks, warn)
  return engine.noteLoad('artist-links', started, linked.origin, new ArtistBridge(trained, view.tracks, linked.links))
}

/**
 * training: 'worker': nothing is fitted in this process. The artist links are made (or loaded) now, so that a
 * published version swaps in without linking on the request path; src/rollout then loads the active version.
 */
async function trainedByWorker(engine: Engine, view: CatalogueView, saved: { listening: ListeningData; key: string | null }, name: string, log: (m: string) => void): Promise<CollaborativeTarget> {
  const { followWorker } = await import('../jobs/serving.js')
  followWorker(engine.store)
  log(`collaborative model ${name}: trained by segue worker, never in this server; content only until a published version is loaded`)
  if (saved.key === null) return { name, listening: saved.listening }
  const started = performance.now()
  const linksPath = join(engine.home, 'artifacts', 'artist-links.art')
  const linked = linkArtistsSaved(linksPath, saved.key, view.version, saved.listening.itemNames, view.tracks, (m) => log(`warning: ${m}`))
  return { name, listening: saved.listening, links: engine.noteLoad('artist-links', started, linked.origin, linked.links) }
}

async function startPlaylists(path: string, view: CatalogueView, engine: Engine, opts: LongWorkOptions, log: (m: string) => void): Promise<CatalogueCooccurrence> {
  const started = performance.now()
  const loaded = await loadPlaylistTaste(path, view, { onProgress: opts.onProgress, signal: opts.signal })
  engine.noteLoad('playlists', started, 'built', loaded)
  const r = loaded.report
  const { byId, byName } = loaded.link
  log(`playlists: ${r.playlists} read from ${path} (${r.tracks} tracks, ${byId + byName} in the catalogue: ${byId} by id, ${byName} by artist and title) in ${loaded.seconds.toFixed(1)} s`)
  return loaded.taste
}

/** The model `segue tune --auto` chose for this very listening data, when it has run (its artifact is then loaded). */
function autoTuned(home: string, listening: ListeningData, log: (m: string) => void): { name: string; params: Record<string, unknown> } | null {
  const winner = readAutoWinner(home, dataKey(listening.data), (m) => log(`warning: ${m}`))
  if (winner) log(`collaborative model: ${winner.model} ${JSON.stringify(winner.params)}, chosen by tune --auto (${winner.metric}@${winner.k} ${winner.score.toFixed(4)} on validation)`)
  return winner && { name: winner.model, params: winner.params }
}

function fitProgressOf(onProgress: ProgressFn, name: string): (p: FitProgress) => void {
  return (p) => onProgress({ phase: `fit ${name}`, done: p.iteration, total: p.total })
}
