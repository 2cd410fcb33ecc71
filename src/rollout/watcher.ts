import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import type pg from 'pg'
import { SegueError, isSegueError } from '../core/errors.js'
import type { ListeningData } from '../listening/source.js'
import { dataKey } from '../listening/trained.js'
import { opsMetrics } from '../ops/metrics.js'
import type { SegueService } from '../service/service.js'
import { trainedFromBytes } from './artifact.js'
import { MODELS_CHANNEL, activeModel, ensureRolloutSchema, forgetServer, readModelVersion, recordServing, sha256Hex } from './versions.js'

/** What a server serves of one model name, as GET /api/models shows it. */
export interface Serving {
  name: string
  /** The published version served; null while the model fitted or loaded at start is served. */
  version: number | null
  /** When that version was swapped in (or the server started). */
  loadedAt: string
  /** Why the last version heard of is not served (damaged, other listening data), else null. */
  error: string | null
}

export interface WatcherOptions {
  /** This server's id in model_servers (default: host:pid:random). */
  serverId?: string
  /** The model name followed (default: the name of the collaborative model the service started with). */
  name?: string
  /** How often this server writes its heartbeat row. */
  heartbeatMs?: number
  /** First wait before reconnecting a lost LISTEN connection; doubles up to RECONNECT_MAX_MS. */
  reconnectMs?: number
  log?: (message: string) => void
}

/** Default heartbeat: GET /api/models lists servers seen within SERVER_SEEN_WITHIN_S, a few heartbeats. */
const HEARTBEAT_MS = 15_000
export const SERVER_SEEN_WITHIN_S = 60
const RECONNECT_MS = 500
/** A database down for minutes is retried every 30 s rather than hammered. */
const RECONNECT_MAX_MS = 30_000

/** What is served or awaited: the model name and the listening data its versions learn from. */
type Target = { name: string; listening: ListeningData }

const watchers = new WeakMap<SegueService, ModelWatcher>()

/** The watcher following model versions for `service`, if one runs. */
export function watcherOf(service: SegueService): ModelWatcher | undefined {
  return watchers.get(service)
}

/**
 * Follows the published versions of one model for one server: LISTENs on the `segue_models` channel over a
 * connection of its own (reconnected when lost), reads the active version on start and after every
 * reconnect (a notification sent meanwhile is not lost, only late), loads a new version in the background,
 * checks its sha256 against the one recorded at publish, and swaps it into the service in one step. A version
 * that fails any check is refused and the server keeps serving the one it has.
 */
export class ModelWatcher {
  readonly serverId: string
  readonly name: string
  private serving: Serving
  private listener: pg.PoolClient | null = null
  /** The listening data every version must have learnt from (its dense ids are this data's). */
  private readonly listening: ListeningData
  private readonly listeningKey: string
  private heartbeat?: NodeJS.Timeout
  private reconnectTimer?: NodeJS.Timeout
  private reconnectDelay: number
  private closed = false
  /** Syncs run one at a time; a notification during one asks for one more (`again`). */
  private syncing: Promise<void> | null = null
  private again = false
  private readonly log: (m: string) => void

  private constructor(private readonly service: SegueService, readonly pool: pg.Pool, target: Target, private readonly opts: WatcherOptions) {
    this.serverId = opts.serverId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
    this.name = opts.name ?? target.name
    this.serving = { name: this.name, version: null, loadedAt: new Date().toISOString(), error: null }
    this.listening = target.listening
    this.listeningKey = dataKey(target.listening.data)
    this.reconnectDelay = opts.reconnectMs ?? RECONNECT_MS
    this.log = opts.log ?? (() => {})
  }

  /**
   * Starts following, once the active version (if any) is served. E_BAD_ARGUMENT when the service has no
   * listening data (so no collaborative model to serve).
   */
  static async start(service: SegueService, pool: pg.Pool, opts: WatcherOptions = {}): Promise<ModelWatcher> {
    const target = service.collaborativeTarget ?? service.collaborative
    if (!target) throw new SegueError('E_BAD_ARGUMENT', 'model rollout needs listening data for the collaborative model, and this server runs without it')
    await ensureRolloutSchema(pool)
    const w = new ModelWatcher(service, pool, target, opts)
    await w.connect()
    await w.sync()
    w.heartbeat = setInterval(() => void w.beat(), opts.heartbeatMs ?? HEARTBEAT_MS).unref()
    watchers.set(service, w)
    return w
  }

  /** The version served now and when it landed. */
  get current(): Serving {
    return { ...this.serving }
  }

  /** Resolves once any load in progress (and any asked for meanwhile) has finished. */
  async settled(): Promise<void> {
    while (this.syncing) await this.syncing
  }

  async close(): Promise<void> {
    this.closed = true
    clearInterval(this.heartbeat)
    clearTimeout(this.reconnectTimer)
    watchers.delete(this.service)
    await this.settled()
    this.dropListener()
    await forgetServer(this.pool, this.serverId).catch(() => {})
  }

  private async connect(): Promise<void> {
    const client = await this.pool.connect()
    client.on('notification', (n) => {
      if (n.channel === MODELS_CHANNEL && nameOf(n.payload) === this.name) this.requestSync()
    })
    // A lost connection ('error', then 'end') is dropped and replaced; the version read after reconnecting
    // covers whatever was announced meanwhile.
    client.on('error', (err) => this.lost(client, err))
    client.on('end', () => this.lost(client, new Error('the connection ended')))
    try {
      await client.query(`LISTEN ${MODELS_CHANNEL}`)
    } catch (err) {
      client.release(err as Error)
      throw err
    }
    this.listener = client
  }

  private lost(client: pg.PoolClient, err: Error): void {
    if (this.listener !== client) return
    this.dropListener(err)
    if (this.closed) return
    this.log(`warning: model rollout lost its LISTEN connection (${err.message}); reconnecting`)
    this.scheduleReconnect()
  }

  private dropListener(err?: Error): void {
    const client = this.listener
    this.listener = null
    // Released as broken, so the pool closes it rather than handing out a connection stuck in LISTEN.
    client?.release(err ?? true)
  }

  private scheduleReconnect(): void {
    this.reconnectTimer = setTimeout(async () => {
      if (this.closed) return
      try {
        await this.connect()
        this.reconnectDelay = this.opts.reconnectMs ?? RECONNECT_MS
        this.log('model rollout: LISTEN connection restored')
        this.requestSync()
      } catch (err) {
        this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_MS)
        this.log(`warning: model rollout could not reconnect (${(err as Error).message}); next try in ${this.reconnectDelay} ms`)
        this.scheduleReconnect()
      }
    }, this.reconnectDelay)
  }

  /** Brings the served version to the active one, in the background. */
  private requestSync(): void {
    if (this.closed) return
    if (this.syncing) {
      this.again = true
      return
    }
    void this.sync()
  }

  private sync(): Promise<void> {
    this.syncing = (async () => {
      do {
        this.again = false
        await this.syncOnce()
      } while (this.again && !this.closed)
    })().finally(() => {
      this.syncing = null
    })
    return this.syncing
  }

  private async syncOnce(): Promise<void> {
    try {
      const active = await activeModel(this.pool, this.name)
      if (active && active.version !== this.serving.version) await this.load(active.version)
      // Back on the served version (a rollback past a refused one): that refusal no longer applies.
      else if (active) this.serving = { ...this.serving, error: null }
    } catch (err) {
      this.log(`warning: model rollout could not read the active version of ${this.name}: ${(err as Error).message}`)
    }
    await this.beat()
  }

  /** Loads, checks and swaps in one version; any failure leaves the served model as it was and is recorded. */
  private async load(version: number): Promise<void> {
    const where = `model ${this.name} v${version}`
    const started = performance.now()
    try {
      const row = await readModelVersion(this.pool, this.name, version)
      const read = performance.now()
      const sha = sha256Hex(row.bytes)
      if (sha !== row.sha256) throw new SegueError('E_ARTIFACT_CORRUPT', `${where}: sha256 ${sha.slice(0, 12)}... differs from the ${row.sha256.slice(0, 12)}... recorded when it was published`)
      const trained = trainedFromBytes(row.bytes, this.listening, this.listeningKey, where)
      const decoded = performance.now()
      this.service.swapCollaborative(trained)
      this.serving = { name: this.name, version, loadedAt: new Date().toISOString(), error: null }
      opsMetrics.modelVersion(this.name, version)
      const ms = (a: number, b: number) => `${(b - a).toFixed(0)} ms`
      this.log(`model rollout: now serving ${where} (${trained.name}; read ${ms(started, read)}, checked and decoded ${ms(read, decoded)}, swapped ${ms(decoded, performance.now())})`)
    } catch (err) {
      if (!isSegueError(err)) throw err
      this.serving = { ...this.serving, error: err.message }
      this.log(`warning: ${err.message}; still serving ${this.serving.version === null ? 'the model loaded at start' : `v${this.serving.version}`}`)
    }
  }

  private async beat(): Promise<void> {
    if (this.closed) return
    const s = this.serving
    try {
      await recordServing(this.pool, { serverId: this.serverId, name: s.name, version: s.version, loadedAt: s.loadedAt, error: s.error })
    } catch (err) {
      this.log(`warning: model rollout heartbeat failed: ${(err as Error).message}`)
    }
  }
}

function nameOf(payload: string | undefined): string | null {
  try {
    const p = JSON.parse(payload ?? '') as { name?: unknown }
    return typeof p.name === 'string' ? p.name : null
  } catch {
    return null
  }
}
