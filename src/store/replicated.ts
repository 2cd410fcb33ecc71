import { SegueError } from '../core/errors.js'
import { PostgresStore } from './postgres.js'
import { redactor } from './redact.js'

/**
 * Reads that tolerate lag: the catalogue (which changes only by import) and aggregates over all listeners. They
 * go to the replicas, round-robin. Every other method, including any added to the Store later, goes to the
 * primary: a method is only ever sent to a replica by being named here.
 */
const LAG_TOLERANT = new Set<string>(['getTrack', 'allTracks', 'countTracks', 'catalogueInfo', 'imports', 'onlineStats'])

/** Methods after which this process reads the catalogue from the primary until a replica has replayed the write. */
const CATALOGUE_WRITES = new Set<string>(['upsertTracks'])

/**
 * A replica that failed is left out for this long, then tried again: long enough that a replica that is down
 * does not cost every request a failed attempt, short enough that one back up is used again within seconds.
 */
const REPLICA_RETRY_MS = 5_000

/** The primary's WAL position now: replicas that have replayed up to it hold every write committed before. */
const CURRENT_LSN = 'SELECT pg_current_wal_lsn()::text AS lsn'
/** Whether a standby has replayed up to $1; NULL (not a standby) counts as current. */
const REPLAYED_PAST = 'SELECT coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, true) AS caught_up'

interface Replica {
  store: PostgresStore
  reads: number
  failures: number
  /** Left out until then after a failure (ms since the epoch). */
  downUntil: number
  /** The LSN this replica is known to have replayed past (the last catalogue write of this process). */
  replayedPast: string | null
}

/** Reads served per target, for tests and /metrics. */
export interface ReplicationStats {
  primaryReads: number
  replicas: { location: string; reads: number; failures: number; down: boolean }[]
}

/**
 * Routes a primary's reads to its replicas. Read-your-writes rule: **a listener's reads always go to the
 * primary.** A listener's next request may land on any server behind the balancer, and no server knows the
 * listener's latest write (it may have been taken by another server a moment ago), so no server can tell
 * whether a replica has it; the API carries no sequence from the client either. Listener reads are small
 * index lookups; the heavy reads (the whole catalogue at start, track lookups, aggregates) are the ones moved.
 * The one write a server makes to lag-tolerant data, a catalogue import, is followed by catalogue reads from
 * the primary until a replica has replayed past the import's WAL position (checked once per replica).
 */
export class Replication {
  private readonly replicas: Replica[]
  private next = 0
  private primaryReads = 0
  /** Set by a catalogue write of this process: replicas must have replayed past it to serve the catalogue. */
  private mustReach: string | null = null

  constructor(
    readonly primary: PostgresStore,
    replicas: readonly PostgresStore[],
    private readonly warn: (message: string) => void,
  ) {
    this.replicas = replicas.map((store) => ({ store, reads: 0, failures: 0, downUntil: 0, replayedPast: null }))
  }

  stats(): ReplicationStats {
    const now = Date.now()
    return {
      primaryReads: this.primaryReads,
      replicas: this.replicas.map((r) => ({ location: r.store.location, reads: r.reads, failures: r.failures, down: r.downUntil > now })),
    }
  }

  /**
   * Runs a lag-tolerant read on the next healthy replica; one that fails is left out for REPLICA_RETRY_MS with
   * a warning and the next is tried, the primary last. For other modules' aggregates too (give it the pool).
   */
  async read<T>(work: (store: PostgresStore) => Promise<T>): Promise<T> {
    for (const replica of this.rotation()) {
      try {
        if (!(await this.caughtUp(replica))) continue
        const result = await work(replica.store)
        replica.reads++
        return result
      } catch (err) {
        if (err instanceof SegueError && err.code !== 'E_STORE') throw err
        this.markDown(replica, err as Error)
      }
    }
    this.primaryReads++
    return work(this.primary)
  }

  /** After this process wrote the catalogue: replicas serve it again once they have replayed this far. */
  async noteCatalogueWrite(): Promise<void> {
    const { rows } = await this.primary.pool.query<{ lsn: string }>(CURRENT_LSN)
    this.mustReach = rows[0].lsn
  }

  async close(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.store.close()))
  }

  /** The healthy replicas, starting with the next in turn. */
  private rotation(): Replica[] {
    const now = Date.now()
    const start = this.next++ % Math.max(1, this.replicas.length)
    const ordered = [...this.replicas.slice(start), ...this.replicas.slice(0, start)]
    return ordered.filter((r) => r.downUntil <= now)
  }

  private async caughtUp(replica: Replica): Promise<boolean> {
    const target = this.mustReach
    if (target === null || replica.replayedPast === target) return true
    const { rows } = await replica.store.pool.query<{ caught_up: boolean }>(REPLAYED_PAST, [target])
    if (rows[0].caught_up) replica.replayedPast = target
    return rows[0].caught_up
  }

  private markDown(replica: Replica, err: Error): void {
    replica.failures++
    replica.downUntil = Date.now() + REPLICA_RETRY_MS
    const why = redactor(replica.store.location)(err.message)
    this.warn(`the replica ${replica.store.location} failed (${why}); its reads go elsewhere for ${REPLICA_RETRY_MS / 1000} s`)
  }
}

/** A PostgresStore whose lag-tolerant reads go to replicas; `replication` tells where reads went. */
export type ReplicatedStore = PostgresStore & { readonly replication: Replication }

/**
 * The primary at `primaryUrl` with replicas at `replicaUrls`. The result is the primary itself behind a Proxy:
 * it is still a PostgresStore (instanceof, `pool` for the modules that keep tables in the primary), and only
 * the LAG_TOLERANT methods are routed. Replicas are not required to be up: each is probed once here, and one
 * that does not answer is reported and left out until it does.
 */
export async function connectReplicated(primaryUrl: string, replicaUrls: readonly string[], warn: (message: string) => void): Promise<ReplicatedStore> {
  const primary = await PostgresStore.connect(primaryUrl)
  const replicas = await Promise.all(replicaUrls.map((url) => PostgresStore.connect(url, { replica: true })))
  const replication = new Replication(primary, replicas, warn)
  await Promise.all(replicas.map((r) => probe(r, warn)))
  return routed(primary, replication)
}

async function probe(replica: PostgresStore, warn: (message: string) => void): Promise<void> {
  try {
    const { rows } = await replica.pool.query<{ standby: boolean }>('SELECT pg_is_in_recovery() AS standby')
    if (!rows[0].standby) warn(`the replica ${replica.location} is not a standby (pg_is_in_recovery() is false); it still gets lag-tolerant reads`)
  } catch (err) {
    warn(`the replica ${replica.location} does not answer (${redactor(replica.location)((err as Error).message)}); reads go to the primary until it does`)
  }
}

function routed(primary: PostgresStore, replication: Replication): ReplicatedStore {
  return new Proxy(primary, {
    get(target, prop, receiver) {
      if (prop === 'replication') return replication
      const value = Reflect.get(target, prop, receiver) as unknown
      if (typeof prop !== 'string' || typeof value !== 'function') return value
      if (LAG_TOLERANT.has(prop)) return (...args: unknown[]) => replication.read((store) => (store as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[prop](...args))
      if (CATALOGUE_WRITES.has(prop)) return (...args: unknown[]) => afterCatalogueWrite(value.apply(target, args) as Promise<unknown>, replication)
      if (prop === 'close') return () => Promise.all([target.close(), replication.close()]).then(() => undefined)
      return value.bind(target)
    },
  }) as ReplicatedStore
}

async function afterCatalogueWrite<T>(write: Promise<T>, replication: Replication): Promise<T> {
  const result = await write
  await replication.noteCatalogueWrite()
  return result
}

/** The Replication of a store opened with replicas, else null. */
export function replicationOf(store: unknown): Replication | null {
  const r = (store as { replication?: unknown }).replication
  return r instanceof Replication ? r : null
}
