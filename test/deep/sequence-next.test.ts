import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, before, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { Rng } from '../../src/core/rng.js'
import { initBackend } from '../../src/deep/backend.js'
import { leaveLastOutSequences } from '../../src/deep/sequence/data.js'
import { saveSasRec, trainSasRec } from '../../src/deep/sequence/train.js'
import { sequenceModelPath } from '../../src/deep/sequence/up-next.js'
import { createApp, OPENAPI_PATH } from '../../src/server/app.js'
import { SegueService } from '../../src/service/service.js'
import { fixturesDir } from '../helpers/paths.js'
import { client } from '../helpers/service.js'

// "Up next" over the engine fixture's nine tracks: similar tracks until a sequence model is trained, then the
// model's next track. The model learns a ring over the tracks in file order (each track is followed by the next).
const CATALOGUE = join(fixturesDir, 'engine', 'catalogue.csv')
const IDS = readFileSync(CATALOGUE, 'utf8').trim().split('\n').slice(1).map((line) => line.split(',')[1])

let service: SegueService
let app: FastifyInstance
let api: ReturnType<typeof client>

before(async () => {
  service = await SegueService.start({ home: mkdtempSync(join(tmpdir(), 'segue-next-')), catalogue: CATALOGUE, listening: null })
  app = await createApp(service, { webRoot: null })
  api = client(app)
}, { timeout: 120_000 })

after(async () => {
  await app?.close()
  await service?.close()
})

test('without a sequence model, up next falls back to similar tracks and says so', async () => {
  const r = await api.get(`/api/tracks/${IDS[0]}/next?n=3`)
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.equal(r.body.source, 'similar')
  assert.match(r.body.note, /no sequence model/)
  assert.equal(r.body.items.length, 3)
  assert.ok(!r.body.items.some((i: { track: { id: string } }) => i.track.id === IDS[0]))
})

test('with a trained model, up next is the track that follows in the listening order', async () => {
  await initBackend()
  const rng = new Rng(5)
  const sequences = Array.from({ length: 150 }, () => {
    const start = rng.int(IDS.length)
    return Int32Array.from({ length: 8 }, (_, t) => 1 + ((start + t) % IDS.length))
  })
  const split = leaveLastOutSequences({ items: IDS, owners: sequences.map((_, i) => String(i)), sequences })
  const { model } = await trainSasRec(split, { dModel: 16, heads: 2, layers: 1, maxLen: 8, dropout: 0.1, epochs: 15, learningRate: 5e-3, batchSize: 64, train: { progress: false, patience: false } })
  const path = sequenceModelPath(service.engine.home)
  mkdirSync(dirname(path), { recursive: true })
  saveSasRec(path, model, IDS, 'test')
  model.dispose()
  const r = await api.get(`/api/tracks/${IDS[4]}/next?n=3&recent=${IDS[2]},${IDS[3]}`)
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.equal(r.body.source, 'sequence')
  assert.equal(r.body.historyUsed, 3)
  assert.equal(r.body.items[0].track.id, IDS[5])
  assert.ok(!r.body.items.some((i: { track: { id: string } }) => [IDS[2], IDS[3], IDS[4]].includes(i.track.id)), 'a played track came back')
})

test('an unknown track is a 404; the route is in the OpenAPI document', async () => {
  assert.equal((await api.get('/api/tracks/nope/next')).status, 404)
  assert.equal((await api.get(`/api/tracks/${IDS[0]}/next?n=0`)).status, 400)
  const doc = await api.get(OPENAPI_PATH)
  assert.ok(doc.body.paths['/api/tracks/{id}/next'], 'missing from OpenAPI')
})
