import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { createApp } from '../../src/server/app.js'
import { recommendationsAnswer } from '../../src/server/answers.js'
import { SegueService } from '../../src/service/service.js'
import { ImpressionRecorder, impressionsOf } from '../../src/ops/impressions.js'
import { trackMood } from '../../src/moods/catalogue-moods.js'
import { SqliteStore } from '../../src/store/sqlite.js'
import type { Impression } from '../../src/store/impressions.js'
import { fixturesDir } from '../helpers/paths.js'
import { client } from '../helpers/service.js'

let service: SegueService
let app: FastifyInstance
/** Impressions each recordImpressions call of the recorder received. */
const written: number[] = []

before(async () => {
  service = await SegueService.start({ home: mkdtempSync(join(tmpdir(), 'segue-answers-')), catalogue: join(fixturesDir, 'engine', 'catalogue.csv'), listening: null })
  app = await createApp(service, { webRoot: null })
  const store = service.store as SqliteStore
  const record = store.recordImpressions.bind(store)
  store.recordImpressions = async (rows) => (written.push(rows.length), record(rows))
})

after(async () => {
  await app.close()
  await service.close()
})

test('a cached recommendations answer: the same text every time, each showing still an impression, a new event a new answer', async () => {
  const api = client(app)
  const { id, token } = await api.listener('rae')
  const liked = service.view.tracks[3].id
  assert.equal((await api.post(`/api/listeners/${id}/feedback`, { trackId: liked, kind: 'like' }, token)).status, 201)
  const url = `/api/listeners/${id}/recommendations?n=5&model=content`
  const first = await app.inject({ url, headers: { authorization: `Bearer ${token}` } })
  assert.equal(first.statusCode, 200)
  assert.equal(first.headers['content-type'], 'application/json; charset=utf-8')
  assert.equal(first.headers['cache-control'], 'no-store')
  const body = JSON.parse(first.body)
  assert.equal(body.items.length, 5)
  assert.deepEqual(Object.keys(body.items[0]), ['track', 'score', 'reasons', 'because'])
  assert.equal(body.items[0].track.mood, trackMood(service.track(body.items[0].track.id)))
  for (let i = 0; i < 19; i++) {
    const again = await app.inject({ url, headers: { authorization: `Bearer ${token}` } })
    assert.equal(again.body, first.body)
  }
  await impressionsOf(service, service.store).flush()
  // 20 showings of 5 tracks: each pair reaches the store as its first and last showing (the row they make is the
  // same as from all 100), not 100 impressions.
  assert.ok(written.reduce((a, b) => a + b, 0) <= 10, `impressions written: ${written.join(', ')}`)
  const stats = await api.get('/api/stats/online?days=1')
  assert.equal(stats.body.models[0].shown, 5)

  const top = body.items[0].track.id
  assert.equal((await api.post(`/api/listeners/${id}/feedback`, { trackId: top, kind: 'dislike' }, token)).status, 201)
  const after = await api.get(url, token)
  assert.equal(after.status, 200)
  assert.ok(!after.body.items.some((i: any) => i.track.id === top), 'the disliked track is gone from the next answer')
})

test('an answer is written once per result and mood assignment: other moods, the text is written again', async () => {
  const id = (await client(app).listener('mo')).id
  await service.feedback(id, service.view.tracks[7].id, 'like')
  const result = await service.recommendations(id, { model: 'content', n: 4, seeds: [] })
  const moods = service.moods.current
  const once = recommendationsAnswer(result, moods)
  assert.equal(recommendationsAnswer(result, moods), once)
  assert.deepEqual(once.trackIds, result.items.map((i) => i.track.id))
  const other = {}
  const rewritten = recommendationsAnswer(result, other)
  assert.notEqual(rewritten, once)
  assert.deepEqual(JSON.parse(rewritten.body), JSON.parse(once.body))
})

test('the recorder keeps each pair once (first and last showing): the same stored rows as every showing, in fewer writes', async () => {
  const day = '2026-12-02'
  const lists: { listenerId: string; model: string; at: string; trackIds: string[] }[] = []
  for (let i = 0; i < 30; i++) {
    const at = `${day}T${String(8 + (i % 12)).padStart(2, '0')}:${String(i).padStart(2, '0')}:00.000Z`
    lists.push({ listenerId: i % 3 === 0 ? 'b' : 'a', model: i % 2 ? 'content' : 'hybrid', at, trackIds: ['t1', 't2', `t${3 + (i % 4)}`] })
  }
  lists.push({ listenerId: 'a', model: 'hybrid', at: '2026-12-03T00:00:01.000Z', trackIds: ['t1'] })
  const every: Impression[] = lists.flatMap((l) => l.trackIds.map((trackId) => ({ listenerId: l.listenerId, trackId, model: l.model, at: l.at })))
  const rows: unknown[][] = []
  const passed: number[] = []
  for (const through of ['store', 'recorder']) {
    const store = new SqliteStore(':memory:')
    for (const l of ['a', 'b']) await store.createListener({ id: l, name: null, tokenHash: '0'.repeat(64), createdAt: `${day}T00:00:00.000Z` })
    if (through === 'store') await store.recordImpressions(every)
    else {
      const record = store.recordImpressions.bind(store)
      const recorder = new ImpressionRecorder({ recordImpressions: async (b) => (passed.push(b.length), record(b)), pruneImpressions: async () => 0 }, { flushEveryMs: 60_000 })
      for (const l of lists) recorder.shown(l.listenerId, l.model, l.trackIds, l.at)
      await recorder.close()
    }
    const db = (store as unknown as { db: { prepare(sql: string): { all(): unknown[] } } }).db
    rows.push(db.prepare('SELECT * FROM impressions_daily ORDER BY day, model, listener_id, track_id').all())
    await store.close()
  }
  assert.ok(rows[0].length >= 15, `${rows[0].length} rows`)
  assert.deepEqual(rows[1], rows[0])
  assert.equal(passed.length, 1)
  assert.ok(passed[0] <= 2 * rows[0].length && passed[0] < every.length / 2, `${passed[0]} impressions passed for ${rows[0].length} rows of ${every.length} showings`)
})
