import Database from 'better-sqlite3'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SqliteStore } from '../../src/store/sqlite.js'
import { runStoreSuite } from '../contract/store.case.js'
import { runImpressionsLayoutCase } from './impressions-layout.case.js'

let path = ''
runStoreSuite(
  'sqlite',
  () => {
    path = join(mkdtempSync(join(tmpdir(), 'segue-sqlite-')), 'segue.db')
    return new SqliteStore(path)
  },
  () => new SqliteStore(path),
)

runImpressionsLayoutCase('sqlite', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'segue-sqlite-')), 'segue.db')
  const withDb = <T>(fn: (db: Database.Database) => T): T => {
    const db = new Database(file)
    try {
      return fn(db)
    } finally {
      db.close()
    }
  }
  return {
    open: async () => new SqliteStore(file),
    raw: {
      exec: async (sql) => withDb((db) => void db.transaction(() => db.exec(sql))()),
      rows: async (sql) => withDb((db) => db.prepare(sql).all() as Record<string, unknown>[]),
      hasIndex: async (name) => withDb((db) => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?").get(name) !== undefined),
    },
  }
})
