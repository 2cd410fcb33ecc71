import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { createApp } from '../../src/server/app.js'
import { SegueService } from '../../src/service/service.js'
import { openStore } from '../../src/store/open.js'
import { replicationOf } from '../../src/store/replicated.js'
import { fixturesDir } from '../helpers/paths.js'
import { startPgCluster } from '../helpers/pg-cluster.js'
import { startPgReplica } from '../helpers/pg-replica.js'
import { client } from '../helpers/service.js'

// A primary and a streaming standby made by pg_basebackup -R: lag-tolerant reads go to the standby, a
// listener's reads stay with their writes, and a standby that goes down costs nothing but a warning.
const CATALOGUE = join(fixturesDir, 'engine', 'catalogue.csv')
const TRACKS = ['seed0000000000000000001', 'alpha000000000000000002', 'rock0000000000000000005']
const primary = await startPgCluster()
const setup = 'skip' in primary ? primary : await startWithReplica(primary)

async function startWithReplica(cluster: Exclude<typeof primary, { skip: string }>) {
  after(() => cluster.stop())
  const dbUrl = await cluster.createDatabase('replicated')
  const replica = await startPgReplica(cluster)
  if ('skip' in replica) return replica
  after(() => replica.stop())
  return { dbUrl, replica }
}

test('--store-replica needs a PostgreSQL primary', async () => {
  await assert.rejects(openStore(join(tmpdir(), 'x.db'), { replicas: ['postgres://127.0.0.1:1/x'] }), (e: Error & { code?: string }) => e.code === 'E_BAD_ARGUMENT' && /needs --store postgres/.test(e.message))
})

if ('skip' in setup) {
  test('read replicas', { skip: setup.skip }, () => {})
} else {
  const { dbUrl, replica } = setup
  const replicaUrl = replica.url('replicated')
  const warnings: string[] = []
  const start = () => SegueService.start({
    home: mkdtempSync(join(tmpdir(), 'segue-replica-home-')), store: dbUrl, storeReplicas: [replicaUrl], catalogue: CATALOGUE, listening: null,
    log: (m) => warnings.push(m),
  })

  test('catalogue reads go to the replica; a listener reads their own writes while the replica lags; a dead replica is skipped', { timeout: 60_000 }, async () => {
    const importer = await start() // first start: imports the catalogue on the primary
    await replica.catchUp()
    const server = await start()
    const app = await createApp(server, { webRoot: null })
    try {
      const replication = replicationOf(server.store)!
      assert.ok(replication, 'the store was opened with a replica')
      assert.equal((await client(app).get('/api/health')).body.tracks, 9)
      const atStart = replication.stats()
      assert.ok(atStart.replicas[0].reads >= 2, `the catalogue (info and tracks) was read from the replica at start: ${JSON.stringify(atStart)}`)
      assert.equal(atStart.primaryReads, 0)
      assert.ok(await replicaRanCatalogueQuery(replicaUrl), "the replica's own pg_stat_activity shows segue-replica reading the tracks")

      // The replica stops replaying: everything written from now on is missing there.
      await replica.pauseReplay()
      const api = client(app)
      const me = await api.listener('reader')
      for (const [i, trackId] of TRACKS.entries()) {
        assert.equal((await api.post(`/api/listeners/${me.id}/feedback`, { trackId, kind: 'like' }, me.token)).status, 201)
        const history = await api.get(`/api/listeners/${me.id}/history?limit=50`, me.token)
        assert.equal(history.status, 200, 'the new listener is known at once (their record is read from the primary)')
        assert.deepEqual(history.body.events.map((e: { trackId: string }) => e.trackId), TRACKS.slice(0, i + 1), 'a write is followed by a read that sees it')
        const counts = await api.get(`/api/listeners/${me.id}`, me.token)
        assert.equal(counts.body.counts.like, i + 1)
      }
      assert.equal(await server.store.getListener(me.id).then((l) => l?.id), me.id)
      assert.equal(await countOn(replicaUrl, 'SELECT count(*)::int AS n FROM listeners WHERE id = $1', [me.id]), 0, 'the replica really lags: it has not got the listener')
      const before = replication.stats().replicas[0].reads
      assert.equal((await server.store.getTrack(TRACKS[0]))?.id, TRACKS[0])
      assert.equal(await server.store.countTracks(), 9)
      assert.equal(replication.stats().replicas[0].reads, before + 2, 'catalogue reads go to the replica even while it lags')
      await replica.resumeReplay()

      // The replica goes down: catalogue reads fall back to the primary, with one warning, and listeners are served.
      await replica.kill()
      warnings.length = 0
      assert.equal((await server.store.getTrack(TRACKS[1]))?.id, TRACKS[1], 'still served')
      assert.equal(await server.store.countTracks(), 9)
      const down = replication.stats()
      assert.equal(down.replicas[0].failures, 1, 'one failure: the replica is then left out, not retried on every read')
      assert.equal(down.replicas[0].down, true)
      assert.equal(down.primaryReads, 2)
      assert.equal(warnings.filter((w) => /replica .* failed/.test(w)).length, 1, `one logged warning: ${warnings.join(' | ')}`)
      assert.equal((await api.post(`/api/listeners/${me.id}/feedback`, { trackId: TRACKS[0], kind: 'play' }, me.token)).status, 201)
      assert.equal((await api.get(`/api/listeners/${me.id}/recommendations?n=3&model=content`, me.token)).status, 200)
    } finally {
      await app.close()
      await server.close()
      await importer.close()
    }
  })
}

/** Whether a connection named segue-replica last ran a query on the tracks table, per the replica itself. */
async function replicaRanCatalogueQuery(url: string): Promise<boolean> {
  const n = await countOn(url, "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'segue-replica' AND query ILIKE '%FROM tracks%'")
  return n > 0
}

async function countOn(url: string, sql: string, params: unknown[] = []): Promise<number> {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    return (await c.query<{ n: number }>(sql, params)).rows[0].n
  } finally {
    await c.end()
  }
}
