import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from '../../src/server/app.js'
import { SegueService } from '../../src/service/service.js'
import { impressionsOf, ImpressionRecorder } from '../../src/ops/impressions.js'
import { onlineReport, sinceDay } from '../../src/ops/online.js'
import { SqliteStore } from '../../src/store/sqlite.js'
import { fixturesDir } from '../helpers/paths.js'
import { startPgCluster } from '../helpers/pg-cluster.js'
import { client } from '../helpers/service.js'
import { DAY, loadOnlineFixture } from './online-fixture.js'

const CATALOGUE = join(fixturesDir, 'engine', 'catalogue.csv')

/**
 * Through HTTP: a listener is shown five tracks, plays and likes the first, skips the second, dislikes the third
 * and plays one they were never shown: of the five shown, 1/5 played, liked, skipped and disliked each.
 */
async function servedListsAreEvaluated(store?: string): Promise<void> {
  const service = await SegueService.start({ home: mkdtempSync(join(tmpdir(), 'segue-online-')), store, catalogue: CATALOGUE, listening: null })
  const app = await createApp(service, { webRoot: null })
  try {
    const api = client(app)
    const { id, token } = await api.listener('eva')
    const first = await api.get(`/api/listeners/${id}/recommendations?n=5`, token)
    assert.equal(first.status, 200)
    const shown: string[] = first.body.items.map((i: any) => i.track.id)
    assert.equal(shown.length, 5)
    // Asked again the same day: the same pairs, counted once.
    assert.equal((await api.get(`/api/listeners/${id}/recommendations?n=5`, token)).status, 200)
    await impressionsOf(service, service.store).flush()
    const unseen = service.view.tracks.map((t) => t.id).find((t) => !shown.includes(t))!
    for (const [trackId, kind] of [[shown[0], 'play'], [shown[0], 'like'], [shown[1], 'skip'], [shown[2], 'dislike'], [unseen, 'play']]) {
      assert.equal((await api.post(`/api/listeners/${id}/feedback`, { trackId, kind }, token)).status, 201)
    }
    const stats = await api.get('/api/stats/online?days=1')
    assert.equal(stats.status, 200, JSON.stringify(stats.body))
    const figures = { model: first.body.model, shown: 5, played: 1, liked: 1, skipped: 1, disliked: 1, rates: { played: 0.2, liked: 0.2, skipped: 0.2, disliked: 0.2 } }
    assert.deepEqual(stats.body.models, [figures])
    assert.deepEqual(stats.body.daily, [{ day: new Date().toISOString().slice(0, 10), ...figures }])
    assert.equal(stats.body.windowHours, 24)
    assert.equal((await api.get('/api/stats/online?days=0')).status, 400)
    assert.equal((await api.get('/api/stats/online?days=91')).status, 400)
  } finally {
    await app.close()
    await service.close()
  }
}

test('online evaluation over HTTP (SQLite): served lists become impressions, later feedback their answers', () => servedListsAreEvaluated())

test('online report: shares per model over the days, from the known-answer fixture', async () => {
  const store = new SqliteStore(':memory:')
  await loadOnlineFixture(store)
  // Asked late on the day after DAY for two days: both days count.
  const report = await onlineReport(store, 2, new Date(Date.parse(`${DAY}T23:00:00Z`) + 86_400_000))
  assert.equal(report.since, DAY)
  assert.deepEqual(report.models.map((m) => [m.model, m.shown, m.played, m.rates.played]), [['content', 2, 1, 0.5], ['hybrid', 7, 2, 2 / 7]])
  assert.equal(report.daily.length, 3)
  assert.equal(sinceDay(1, new Date('2026-12-03T10:00:00Z')), '2026-12-03')
  await store.close()
})

test('impression recorder: never holds more than its bound (the rest is dropped, not queued); prunes what is older than 90 days', async () => {
  const written: number[] = []
  const pruned: string[] = []
  const store = { recordImpressions: async (rows: readonly unknown[]) => (written.push(rows.length), rows.length), pruneImpressions: async (day: string) => (pruned.push(day), 0) }
  const recorder = new ImpressionRecorder(store, { maxBuffered: 8, flushAt: 1_000, flushEveryMs: 60_000 })
  recorder.shown('a', 'hybrid', ['1', '2', '3', '4', '5'])
  recorder.shown('a', 'hybrid', ['6', '7', '8', '9', '10'])
  await recorder.close()
  assert.deepEqual(written, [8])
  recorder.shown('a', 'hybrid', ['11'])
  await recorder.flush()
  assert.deepEqual(written, [8], 'a closed recorder takes nothing more')
  // The first write also removed impressions older than 90 days, once.
  assert.deepEqual(pruned, [new Date(Date.now() - 90 * 86_400_000).toISOString().slice(0, 10)])
})

const cluster = await startPgCluster()
if ('skip' in cluster) test('online evaluation over HTTP (PostgreSQL)', { skip: cluster.skip }, () => {})
else {
  after(() => cluster.stop())
  test('online evaluation over HTTP (PostgreSQL): the same answers', async () => servedListsAreEvaluated(await cluster.createDatabase('online')))
}
