import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SegueService } from '../../src/service/service.js'
import { fixturesDir } from '../helpers/paths.js'
import { startPgCluster } from '../helpers/pg-cluster.js'

// Two servers on one store: each keeps listeners' folded histories in memory, and must still see every event
// the other stored, at once, and forget a history the other deleted (even when the id is taken again).
// The engine fixture: nine tracks around a seed, content only.
const SEED = 'seed0000000000000000001'
const catalogue = join(fixturesDir, 'engine', 'catalogue.csv')

async function twoServers(store: string): Promise<[SegueService, SegueService]> {
  const start = () => SegueService.start({ home: mkdtempSync(join(tmpdir(), 'segue-shared-')), store, catalogue, listening: null })
  const a = await start()
  return [a, await start()]
}

async function checkShared(a: SegueService, b: SegueService): Promise<void> {
  const { listener } = await a.createListener(null)
  await a.feedback(listener.id, SEED, 'like')
  const first = await a.recommendations(listener.id, { model: 'content', n: 3, seeds: [] })
  const top = first.items[0].track.id
  // b disliked a's first pick: a's next answer (and playlist exclusions) must reflect it at once.
  await b.feedback(listener.id, top, 'dislike')
  const next = await a.recommendations(listener.id, { model: 'content', n: 3, seeds: [] })
  assert.ok(!next.items.some((i) => i.track.id === top), 'a still offers the track b stored a dislike of')
  assert.ok((await a.rejectedRows(listener.id)).has(a.view.rowOf.get(top)!))
  // b deletes the listener and the id is taken again: a must not keep the old history.
  await b.deleteListener(listener.id)
  await b.store.createListener({ ...listener, createdAt: new Date().toISOString() })
  await b.feedback(listener.id, SEED, 'play')
  assert.equal((await a.rejectedRows(listener.id)).size, 0, 'a kept the deleted history')
  const fresh = await a.recommendations(listener.id, { model: 'content', n: 3, seeds: [] })
  assert.equal(fresh.items[0].track.id, top, 'the new history has no dislike, so the first pick is back')
}

test('two servers on one SQLite file see each other\'s feedback and deletions at once', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'segue-shared-db-')), 'segue.db')
  const [a, b] = await twoServers(file)
  try {
    await checkShared(a, b)
  } finally {
    await Promise.all([a.close(), b.close()])
  }
})

const cluster = await startPgCluster()
if ('skip' in cluster) {
  test('two servers on one PostgreSQL', { skip: cluster.skip }, () => {})
} else {
  after(() => cluster.stop())
  test('two servers on one PostgreSQL see each other\'s feedback and deletions at once', { timeout: 120_000 }, async () => {
    const [a, b] = await twoServers(await cluster.createDatabase('shared_history'))
    try {
      await checkShared(a, b)
    } finally {
      await Promise.all([a.close(), b.close()])
    }
  })
}
