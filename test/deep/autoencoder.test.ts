import { test } from 'node:test'
import assert from 'node:assert/strict'
import { initBackend } from '../../src/deep/backend.js'
import { splitByGroup, trainAutoencoder } from '../../src/deep/autoencoder/train.js'
import { Rng } from '../../src/core/rng.js'

await initBackend()

/** 600 rows of 24 dims that lie on a 3-d subspace: a 3-d bottleneck can reconstruct them almost exactly. */
function lowRankData(seed: number, n = 600, dims = 24, rank = 3) {
  const rng = new Rng(seed)
  const basis = Float32Array.from({ length: rank * dims }, () => rng.normal() / Math.sqrt(rank))
  const rows = new Float32Array(n * dims)
  for (let i = 0; i < n; i++) {
    const z = Array.from({ length: rank }, () => rng.normal())
    for (let d = 0; d < dims; d++) {
      let s = 0
      for (let r = 0; r < rank; r++) s += z[r] * basis[r * dims + d]
      rows[i * dims + d] = s
    }
  }
  return { rows, dims, groupKeys: Array.from({ length: n }, (_, i) => `k${Math.floor(i / 2)}`) }
}

test('an autoencoder with a 3-d bottleneck reconstructs rank-3 data; a 1-d bottleneck cannot', async () => {
  const data = lowRankData(5)
  const cfg = { hidden: 32, epochs: 60, batchSize: 32, learningRate: 3e-3, validationShare: 0.2, seed: 5 }
  const three = await trainAutoencoder(data, { ...cfg, dim: 3 }, { progress: false })
  const one = await trainAutoencoder(data, { ...cfg, dim: 1 }, { progress: false })
  // The data's variance per dim is about 1: 0.02 means 98% is reconstructed.
  assert.ok(three.result.best.valLoss < 0.02, `3-d validation MSE ${three.result.best.valLoss}`)
  assert.ok(three.result.best.metric! > 0.98, `3-d mean cosine ${three.result.best.metric}`)
  assert.ok(one.result.best.valLoss > 3 * three.result.best.valLoss, `1-d ${one.result.best.valLoss} vs 3-d ${three.result.best.valLoss}`)
  const emb = three.net.embed(data.rows)
  assert.equal(emb.length, 600 * 3)
  assert.ok(emb.every(Number.isFinite))
  three.net.dispose()
  one.net.dispose()
})

test('the same seed trains the same embeddings', async () => {
  const data = lowRankData(9, 200, 12)
  const cfg = { hidden: 16, dim: 4, epochs: 3, batchSize: 32, seed: 11 }
  const a = await trainAutoencoder(data, cfg, { progress: false })
  const b = await trainAutoencoder(data, cfg, { progress: false })
  assert.deepEqual(Array.from(a.net.embed(data.rows)), Array.from(b.net.embed(data.rows)))
  assert.deepEqual(a.result.history.map((h) => h.valLoss), b.result.history.map((h) => h.valLoss))
})

test('the validation split is by group: both rows of a group fall on one side', () => {
  const keys = Array.from({ length: 2000 }, (_, i) => `g${i >> 1}`)
  const { train, validation } = splitByGroup(keys, 0.1, 3)
  assert.equal(train.length + validation.length, 2000)
  const side = new Map<string, string>()
  for (const [name, rows] of [['t', train], ['v', validation]] as const) {
    for (const r of rows) {
      const prev = side.get(keys[r])
      assert.ok(prev === undefined || prev === name, `group ${keys[r]} straddles the split`)
      side.set(keys[r], name)
    }
  }
  assert.ok(validation.length > 140 && validation.length < 260, `about 10% validate: ${validation.length}`)
})
