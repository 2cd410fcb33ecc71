import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { SegueError } from '../core/errors.js'
import type { Track } from '../core/track.js'
import type { CatalogueInfo, ImportOutcome, ImportRecord, Store } from './store.js'
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
`
const COLUMNS = [
  'id', 'name', 'artists', 'artist_ids', 'album', 'genres', 'popularity', 'duration_ms', 'explicit',
  'release_year', 'release_date', 'artist_followers', 'features', 'hash',
] as const

/** The embedded store: one SQLite file in WAL mode. */
export class SqliteStore implements Store {
  private readonly db: Database.Database

  constructor(readonly path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
    try {
      this.db = new Database(path)
      this.db.pragma('journal_mode = WAL')
      this.db.pragma('synchronous = NORMAL')
      this.db.exec(SCHEMA)
    } catch (cause) {
      throw new SegueError('E_STORE', `cannot open the SQLite store at ${path}: ${(cause as Error).message}`, { cause })
    }
  }

  upsertTracks(tracks: readonly Track[], opts: { replace?: boolean; record?: Omit<ImportRecord, 'at' | 'changed'> } = {}): ImportOutcome {
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
      const info = changed || !this.catalogueInfo() ? this.refreshInfo() : this.catalogueInfo()!
      if (opts.record) this.logImport(opts.record, changed)
      return { ...outcome, info }
    })
    try {
      return run()
    } catch (cause) {
      throw new SegueError('E_STORE', `import into ${this.path} failed, the catalogue is unchanged: ${(cause as Error).message}`, { cause })
    }
  }

  getTrack(id: string): Track | null {
    const row = this.db.prepare('SELECT * FROM tracks WHERE id = ?').get(id) as TrackRow | undefined
    return row ? fromRow(row) : null
  }

  allTracks(): Track[] {
    return (this.db.prepare('SELECT * FROM tracks ORDER BY id').all() as TrackRow[]).map(fromRow)
  }

  countTracks(): number {
    return this.db.prepare('SELECT count(*) FROM tracks').pluck().get() as number
  }

  catalogueInfo(): CatalogueInfo | null {
    const value = this.db.prepare("SELECT value FROM meta WHERE key = 'catalogue'").pluck().get() as string | undefined
    return value ? (JSON.parse(value) as CatalogueInfo) : null
  }

  imports(): ImportRecord[] {
    const rows = this.db.prepare('SELECT source, layout, at, changed, report FROM imports ORDER BY seq').all() as {
      source: string; layout: string; at: string; changed: number; report: string
    }[]
    return rows.map((r) => ({ ...r, changed: r.changed === 1, report: JSON.parse(r.report) }))
  }

  close(): void {
    this.db.close()
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
    const info: CatalogueInfo = { version, tracks: this.countTracks(), updatedAt: new Date().toISOString() }
    this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('catalogue', ?)").run(JSON.stringify(info))
    return info
  }

  private logImport(record: Omit<ImportRecord, 'at' | 'changed'>, changed: boolean): void {
    this.db
      .prepare('INSERT INTO imports (source, layout, at, changed, report) VALUES (?, ?, ?, ?, ?)')
      .run(record.source, record.layout, new Date().toISOString(), changed ? 1 : 0, JSON.stringify(record.report))
  }
}
