import pg from 'pg'
import { SegueError } from '../core/errors.js'
import { redactor } from './redact.js'
import type { Track } from '../core/track.js'
import type { CatalogueInfo, FeedbackEvent, FeedbackKind, FeedbackTail, ImportOutcome, ImportRecord, ListenerRecord, NewFeedback, Store } from './store.js'
import { FEEDBACK_AFTER } from './feedback-tail.js'
import { FIRST_LAYOUT_INDEX, IMPRESSIONS_REBUILD, IMPRESSIONS_SCHEMA, INSERT_IMPRESSIONS_PG, ONLINE_STATS_SQL, PRUNE_IMPRESSIONS, impressionRows, toDayStats, type Impression, type OnlineDayStats } from './impressions.js'
import { catalogueVersion, fromRow, toRow, type TrackRow } from './track-row.js'

const { Pool } = pg

/**
 * The same tables as the SQLite store. Doubles where SQLite has REAL (both are 8-byte floats, so values
 * round-trip exactly); times stay TEXT so an ISO string comes back byte for byte as it was given.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS tracks (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  artists TEXT NOT NULL,
  artist_ids TEXT NOT NULL,
  album TEXT,
  genres TEXT NOT NULL,
  popularity DOUBLE PRECISION,
  duration_ms DOUBLE PRECISION,
  explicit INTEGER,
  release_year INTEGER,
  release_date TEXT,
  artist_followers DOUBLE PRECISION,
  features BYTEA NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS imports (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source TEXT NOT NULL,
  layout TEXT NOT NULL,
  at TEXT NOT NULL,
  changed BOOLEAN NOT NULL,
  report TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS listeners (
  id TEXT PRIMARY KEY,
  name TEXT,
  token_hash TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  listener_id TEXT NOT NULL REFERENCES listeners(id) ON DELETE CASCADE,
  track_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_listener ON feedback (listener_id, seq);
CREATE TABLE IF NOT EXISTS listener_settings (
  listener_id TEXT NOT NULL REFERENCES listeners(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (listener_id, key)
);
`

/** Track columns with the array type each is sent as in a batched insert. */
const TRACK_COLUMNS = [
  ['id', 'text'], ['name', 'text'], ['artists', 'text'], ['artist_ids', 'text'], ['album', 'text'], ['genres', 'text'],
  ['popularity', 'float8'], ['duration_ms', 'float8'], ['explicit', 'int4'], ['release_year', 'int4'],
  ['release_date', 'text'], ['artist_followers', 'float8'], ['features', 'bytea'], ['hash', 'text'],
] as const satisfies readonly (readonly [keyof TrackRow, string])[]

/**
 * One statement writes a whole batch: every column travels as one array parameter and unnest zips them back
 * into rows, so 90,000 tracks take ~90 round trips instead of 90,000.
 */
const UPSERT_TRACKS = `
INSERT INTO tracks (${TRACK_COLUMNS.map(([c]) => c).join(', ')})
SELECT * FROM unnest(${TRACK_COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})
ON CONFLICT (id) DO UPDATE SET ${TRACK_COLUMNS.slice(1).map(([c]) => `${c} = EXCLUDED.${c}`).join(', ')}
`
const UPSERT_BATCH = 1000

/**
 * Ids sort by their bytes, as SQLite's BINARY collation does, whatever the database's default collation: the
 * catalogue version hashes tracks in this order, so the same catalogue must get the same version in both stores.
 */
const BY_ID = 'ORDER BY id COLLATE "C"'

/** Advisory lock keys, named rather than numbered; they serialise schema creation and imports across servers. */
const SCHEMA_LOCK = "SELECT pg_advisory_xact_lock(hashtext('segue:schema'))"
const IMPORT_LOCK = "SELECT pg_advisory_xact_lock(hashtext('segue:import'))"

/** A server that cannot be reached should fail the start, not hang it. */
const CONNECT_TIMEOUT_MS = 10_000

/** pg's code for a unique-constraint violation. */
const UNIQUE_VIOLATION = '23505'

interface FeedbackRow { seq: string; listener_id: string; track_id: string; kind: string; at: string }
type ImportOptions = { replace?: boolean; record?: Omit<ImportRecord, 'at' | 'changed'> }

/**
 * The shared store: several server instances may point at one PostgreSQL database and see each other's
 * listeners and feedback at once. Every write runs in a transaction that has committed when its promise
 * resolves; catalogue imports are serialised across instances with an advisory lock.
 */
export class PostgresStore implements Store {
  private constructor(
    /** The connection pool, for modules that keep their own tables here (rate limits, model versions, jobs). */
    readonly pool: pg.Pool,
    readonly location: string,
  ) {}

  /**
   * Connects and creates any missing table. E_STORE when that fails; no message names the URL or any part of it.
   * With `replica` (a read-only standby, src/store/replicated.ts): no table is created and nothing is checked
   * yet, since a standby may be down now and back later; its connections are named 'segue-replica'.
   */
  static async connect(url: string, opts: { replica?: boolean } = {}): Promise<PostgresStore> {
    const location = maskPassword(url)
    const pool = new Pool({ connectionString: url, application_name: opts.replica ? 'segue-replica' : 'segue', connectionTimeoutMillis: CONNECT_TIMEOUT_MS })
    // An idle connection that breaks (a server restart) is dropped by the pool and the next query reconnects;
    // without a listener the error would crash the process, so it is reported as a warning instead.
    pool.on('error', (err) => process.emitWarning(`an idle connection to PostgreSQL failed: ${redactor(url)(err.message)}`))
    const store = new PostgresStore(pool, location)
    if (opts.replica) return store
    try {
      await store.transaction(createSchema)
    } catch (cause) {
      await pool.end()
      throw new SegueError('E_STORE', `cannot connect to PostgreSQL: ${redactor(url)((cause as Error).message)}`, { cause })
    }
    return store
  }

  async upsertTracks(tracks: readonly Track[], opts: ImportOptions = {}): Promise<ImportOutcome> {
    try {
      return await this.transaction((client) => importTracks(client, tracks, opts))
    } catch (cause) {
      throw new SegueError('E_STORE', `import failed, the catalogue is unchanged: ${redactor(this.location)((cause as Error).message)}`, { cause })
    }
  }

  async getTrack(id: string): Promise<Track | null> {
    const { rows } = await this.query<TrackRow>('read a track', 'SELECT * FROM tracks WHERE id = $1', [id])
    return rows.length > 0 ? fromRow(rows[0]) : null
  }

  async allTracks(): Promise<Track[]> {
    const { rows } = await this.query<TrackRow>('read the catalogue', `SELECT * FROM tracks ${BY_ID}`)
    return rows.map(fromRow)
  }

  async countTracks(): Promise<number> {
    return this.guard('count tracks', () => countTracks(this.pool))
  }

  async catalogueInfo(): Promise<CatalogueInfo | null> {
    return this.guard('read the catalogue info', () => readInfo(this.pool))
  }

  async imports(): Promise<ImportRecord[]> {
    const { rows } = await this.query<{ source: string; layout: string; at: string; changed: boolean; report: string }>(
      'read the import log',
      'SELECT source, layout, at, changed, report FROM imports ORDER BY seq',
    )
    return rows.map((r) => ({ ...r, report: JSON.parse(r.report) }))
  }

  async createListener(l: ListenerRecord): Promise<void> {
    try {
      await this.pool.query('INSERT INTO listeners (id, name, token_hash, created_at) VALUES ($1, $2, $3, $4)', [l.id, l.name, l.tokenHash, l.createdAt])
    } catch (cause) {
      if ((cause as { code?: string }).code === UNIQUE_VIOLATION) throw new SegueError('E_CONFLICT', `a listener with the id '${l.id}' already exists`)
      throw storeError('create listener', this.location, cause)
    }
  }

  async getListener(id: string): Promise<ListenerRecord | null> {
    const { rows } = await this.query<{ id: string; name: string | null; token_hash: string; created_at: string }>(
      'read a listener',
      'SELECT id, name, token_hash, created_at FROM listeners WHERE id = $1',
      [id],
    )
    return rows.length > 0 ? { id: rows[0].id, name: rows[0].name, tokenHash: rows[0].token_hash, createdAt: rows[0].created_at } : null
  }

  async deleteListener(id: string): Promise<boolean> {
    return this.guard('delete a listener', () =>
      this.transaction(async (client) => {
        await client.query('DELETE FROM feedback WHERE listener_id = $1', [id])
        const { rowCount } = await client.query('DELETE FROM listeners WHERE id = $1', [id])
        return (rowCount ?? 0) > 0
      }),
    )
  }

  async listenerSetting(listenerId: string, key: string): Promise<string | null> {
    const { rows } = await this.query<{ value: string }>('read a listener setting', 'SELECT value FROM listener_settings WHERE listener_id = $1 AND key = $2', [listenerId, key])
    return rows[0]?.value ?? null
  }

  async setListenerSetting(listenerId: string, key: string, value: string | null): Promise<void> {
    await this.guard('store a listener setting', () =>
      this.transaction(async (client) => {
        const { rowCount } = await client.query('SELECT 1 FROM listeners WHERE id = $1 FOR KEY SHARE', [listenerId])
        if (rowCount === 0) throw new SegueError('E_NOT_FOUND', `no listener has the id '${listenerId}'`)
        if (value === null) await client.query('DELETE FROM listener_settings WHERE listener_id = $1 AND key = $2', [listenerId, key])
        else await client.query('INSERT INTO listener_settings (listener_id, key, value) VALUES ($1, $2, $3) ON CONFLICT (listener_id, key) DO UPDATE SET value = excluded.value', [listenerId, key, value])
      }),
    )
  }

  async appendFeedback(listenerId: string, events: readonly NewFeedback[]): Promise<FeedbackEvent[]> {
    return this.guard('store feedback', () => this.transaction((client) => insertFeedback(client, listenerId, events)))
  }

  async feedback(listenerId: string, opts: { limit?: number } = {}): Promise<FeedbackEvent[]> {
    // LIMIT NULL means no limit, so one statement serves both cases.
    const { rows } = await this.query<FeedbackRow>(
      'read feedback',
      'SELECT * FROM (SELECT * FROM feedback WHERE listener_id = $1 ORDER BY seq DESC LIMIT $2) recent ORDER BY seq',
      [listenerId, opts.limit ?? null],
    )
    return rows.map((r) => ({ seq: Number(r.seq), listenerId: r.listener_id, trackId: r.track_id, kind: r.kind as FeedbackKind, at: r.at }))
  }

  async feedbackAfter(listenerId: string, afterSeq: number): Promise<FeedbackTail> {
    const { rows } = await this.query<Omit<FeedbackRow, 'listener_id'> & { first: string | null }>(
      'read feedback',
      { name: 'segue-feedback-after', text: FEEDBACK_AFTER },
      [listenerId, afterSeq],
    )
    const events = rows
      .filter((r) => r.seq !== null)
      .map((r) => ({ seq: Number(r.seq), listenerId, trackId: r.track_id, kind: r.kind as FeedbackKind, at: r.at }))
    return { first: rows[0]?.first == null ? null : Number(rows[0].first), events }
  }

  async ping(): Promise<void> {
    await this.query('answer a trivial query', 'SELECT 1')
  }

  async recordImpressions(impressions: readonly Impression[]): Promise<number> {
    if (impressions.length === 0) return 0
    const rows = impressionRows(impressions)
    const column = (k: keyof (typeof rows)[number]) => rows.map((r) => r[k])
    const { rowCount } = await this.query('record impressions', INSERT_IMPRESSIONS_PG, [
      column('listener_id'), column('track_id'), column('model'), column('at'), column('day'), column('until_at'),
    ])
    return rowCount ?? 0
  }

  async onlineStats(sinceDay: string): Promise<OnlineDayStats[]> {
    const { rows } = await this.query<Record<string, unknown>>('read online statistics', ONLINE_STATS_SQL, [sinceDay])
    return toDayStats(rows)
  }

  async pruneImpressions(beforeDay: string): Promise<number> {
    const { rowCount } = await this.query('prune impressions', PRUNE_IMPRESSIONS, [beforeDay])
    return rowCount ?? 0
  }

  async close(): Promise<void> {
    await this.pool.end()
  }

  /**
   * Runs `work` on one connection between BEGIN and COMMIT. On failure the transaction is rolled back; if even
   * the rollback fails the connection is broken, so it is destroyed rather than returned to the pool, which
   * makes the server abort the transaction. The original error is the one thrown.
   */
  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect()
    let broken: Error | undefined
    try {
      await client.query('BEGIN')
      const result = await work(client)
      await client.query('COMMIT')
      return result
    } catch (error) {
      broken = await client.query('ROLLBACK').then(() => undefined, (rollbackError: Error) => rollbackError)
      throw error
    } finally {
      client.release(broken)
    }
  }

  private query<R extends pg.QueryResultRow>(what: string, sql: string | pg.QueryConfig, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    return this.guard(what, () => (typeof sql === 'string' ? this.pool.query<R>(sql, params) : this.pool.query<R>({ ...sql, values: params })))
  }

  /** Turns driver failures into E_STORE, which shells know; segue's own errors (E_NOT_FOUND...) pass through. */
  private async guard<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (cause) {
      if (cause instanceof SegueError) throw cause
      throw storeError(what, this.location, cause)
    }
  }
}

/** Creates missing tables. The lock keeps two servers starting at once from racing on the same CREATE. */
async function createSchema(client: pg.PoolClient): Promise<void> {
  await client.query(SCHEMA_LOCK)
  await client.query(SCHEMA)
  // A database written by an earlier segue has the impressions' first layout: rebuilt once, before first use.
  const { rows } = await client.query<{ first: boolean }>('SELECT to_regclass($1) IS NOT NULL AS first', [FIRST_LAYOUT_INDEX])
  if (rows[0].first) await client.query(IMPRESSIONS_REBUILD)
  await client.query(IMPRESSIONS_SCHEMA)
}

/** The body of upsertTracks, inside its transaction. Mirrors SqliteStore.upsertTracks row for row. */
async function importTracks(client: pg.PoolClient, tracks: readonly Track[], opts: ImportOptions): Promise<ImportOutcome> {
  await client.query(IMPORT_LOCK)
  const rows = tracks.map(toRow)
  const { outcome, writes } = planWrites(rows, await storedHashes(client, rows))
  for (let i = 0; i < writes.length; i += UPSERT_BATCH) await writeTracks(client, writes.slice(i, i + UPSERT_BATCH))
  const removed = opts.replace ? await removeAllBut(client, rows) : 0
  const changed = outcome.added + outcome.updated + removed > 0
  const current = await readInfo(client)
  const info = changed || !current ? await refreshInfo(client) : current
  if (opts.record) await logImport(client, opts.record, changed)
  return { ...outcome, info }
}

/** The stored hash of every incoming id already in the table, in one query. */
async function storedHashes(client: pg.PoolClient, rows: readonly TrackRow[]): Promise<Map<string, string>> {
  const { rows: found } = await client.query<{ id: string; hash: string }>(
    'SELECT t.id, t.hash FROM tracks t JOIN unnest($1::text[]) AS incoming(id) ON incoming.id = t.id',
    [rows.map((r) => r.id)],
  )
  return new Map(found.map((r) => [r.id, r.hash]))
}

/**
 * Counts and picks the rows to write exactly as SQLite's row-by-row INSERT OR REPLACE would: an id given
 * twice is compared with its earlier occurrence, and the last occurrence wins.
 */
function planWrites(rows: readonly TrackRow[], stored: Map<string, string>): { outcome: Omit<ImportOutcome, 'info'>; writes: TrackRow[] } {
  const outcome = { added: 0, updated: 0, unchanged: 0 }
  const current = new Map(stored)
  const writes = new Map<string, TrackRow>()
  for (const row of rows) {
    const old = current.get(row.id)
    if (old === row.hash) outcome.unchanged++
    else {
      if (old === undefined) outcome.added++
      else outcome.updated++
      current.set(row.id, row.hash)
      writes.set(row.id, row)
    }
  }
  return { outcome, writes: [...writes.values()] }
}

async function writeTracks(client: pg.PoolClient, batch: readonly TrackRow[]): Promise<void> {
  await client.query(UPSERT_TRACKS, TRACK_COLUMNS.map(([column]) => batch.map((row) => row[column])))
}

/** Deletes every track whose id is not among `keep`; an anti-join, so it stays linear for a whole catalogue. */
async function removeAllBut(client: pg.PoolClient, keep: readonly TrackRow[]): Promise<number> {
  const { rowCount } = await client.query(
    'DELETE FROM tracks t WHERE NOT EXISTS (SELECT 1 FROM unnest($1::text[]) AS kept(id) WHERE kept.id = t.id)',
    [keep.map((r) => r.id)],
  )
  return rowCount ?? 0
}

async function countTracks(db: pg.Pool): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM tracks')
  return rows[0].n
}

async function readInfo(db: pg.Pool | pg.PoolClient): Promise<CatalogueInfo | null> {
  const { rows } = await db.query<{ value: string }>("SELECT value FROM meta WHERE key = 'catalogue'")
  return rows.length > 0 ? (JSON.parse(rows[0].value) as CatalogueInfo) : null
}

async function refreshInfo(client: pg.PoolClient): Promise<CatalogueInfo> {
  const { rows } = await client.query<{ id: string; hash: string }>(`SELECT id, hash FROM tracks ${BY_ID}`)
  const info: CatalogueInfo = { version: catalogueVersion(rows), tracks: rows.length, updatedAt: new Date().toISOString() }
  await client.query(
    "INSERT INTO meta (key, value) VALUES ('catalogue', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
    [JSON.stringify(info)],
  )
  return info
}

async function logImport(client: pg.PoolClient, record: Omit<ImportRecord, 'at' | 'changed'>, changed: boolean): Promise<void> {
  await client.query('INSERT INTO imports (source, layout, at, changed, report) VALUES ($1, $2, $3, $4, $5)', [
    record.source, record.layout, new Date().toISOString(), changed, JSON.stringify(record.report),
  ])
}

/**
 * Appends events in input order. KEY SHARE on the listener row makes a concurrent deleteListener wait for this
 * transaction, so an accepted event is never orphaned and a refused one is a clean E_NOT_FOUND.
 */
async function insertFeedback(client: pg.PoolClient, listenerId: string, events: readonly NewFeedback[]): Promise<FeedbackEvent[]> {
  const { rowCount } = await client.query('SELECT 1 FROM listeners WHERE id = $1 FOR KEY SHARE', [listenerId])
  if (rowCount === 0) throw new SegueError('E_NOT_FOUND', `no listener has the id '${listenerId}'`)
  if (events.length === 0) return []
  const stored = events.map((e) => ({ listenerId, trackId: e.trackId, kind: e.kind, at: e.at ?? new Date().toISOString() }))
  // ORDER BY the input position makes the identity hand out seqs in input order.
  const { rows } = await client.query<{ seq: string }>(
    `INSERT INTO feedback (listener_id, track_id, kind, at)
     SELECT $1, e.track_id, e.kind, e.at FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS e(track_id, kind, at, n)
     ORDER BY e.n
     RETURNING seq`,
    [listenerId, stored.map((e) => e.trackId), stored.map((e) => e.kind), stored.map((e) => e.at)],
  )
  const seqs = rows.map((r) => Number(r.seq)).sort((a, b) => a - b)
  return stored.map((e, i) => ({ seq: seqs[i], ...e }))
}

/** E_STORE saying what was being done; the driver's message loses every part of the connection URL. */
function storeError(what: string, location: string, cause: unknown): SegueError {
  return new SegueError('E_STORE', `${what} failed: ${redactor(location)((cause as Error).message)}`, { cause })
}

/** The URL for messages: a password in the user part or in a `password` query parameter becomes ***. */
export function maskPassword(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    // Not a URL the WHATWG parser accepts, so the user part cannot be told apart reliably: hide all of it.
    return url.replace(/\/\/[^/]*@/, '//***@')
  }
  if (parsed.password !== '') parsed.password = '***'
  if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***')
  return parsed.toString()
}
