import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { SegueError, isSegueError } from '../core/errors.js'
import { redactor } from './redact.js'
import type { Track } from '../core/track.js'
import type { CatalogueInfo, FeedbackEvent, FeedbackKind, FeedbackTail, ImportOutcome, ImportRecord, ListenerRecord, NewFeedback, Store } from './store.js'
import { FEEDBACK_AFTER } from './feedback-tail.js'
import { FIRST_LAYOUT_INDEX, IMPRESSIONS_REBUILD, IMPRESSIONS_SCHEMA, INSERT_IMPRESSION_SQLITE, ONLINE_STATS_SQL, PRUNE_IMPRESSIONS, impressionRows, toDayStats, type Impression, type OnlineDayStats } from './impressions.js'
import { catalogueVersion, fromRow, toRow, type TrackRow } from './track-row.js'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS tracks (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  artists TEXT NOT NULL,
  artist_ids TEXT NOT NULL,
  album TEXT,
  genres TEXT NOT NULL,
  popularity REAL,
  duration_ms REAL,
  explicit INTEGER,
  release_year INTEGER,
  release_date TEXT,
  artist_followers REAL,
  features BLOB NOT NULL,
  hash TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS imports (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  source TEXT NOT NULL,
  layout TEXT NOT NULL,
  at TEXT NOT NULL,
  changed INTEGER NOT NULL,
  report TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS listeners (
  id TEXT PRIMARY KEY,
  name TEXT,
  token_hash TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
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
const COLUMNS = [
  'id', 'name', 'artists', 'artist_ids', 'album', 'genres', 'popularity', 'duration_ms', 'explicit',
  'release_year', 'release_date', 'artist_followers', 'features', 'hash',
] as const

interface FeedbackRow { seq: number; listener_id: string; track_id: string; kind: string; at: string }

/** Listeners whose record and newest-event mark ListenerMemo keeps; the oldest go first. */
const MEMO_KEPT = 10_000

/**
 * What the per-request reads (getListener for the token check, feedbackAfter for the history catch-up) last
 * found, per listener, valid while the database is unchanged: this connection's own writes to a listener drop
 * that listener's entries, and a commit by any other connection (another process sharing the file, the bench's
 * writer) changes SQLite's data_version, checked before every use, which drops them all. So an answer from here
 * is the one the query would give at that moment, and a revoked listener (deleted here or elsewhere) is refused
 * at once. Each entry: the record (null: no such listener) and/or the listener's first seq with the seq after
 * which they have no event.
 */
class ListenerMemo {
  private version: number | undefined
  private readonly records = new Map<string, ListenerRecord | null>()
  private readonly tails = new Map<string, { first: number | null; noneAfter: number }>()

  constructor(private readonly dataVersion: () => number) {}

  /** Drops everything when another connection has committed since the last check. */
  sync(): void {
    const v = this.dataVersion()
    if (v !== this.version) {
      this.records.clear()
      this.tails.clear()
      this.version = v
    }
  }

  record(id: string): ListenerRecord | null | undefined {
    return this.records.get(id)
  }

  keepRecord(id: string, r: ListenerRecord | null): void {
    keep(this.records, id, r)
  }

  /** feedbackAfter's answer when the listener has no event after `afterSeq`, as last read. */
  emptyTail(id: string, afterSeq: number): FeedbackTail | undefined {
    const t = this.tails.get(id)
    return t && afterSeq >= t.noneAfter ? { first: t.first, events: [] } : undefined
  }

  keepTail(id: string, afterSeq: number, tail: FeedbackTail): void {
    keep(this.tails, id, { first: tail.first, noneAfter: Math.max(afterSeq, tail.events.at(-1)?.seq ?? 0) })
  }

  /** This connection wrote to the listener (events, deletion, creation). */
  drop(id: string): void {
    this.records.delete(id)
    this.tails.delete(id)
  }
}

function keep<V>(map: Map<string, V>, id: string, value: V): void {
  map.delete(id)
  map.set(id, value)
  if (map.size > MEMO_KEPT) map.delete(map.keys().next().value!)
}


/**
 * The embedded store: one SQLite file in WAL mode with full sync, so a committed write (an acknowledged
 * feedback event) survives the process being killed. Calls run synchronously under promise-returning methods.
 */
export class SqliteStore implements Store {
  private readonly db: Database.Database
  /** The statements of the per-request paths, prepared once. */
  private readonly statements: Record<'allFeedback' | 'recentFeedback' | 'feedbackAfter' | 'listener', Database.Statement>
  /** getListener's and feedbackAfter's last answers while nothing changed (ListenerMemo). */
  private readonly memo: ListenerMemo

  constructor(readonly location: string) {
    if (location !== ':memory:') mkdirSync(dirname(location), { recursive: true })
    try {
      this.db = new Database(location)
      this.db.pragma('journal_mode = WAL')
      this.db.pragma('synchronous = FULL')
      this.db.pragma('foreign_keys = ON')
      this.db.pragma('busy_timeout = 5000')
      this.db.exec(SCHEMA)
      // A home written by an earlier segue has the impressions' first layout: rebuilt once, before first use, under
      // the write lock (checked again there: another process opening the file at once may have rebuilt it).
      const firstLayout = () => this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?").get(FIRST_LAYOUT_INDEX) !== undefined
      if (firstLayout()) this.db.transaction(() => firstLayout() && this.db.exec(IMPRESSIONS_REBUILD)).immediate()
      this.db.exec(IMPRESSIONS_SCHEMA)
      this.statements = {
        allFeedback: this.db.prepare('SELECT * FROM feedback WHERE listener_id = ? ORDER BY seq'),
        recentFeedback: this.db.prepare('SELECT * FROM (SELECT * FROM feedback WHERE listener_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq'),
        feedbackAfter: this.db.prepare(FEEDBACK_AFTER.replaceAll('$1', '@id').replaceAll('$2', '@after')),
        listener: this.db.prepare('SELECT id, name, token_hash, created_at FROM listeners WHERE id = ?'),
      }
      const dataVersion = this.db.prepare('PRAGMA data_version').pluck()
      this.memo = new ListenerMemo(() => dataVersion.get() as number)
    } catch (cause) {
      throw new SegueError('E_STORE', `cannot open the SQLite store at ${location}: ${(cause as Error).message}`, { cause })
    }
  }

  async upsertTracks(tracks: readonly Track[], opts: { replace?: boolean; record?: Omit<ImportRecord, 'at' | 'changed'> } = {}): Promise<ImportOutcome> {
    const existing = this.db.prepare('SELECT hash FROM tracks WHERE id = ?').pluck()
    const insert = this.db.prepare(
      `INSERT OR REPLACE INTO tracks (${COLUMNS.join(',')}) VALUES (${COLUMNS.map((c) => '@' + c).join(',')})`,
    )
    const run = this.db.transaction(() => {
      const outcome = { added: 0, updated: 0, unchanged: 0 }
      const seen = opts.replace ? new Set<string>() : null
      for (const t of tracks) {
        const row = toRow(t)
        seen?.add(row.id)
        const old = existing.get(row.id) as string | undefined
        if (old === row.hash) outcome.unchanged++
        else {
          insert.run(row)
          if (old === undefined) outcome.added++
          else outcome.updated++
        }
      }
      const removed = seen ? this.removeAllBut(seen) : 0
      const changed = outcome.added + outcome.updated + removed > 0
      const current = this.info()
      const info = changed || !current ? this.refreshInfo() : current
      if (opts.record) this.logImport(opts.record, changed)
      return { ...outcome, info }
    })
    try {
      return run()
    } catch (cause) {
      throw new SegueError('E_STORE', `import into ${this.location} failed, the catalogue is unchanged: ${(cause as Error).message}`, { cause })
    }
  }

  async getTrack(id: string): Promise<Track | null> {
    return this.guard('read a track', () => {
      const row = this.db.prepare('SELECT * FROM tracks WHERE id = ?').get(id) as TrackRow | undefined
      return row ? fromRow(row) : null
    })
  }

  async allTracks(): Promise<Track[]> {
    return this.guard('read the catalogue', () => (this.db.prepare('SELECT * FROM tracks ORDER BY id').all() as TrackRow[]).map(fromRow))
  }

  async countTracks(): Promise<number> {
    return this.guard('count tracks', () => this.count())
  }

  async catalogueInfo(): Promise<CatalogueInfo | null> {
    return this.guard('read the catalogue version', () => this.info())
  }

  async imports(): Promise<ImportRecord[]> {
    return this.guard('read the import log', () => {
      const rows = this.db.prepare('SELECT source, layout, at, changed, report FROM imports ORDER BY seq').all() as {
        source: string; layout: string; at: string; changed: number; report: string
      }[]
      return rows.map((r) => ({ ...r, changed: r.changed === 1, report: JSON.parse(r.report) }))
    })
  }

  async createListener(l: ListenerRecord): Promise<void> {
    this.memo.drop(l.id)
    try {
      this.db.prepare('INSERT INTO listeners (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)').run(l.id, l.name, l.tokenHash, l.createdAt)
    } catch (cause) {
      if ((cause as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new SegueError('E_CONFLICT', `a listener with the id '${l.id}' already exists`)
      throw storeError('create a listener', this.location, cause)
    }
  }

  async getListener(id: string): Promise<ListenerRecord | null> {
    return this.guard('read a listener', () => {
      this.memo.sync()
      let listener = this.memo.record(id)
      if (listener === undefined) {
        const r = this.statements.listener.get(id) as
          | { id: string; name: string | null; token_hash: string; created_at: string }
          | undefined
        listener = r ? { id: r.id, name: r.name, tokenHash: r.token_hash, createdAt: r.created_at } : null
        this.memo.keepRecord(id, listener)
      }
      return listener && { ...listener }
    })
  }

  async deleteListener(id: string): Promise<boolean> {
    return this.guard('delete a listener', () => {
      this.memo.drop(id)
      return this.db.transaction(() => {
        this.db.prepare('DELETE FROM feedback WHERE listener_id = ?').run(id)
        return this.db.prepare('DELETE FROM listeners WHERE id = ?').run(id).changes > 0
      })()
    })
  }

  async listenerSetting(listenerId: string, key: string): Promise<string | null> {
    return this.guard('read a listener setting', () => {
      const r = this.db.prepare('SELECT value FROM listener_settings WHERE listener_id = ? AND key = ?').get(listenerId, key) as { value: string } | undefined
      return r?.value ?? null
    })
  }

  async setListenerSetting(listenerId: string, key: string, value: string | null): Promise<void> {
    return this.guard('store a listener setting', () => {
      if (!this.db.prepare('SELECT 1 FROM listeners WHERE id = ?').get(listenerId)) throw new SegueError('E_NOT_FOUND', `no listener has the id '${listenerId}'`)
      if (value === null) this.db.prepare('DELETE FROM listener_settings WHERE listener_id = ? AND key = ?').run(listenerId, key)
      else this.db.prepare('INSERT INTO listener_settings (listener_id, key, value) VALUES (?, ?, ?) ON CONFLICT (listener_id, key) DO UPDATE SET value = excluded.value').run(listenerId, key, value)
    })
  }

  async appendFeedback(listenerId: string, events: readonly NewFeedback[]): Promise<FeedbackEvent[]> {
    return this.guard('store feedback', () => {
      this.memo.drop(listenerId)
      const insert = this.db.prepare('INSERT INTO feedback (listener_id, track_id, kind, at) VALUES (?, ?, ?, ?)')
      return this.db.transaction(() => {
        if (!this.db.prepare('SELECT 1 FROM listeners WHERE id = ?').get(listenerId)) {
          throw new SegueError('E_NOT_FOUND', `no listener has the id '${listenerId}'`)
        }
        return events.map((e) => {
          const at = e.at ?? new Date().toISOString()
          const seq = Number(insert.run(listenerId, e.trackId, e.kind, at).lastInsertRowid)
          return { seq, listenerId, trackId: e.trackId, kind: e.kind, at }
        })
      })()
    })
  }

  async feedback(listenerId: string, opts: { limit?: number } = {}): Promise<FeedbackEvent[]> {
    return this.guard('read feedback', () => {
      const rows = (
        opts.limit === undefined ? this.statements.allFeedback.all(listenerId) : this.statements.recentFeedback.all(listenerId, opts.limit)
      ) as FeedbackRow[]
      return rows.map((r) => ({ seq: r.seq, listenerId: r.listener_id, trackId: r.track_id, kind: r.kind as FeedbackKind, at: r.at }))
    })
  }

  async feedbackAfter(listenerId: string, afterSeq: number): Promise<FeedbackTail> {
    return this.guard('read feedback', () => {
      this.memo.sync()
      const known = this.memo.emptyTail(listenerId, afterSeq)
      if (known) return known
      const rows = this.statements.feedbackAfter.all({ id: listenerId, after: afterSeq }) as (Omit<FeedbackRow, 'listener_id'> & { first: number | null })[]
      const events = rows
        .filter((r) => r.seq !== null)
        .map((r) => ({ seq: r.seq, listenerId, trackId: r.track_id, kind: r.kind as FeedbackKind, at: r.at }))
      const tail = { first: rows[0]?.first ?? null, events }
      this.memo.keepTail(listenerId, afterSeq, tail)
      return tail
    })
  }

  async ping(): Promise<void> {
    this.guard('answer a trivial query', () => this.db.prepare('SELECT 1').get())
  }

  async recordImpressions(impressions: readonly Impression[]): Promise<number> {
    return this.guard('record impressions', () => {
      const insert = this.db.prepare(INSERT_IMPRESSION_SQLITE)
      return this.db.transaction(() => impressionRows(impressions).reduce((n, row) => n + insert.run(row).changes, 0))()
    })
  }

  async onlineStats(sinceDay: string): Promise<OnlineDayStats[]> {
    return this.guard('read online statistics', () => toDayStats(this.db.prepare(ONLINE_STATS_SQL.replaceAll('$1', '@since')).all({ since: sinceDay }) as Record<string, unknown>[]))
  }

  async pruneImpressions(beforeDay: string): Promise<number> {
    return this.guard('prune impressions', () => this.db.prepare(PRUNE_IMPRESSIONS.replace('$1', '?')).run(beforeDay).changes)
  }

  async close(): Promise<void> {
    this.db.close()
  }

  /** Runs a statement; a driver failure (disk full, store closed) becomes E_STORE naming what was being done. */
  private guard<T>(what: string, fn: () => T): T {
    try {
      return fn()
    } catch (cause) {
      if (isSegueError(cause)) throw cause
      throw storeError(what, this.location, cause)
    }
  }

  private count(): number {
    return this.db.prepare('SELECT count(*) FROM tracks').pluck().get() as number
  }

  private info(): CatalogueInfo | null {
    const value = this.db.prepare("SELECT value FROM meta WHERE key = 'catalogue'").pluck().get() as string | undefined
    return value ? (JSON.parse(value) as CatalogueInfo) : null
  }

  private removeAllBut(keep: Set<string>): number {
    const ids = this.db.prepare('SELECT id FROM tracks').pluck().all() as string[]
    const del = this.db.prepare('DELETE FROM tracks WHERE id = ?')
    let removed = 0
    for (const id of ids) if (!keep.has(id)) removed += del.run(id).changes
    return removed
  }

  private refreshInfo(): CatalogueInfo {
    const pairs = this.db.prepare('SELECT id, hash FROM tracks ORDER BY id').iterate() as Iterable<{ id: string; hash: string }>
    const version = catalogueVersion(pairs)
    const info: CatalogueInfo = { version, tracks: this.count(), updatedAt: new Date().toISOString() }
    this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('catalogue', ?)").run(JSON.stringify(info))
    return info
  }

  private logImport(record: Omit<ImportRecord, 'at' | 'changed'>, changed: boolean): void {
    this.db
      .prepare('INSERT INTO imports (source, layout, at, changed, report) VALUES (?, ?, ?, ?, ?)')
      .run(record.source, record.layout, new Date().toISOString(), changed ? 1 : 0, JSON.stringify(record.report))
  }
}

/** E_STORE saying what was being done, without the file's path: these messages reach HTTP clients (503). */
function storeError(what: string, location: string, cause: unknown): SegueError {
  return new SegueError('E_STORE', `${what} failed: ${redactor(location)((cause as Error).message)}`, { cause })
}
