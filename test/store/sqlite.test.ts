import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SqliteStore } from '../../src/store/sqlite.js'
import { runStoreSuite } from '../contract/store.case.js'

let path = ''
runStoreSuite(
  'sqlite',
  () => {
    path = join(mkdtempSync(join(tmpdir(), 'segue-sqlite-')), 'segue.db')
    return new SqliteStore(path)
  },
  () => new SqliteStore(path),
)
