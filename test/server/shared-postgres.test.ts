import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from '../../src/server/app.js'
import { SegueService } from '../../src/service/service.js'
import { fixturesDir } from '../helpers/paths.js'
import { startPgCluster } from '../helpers/pg-cluster.js'
import { client } from '../helpers/service.js'

// Two server instances (each its own home for models, one PostgreSQL database for data) behave as one.
const cluster = await startPgCluster()
const CATALOGUE = join(fixturesDir, 'engine', 'catalogue.csv')
const SEED = 'seed0000000000000000001'

if ('skip' in cluster) {
  test('servers sharing PostgreSQL', { skip: cluster.skip }, () => {})
} else {
  after(() => cluster.stop())

  test('two servers over one PostgreSQL database share listeners and feedback at once', { timeout: 120_000 }, async () => {
    const url = await cluster.createDatabase('shared')
    const start = () => SegueService.start({ home: mkdtempSync(join(tmpdir(), 'segue-pg-home-')), store: url, catalogue: CATALOGUE, listening: null })
    const first = await start()
    const second = await start()
    const [appA, appB] = [await createApp(first, { webRoot: null }), await createApp(second, { webRoot: null })]
    try {
      assert.equal(first.store.location.startsWith('postgres'), true)
      const [a, b] = [client(appA), client(appB)]
      assert.equal((await b.get('/api/health')).body.tracks, 9, 'the second server found the catalogue the first imported')
      const me = await a.listener('shared')
      const cold = await b.get(`/api/listeners/${me.id}/recommendations?n=3&model=content`, me.token)
      assert.equal(cold.status, 200, 'a listener created on one server is known to the other')
      assert.equal(cold.body.coldStart, true)
      assert.equal((await a.post(`/api/listeners/${me.id}/feedback`, { trackId: SEED, kind: 'like' }, me.token)).status, 201)
      const warm = await b.get(`/api/listeners/${me.id}/recommendations?n=3&model=content`, me.token)
      assert.equal(warm.body.coldStart, false, 'the like acknowledged by one server shapes the next answer of the other')
      assert.ok(warm.body.items[0].reasons.some((r: { trackId?: string }) => r.trackId === SEED))
      assert.equal((await b.del(`/api/listeners/${me.id}`, me.token)).status, 204)
      assert.equal((await a.get(`/api/listeners/${me.id}`, me.token)).status, 403, 'a deleted listener\'s token grants nothing')
    } finally {
      await appA.close()
      await appB.close()
      await first.close()
      await second.close()
    }
  })
}
