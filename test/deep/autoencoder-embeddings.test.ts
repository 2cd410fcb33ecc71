import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { bundledCatalogue } from '../../src/core/paths.js'
import { similarByModel, embeddingSearch } from '../../src/deep/embeddings.js'
import { autoencoderEmbeddings, trainAutoencoderEmbeddings } from '../../src/deep/autoencoder/embedding.js'
import { createApp } from '../../src/server/app.js'
import { SegueService } from '../../src/service/service.js'
import { client } from '../helpers/service.js'

// A real slice of the bundled 114k catalogue: every 40th row (about 25 tracks of each of its 114 genres).
const STRIDE = 40
const K = 10

function sliceCatalogue(dir: string, offset = 0): string {
  const lines = gunzipSync(readFileSync(bundledCatalogue())).toString('utf8').split('\n')
  const body = lines.slice(1).filter((l, i) => l && i % STRIDE === offset)
  const path = join(dir, `slice-${offset}.csv`)
  writeFileSync(path, [lines[0], ...body].join('\n') + '\n')
  return path
}

let service: SegueService
let home: string
let trainedValLoss = NaN

before(async () => {
  home = mkdtempSync(join(tmpdir(), 'segue-ae-'))
  service = await SegueService.start({ home, catalogue: sliceCatalogue(home), listening: null, log: () => {} })
}, { timeout: 120_000 })

after(async () => {
  await service?.close()
})

test('before training, similar by autoencoder says how to train it (E_NOT_FOUND)', async () => {
  const seed = service.view.tracks[0].id
  await assert.rejects(similarByModel(service.engine, seed, { model: 'autoencoder' }), (err: Error & { code?: string }) =>
    err.code === 'E_NOT_FOUND' && /segue train --model autoencoder/.test(err.message))
})

test('trained embeddings are saved, keyed by catalogue version, and find same-genre tracks far above chance', async () => {
  const r = await trainAutoencoderEmbeddings({
    engine: service.engine, resume: false, seed: 3, epochs: 10, checkpointDir: join(home, 'ckpt'), progress: false, params: { dim: 16, batchSize: 128, learningRate: 3e-3 },
  })
  trainedValLoss = r.best.valLoss
  assert.equal(r.embeddings.count, service.view.tracks.length)
  assert.equal(r.embeddings.dim, 16)
  const loaded = await autoencoderEmbeddings.load(service.engine)
  assert.ok(loaded, 'saved embeddings load back')
  assert.equal(loaded.key, r.embeddings.key)
  assert.deepEqual(Array.from(loaded.vectors.subarray(0, 32)), Array.from(r.embeddings.vectors.subarray(0, 32)))
  assert.match(loaded.key, new RegExp(`^${service.view.version}:autoencoder:`))

  // Genre precision@10 over 100 seeds: chance is about 1/114 per genre label held.
  const tracks = service.view.tracks
  let shared = 0
  let total = 0
  for (let s = 0; s < tracks.length; s += Math.floor(tracks.length / 100)) {
    const res = await similarByModel(service.engine, tracks[s].id, { model: 'autoencoder', k: K })
    assert.equal(res.items.length, K)
    assert.ok(res.items.every((i) => i.track.id !== tracks[s].id && i.score >= 0 && i.score <= 1))
    shared += res.items.filter((i) => i.sharedGenres.length > 0).length
    total += res.items.length
  }
  assert.ok(shared / total > 0.3, `genre precision@10 ${(shared / total).toFixed(3)} (chance is about 0.01)`)
})

test('the API serves ?model=autoencoder from the saved index and refuses an unknown model', async () => {
  assert.ok(Number.isFinite(trainedValLoss), 'runs after the training test')
  const app = await createApp(service, { webRoot: null })
  const api = client(app)
  const seed = service.view.tracks[5].id
  const byAe = await api.get(`/api/tracks/${seed}/similar?model=autoencoder&n=5`)
  assert.equal(byAe.status, 200)
  assert.equal(byAe.body.items.length, 5)
  const { embeddings, index } = await embeddingSearch(service.engine, 'autoencoder')
  const row = service.view.rowOf.get(seed)!
  const nearest = index.search(embeddings.vectors.subarray(row * 16, row * 16 + 16), 1)
  assert.equal(nearest[0].index, row, 'the index finds the seed itself first')
  const byFeatures = await api.get(`/api/tracks/${seed}/similar?n=5`)
  assert.equal(byFeatures.status, 200)
  assert.notDeepEqual(byAe.body.items.map((i: { score: number }) => i.score), byFeatures.body.items.map((i: { score: number }) => i.score))
  const unknown = await api.get(`/api/tracks/${seed}/similar?model=nope`)
  assert.equal(unknown.status, 400)
  await app.close()
})
