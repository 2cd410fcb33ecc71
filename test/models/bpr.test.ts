import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BprRecommender } from '../../src/models/bpr/bpr.js'
import { Rng } from '../../src/core/rng.js'
import { sampleTriples } from '../../src/kernels/mf-sample.js'
import { checkerboard, randomPlays } from './als-fixtures.js'

test('bpr: ranks the withheld checkerboard item first and the loss falls', async () => {
  const losses: number[] = []
  const model = new BprRecommender({ factors: 8, epochs: 80, learningRate: 0.05, threads: 1 })
  await model.fit(checkerboard(30), { seed: 1, onProgress: (p) => losses.push(p.loss as number) })
  let hits = 0
  for (let u = 0; u < 30; u++) hits += model.recommend({ user: u }, { n: 1 })[0].item === u ? 1 : 0
  assert.ok(hits >= 28, `${hits} of 30 users got their withheld item first`)
  assert.ok(losses[losses.length - 1] < losses[0] * 0.5, `loss ${losses[0]} -> ${losses[losses.length - 1]}`)
})

test('bpr: one thread is deterministic for a seed, on both backends', async () => {
  const data = randomPlays(200, 80, 10, 5)
  const fit = async (backend: 'ts' | 'wasm') => {
    const m = new BprRecommender({ factors: 6, epochs: 5, threads: 1, backend })
    await m.fit(data, { seed: 9 })
    return m.userFactors
  }
  const wasm = await fit('wasm')
  assert.deepEqual(await fit('wasm'), wasm)
  const ts = await fit('ts')
  for (let i = 0; i < ts.length; i++) assert.ok(Math.abs(ts[i] - wasm[i]) < 1e-3, `factor ${i}`)
})

test('bpr: two Hogwild threads learn as well as one (results differ run to run)', async () => {
  const model = new BprRecommender({ factors: 8, epochs: 80, learningRate: 0.05, threads: 2 })
  await model.fit(checkerboard(30), { seed: 1 })
  let hits = 0
  for (let u = 0; u < 30; u++) hits += model.recommend({ user: u }, { n: 1 })[0].item === u ? 1 : 0
  assert.ok(hits >= 27, `${hits} of 30`)
  await model.dispose()
})

test('bpr sampling: positives come from the row, negatives never do', () => {
  const data = randomPlays(50, 40, 8, 3)
  const m = data.matrix
  const out = new Int32Array(3 * 500)
  const got = sampleTriples(m.indptr, m.indices, m.rows, m.cols, new Rng(4), 500, out)
  assert.ok(got > 450)
  for (let s = 0; s < got; s++) {
    const row = Array.from(m.indices.subarray(m.indptr[out[3 * s]], m.indptr[out[3 * s] + 1]))
    assert.ok(row.includes(out[3 * s + 1]) && !row.includes(out[3 * s + 2]))
  }
})
