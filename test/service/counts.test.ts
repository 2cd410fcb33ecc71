import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SegueService } from '../../src/service/service.js'
import type { FeedbackKind } from '../../src/store/store.js'
import { fixturesDir } from '../helpers/paths.js'

// GET /api/listeners/:id shows a listener's event counts. They come from the folded history the server keeps
// (caught up with one query for the newer events), not from reading the whole history on every request.
const SEED = 'seed0000000000000000001'
const catalogue = join(fixturesDir, 'engine', 'catalogue.csv')
const KINDS: FeedbackKind[] = ['play', 'like', 'skip', 'dislike']

const servers: SegueService[] = []
after(() => Promise.all(servers.map((s) => s.close())))

async function start(store?: string): Promise<SegueService> {
  const s = await SegueService.start({ home: mkdtempSync(join(tmpdir(), 'segue-counts-')), store, catalogue, listening: null })
  servers.push(s)
  return s
}

/** The counts the old code gave: every stored event read and tallied. */
async function fullRead(s: SegueService, id: string): Promise<Record<FeedbackKind, number>> {
  const counts = { play: 0, like: 0, skip: 0, dislike: 0 }
  for (const e of await s.store.feedback(id)) counts[e.kind]++
  return counts
}

test('counts equal a full read of the history, without reading it, and see events another server stored', async () => {
  const a = await start()
  const b = await start(a.store.location)
  const { listener } = await a.createListener(null)
  const tracks = a.view.tracks.map((t) => t.id)
  const events = Array.from({ length: 1_000 }, (_, i) => ({ trackId: tracks[(i * 7) % tracks.length], kind: KINDS[(i * 5) % 7 % 4] }))
  await a.store.appendFeedback(listener.id, events)
  let fullReads = 0
  const feedback = a.store.feedback.bind(a.store)
  a.store.feedback = (...args) => (fullReads++, feedback(...args))
  assert.deepEqual(await a.counts(listener.id), await fullRead(b, listener.id))
  await b.feedback(listener.id, SEED, 'dislike')
  await b.feedback(listener.id, SEED, 'like')
  const expected = await fullRead(b, listener.id)
  assert.deepEqual(await a.counts(listener.id), expected)
  assert.equal(expected.play + expected.like + expected.skip + expected.dislike, 1_002)
  assert.equal(fullReads, 0, 'counts read the whole history')
})

test('counts start afresh when the listener is deleted and the id taken again', async () => {
  const a = await start()
  const { listener } = await a.createListener(null)
  await a.feedback(listener.id, SEED, 'skip')
  assert.deepEqual(await a.counts(listener.id), { play: 0, like: 0, skip: 1, dislike: 0 })
  await a.store.deleteListener(listener.id)
  await a.store.createListener({ ...listener, createdAt: new Date().toISOString() })
  await a.feedback(listener.id, SEED, 'play')
  assert.deepEqual(await a.counts(listener.id), { play: 1, like: 0, skip: 0, dislike: 0 })
})
