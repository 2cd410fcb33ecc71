import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import pg from 'pg'
import { bundledDataDir } from '../../src/core/paths.js'
import { readCatalogue } from '../../src/data/read-catalogue.js'
import { openStore } from '../../src/store/open.js'
import { maskPassword, PostgresStore } from '../../src/store/postgres.js'
import { SqliteStore } from '../../src/store/sqlite.js'
import type { ListenerRecord } from '../../src/store/store.js'
import type { Track } from '../../src/core/track.js'
import { runStoreSuite } from '../contract/store.case.js'
import { runImpressionsLayoutCase } from './impressions-layout.case.js'
import { makeTrack } from '../helpers/make-track.js'
import { startPgCluster } from '../helpers/pg-cluster.js'

const cluster = await startPgCluster()

if ('skip' in cluster) {
  test('postgres store', { skip: cluster.skip }, () => {})
} else {
  after(() => cluster.stop())

  let databases = 0
  /** Every test gets its own database, so tests never see each other's rows. */
  const freshDatabase = () => cluster.createDatabase(`t${++databases}`)
  let last = ''
  runStoreSuite(
    'postgres',
    async () => PostgresStore.connect((last = await freshDatabase())),
    () => PostgresStore.connect(last),
  )

  runImpressionsLayoutCase('postgres', async () => {
    const url = await freshDatabase()
    const withClient = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      try {
        return await fn(client)
      } finally {
        await client.end()
      }
    }
    return {
      open: () => PostgresStore.connect(url),
      raw: {
        exec: (sql) => withClient(async (c) => void (await c.query(sql))),
        rows: (sql) => withClient(async (c) => (await c.query(sql)).rows),
        hasIndex: (name) => withClient(async (c) => (await c.query('SELECT to_regclass($1) IS NOT NULL AS found', [name])).rows[0].found === true),
      },
    }
  })

  const listener = (id: string): ListenerRecord => ({ id, name: null, tokenHash: 'f'.repeat(64), createdAt: '2026-03-04T05:06:07.089Z' })

  /** The catalogue version the SQLite store gives the same tracks: the reference PostgreSQL must match. */
  async function sqliteVersion(tracks: readonly Track[]): Promise<string> {
    const sqlite = new SqliteStore(':memory:')
    try {
      return (await sqlite.upsertTracks(tracks)).info.version
    } finally {
      await sqlite.close()
    }
  }

  test('postgres: several servers starting at once on an empty database all get the schema', async () => {
    const url = await freshDatabase()
    const stores = await Promise.all(Array.from({ length: 4 }, () => PostgresStore.connect(url)))
    for (const store of stores) assert.equal(await store.countTracks(), 0)
    await Promise.all(stores.map((s) => s.close()))
  })

  test('postgres: two servers on one database see each other\'s listeners and feedback at once', async () => {
    const url = await freshDatabase()
    const [a, b] = await Promise.all([PostgresStore.connect(url), PostgresStore.connect(url)])
    await a.createListener(listener('shared'))
    assert.deepEqual(await b.getListener('shared'), listener('shared'))
    await assert.rejects(() => b.createListener(listener('shared')), { code: 'E_CONFLICT' })

    const fromA = await a.appendFeedback('shared', [{ trackId: 'x', kind: 'like' }])
    const fromB = await b.appendFeedback('shared', [{ trackId: 'y', kind: 'skip' }, { trackId: 'z', kind: 'play' }])
    assert.deepEqual(await a.feedback('shared'), [...fromA, ...fromB])
    assert.deepEqual(await b.feedback('shared', { limit: 1 }), [fromB[1]])

    assert.equal(await b.deleteListener('shared'), true)
    assert.equal(await a.getListener('shared'), null)
    assert.deepEqual(await a.feedback('shared'), [])
    await Promise.all([a.close(), b.close()])
  })

  test('postgres: imports from two servers at once are serialised and leave a consistent catalogue', async () => {
    const url = await freshDatabase()
    const [a, b] = await Promise.all([PostgresStore.connect(url), PostgresStore.connect(url)])
    const first = Array.from({ length: 3000 }, (_, i) => makeTrack({ id: `s${i}` }))
    const second = Array.from({ length: 3000 }, (_, i) => makeTrack({ id: `s${i + 1500}`, name: `second ${i}` }))
    const outcomes = await Promise.all([a.upsertTracks(first), b.upsertTracks(second)])
    assert.deepEqual(outcomes.map((o) => o.added + o.updated).sort(), [3000, 3000])
    const stored = await a.allTracks()
    assert.equal(stored.length, 4500)
    // The import that went second saw the first one's tracks: the two did not interleave.
    assert.deepEqual(outcomes.map((o) => o.info.tracks).sort(), [3000, 4500])
    assert.deepEqual(await b.catalogueInfo(), outcomes.find((o) => o.info.tracks === 4500)!.info)
    assert.equal((await b.catalogueInfo())!.version, await sqliteVersion(stored))
    await Promise.all([a.close(), b.close()])
  })

  test('postgres: the same tracks get the same catalogue version and id order as in SQLite', async () => {
    const ids = ['a_B', 'Ab', 'ab', '_x', 'B', 'a-b', 'Z9', 'é', 'e', '10', '9']
    const tracks = ids.map((id) => makeTrack({ id }))
    const byBytes = [...ids].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)))
    const url = await freshDatabase()
    const store = await PostgresStore.connect(url)
    const info = (await store.upsertTracks(tracks)).info
    assert.equal(info.version, await sqliteVersion(tracks))
    assert.deepEqual((await store.allTracks()).map((t) => t.id), byBytes)
    assert.notDeepEqual(await defaultOrder(url), byBytes, 'the test database should sort by language rules, or this test proves nothing')
    await store.close()
  })

  test('postgres: an unreachable server is E_STORE, naming no part of the URL', async () => {
    const url = 'postgres://segue:s3cret@127.0.0.1:1/nowhere'
    await assert.rejects(() => PostgresStore.connect(url), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'E_STORE')
      assert.match(e.message, /^cannot connect to PostgreSQL: /)
      assert.doesNotMatch(e.message, /s3cret|segue|127\.0\.0\.1|postgres:/)
      return true
    })
    assert.equal(maskPassword('postgresql://u@db.example/segue?sslmode=require&password=hunter2'), 'postgresql://u@db.example/segue?sslmode=require&password=***')
    assert.equal(maskPassword(cluster.url()), cluster.url())
  })

  test('postgres: openStore opens a working PostgreSQL store for a postgres:// URL', async () => {
    const url = await freshDatabase()
    const store = await openStore(url)
    assert.ok(store instanceof PostgresStore)
    assert.equal(store.location, url)
    await store.upsertTracks([makeTrack({ id: 'via-open' })])
    assert.equal((await store.getTrack('via-open'))!.name, 'track via-open')
    await store.close()
  })

  test('postgres: the bundled 114k catalogue imports once, re-imports unchanged, with SQLite\'s version', { timeout: 300_000 }, async (t) => {
    const { tracks } = await readCatalogue(join(bundledDataDir(), 'spotify-tracks-114k', 'dataset.csv.gz'))
    assert.equal(tracks.length, 89_741)
    const store = await PostgresStore.connect(await freshDatabase())
    const started = performance.now()
    const first = await store.upsertTracks(tracks)
    const firstMs = performance.now() - started
    t.diagnostic(`first import of ${tracks.length} tracks into PostgreSQL: ${Math.round(firstMs)} ms`)
    assert.deepEqual([first.added, first.updated, first.unchanged, first.info.tracks], [89_741, 0, 0, 89_741])
    assert.equal(await store.countTracks(), 89_741)

    const again = performance.now()
    const second = await store.upsertTracks(tracks)
    t.diagnostic(`unchanged re-import: ${Math.round(performance.now() - again)} ms`)
    assert.deepEqual([second.added, second.updated, second.unchanged], [0, 0, 89_741])
    assert.deepEqual(second.info, first.info)
    assert.equal(first.info.version, await sqliteVersion(tracks))
    await store.close()
  })
}

/** Ids in the database's own default order, bypassing the store, to check what the collation test relies on. */
async function defaultOrder(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<{ id: string }>('SELECT id FROM tracks ORDER BY id')).rows.map((r) => r.id)
  } finally {
    await client.end()
  }
}
