import { test } from 'node:test'
import assert from 'node:assert/strict'
import { AlsRecommender } from '../../src/models/als/als.js'
import { checkFinite } from '../../src/models/als/factor-model.js'
import { decodeArtifact, encodeArtifact } from '../../src/core/artifact.js'
import { buildInteractions } from '../../src/data/interactions.js'
import { isExplainable, isIncremental } from '../../src/models/types.js'
import { checkerboard, randomPlays } from './als-fixtures.js'

const N = 40
// Few factors: with many, a model this small can memorise the withheld diagonal as a dislike.
const small = { factors: 4, iterations: 15, regularization: 0.01, threads: 1 } as const

test('als: on the checkerboard every user gets the withheld diagonal item first', async () => {
  const model = new AlsRecommender(small)
  await model.fit(checkerboard(N), { seed: 1 })
  for (let u = 0; u < N; u++) assert.equal(model.recommend({ user: u }, { n: 1 })[0].item, u, `user ${u}`)
  assert.ok(isExplainable(model) && isIncremental(model))
})

test('als: recommend leaves out played items and honours filters', async () => {
  const model = new AlsRecommender(small)
  await model.fit(checkerboard(N), { seed: 1 })
  const recs = model.recommend({ user: 2 }, { n: 5, filter: { block: new Set([2]) } })
  assert.equal(recs.length, 5)
  for (const r of recs) assert.ok(r.item !== 2 && (r.item % 2 === 1 || r.item === 2), `item ${r.item} was played or blocked`)
  const withSeen = model.recommend({ user: 2 }, { n: 3, excludeSeen: false })
  assert.ok(withSeen.every((r) => r.item % 2 === 0), 'played even items rank first when not excluded')
})

test('als: same seed gives the same factors; one thread, two threads and the ts backend agree', async () => {
  const data = randomPlays(300, 120, 12, 7)
  const fit = async (o: object) => {
    const m = new AlsRecommender({ factors: 12, iterations: 4, ...o })
    await m.fit(data, { seed: 3 })
    await m.dispose()
    return m.userFactors
  }
  const one = await fit({ threads: 1, backend: 'wasm' })
  assert.deepEqual(await fit({ threads: 1, backend: 'wasm' }), one)
  assert.deepEqual(await fit({ threads: 2, backend: 'wasm' }), one, 'rows are independent, so threads do not change results')
  const ts = await fit({ threads: 1, backend: 'ts' })
  for (let i = 0; i < one.length; i++) assert.ok(Math.abs(ts[i] - one[i]) < 1e-3, `factor ${i}: ${ts[i]} vs ${one[i]}`)
})

test('als: the loss reported each iteration falls', async () => {
  const losses: number[] = []
  const model = new AlsRecommender({ ...small, calculateLoss: true })
  const report = await model.fit(checkerboard(N), { seed: 1, onProgress: (p) => losses.push(p.loss as number) })
  assert.equal(losses.length, small.iterations)
  assert.deepEqual(report.loss, losses)
  assert.ok(losses[losses.length - 1] < losses[0] * 0.9, `loss ${losses[0]} -> ${losses[losses.length - 1]}`)
})

test('als: a new listener is folded in from their history, without retraining', async () => {
  const model = new AlsRecommender(small)
  await model.fit(checkerboard(N), { seed: 1 })
  const history = [3, 5, 7, 9, 11, 13]
  const recs = model.recommend({ history }, { n: 4 })
  assert.equal(recs.length, 4)
  for (const r of recs) assert.ok(r.item % 2 === 1 && !history.includes(r.item), `item ${r.item}`)
  // Folding in a known user's own history reproduces the user's fitted vector closely.
  const known = model.foldIn(Int32Array.from({ length: N / 2 - 1 }, (_, j) => 2 * (j < 2 ? j : j + 1)).filter((i) => i !== 4), undefined)
  assert.equal(known.length, 4)
})

test('als: explain splits the folded-in score among history items', async () => {
  const model = new AlsRecommender(small)
  await model.fit(checkerboard(N), { seed: 1 })
  const history = [2, 4, 6, 8, 10]
  const target = model.recommend({ history }, { n: 1 })[0]
  const why = model.explain({ history }, target.item, history.length)
  const total = why.because.reduce((s, b) => s + b.score, 0)
  assert.ok(Math.abs(total - target.score) < 1e-3 * Math.max(1, Math.abs(target.score)), `${total} vs ${target.score}`)
  assert.deepEqual(why.because.map((b) => b.item).sort((a, b) => a - b), history)
})

test('als: explainMany gives what explain gives item by item', async () => {
  const model = new AlsRecommender(small)
  await model.fit(checkerboard(N), { seed: 1 })
  const ref = { history: [2, 4, 6], weights: [1, 3, 2] }
  const targets = model.recommend(ref, { n: 4 }).map((r) => r.item)
  const many = model.explainMany(ref, targets, 2)
  assert.deepEqual(many.map((e) => e.item), targets)
  targets.forEach((item, i) => {
    const one = model.explain(ref, item, 2)
    assert.deepEqual(many[i].because.map((b) => b.item), one.because.map((b) => b.item))
    many[i].because.forEach((b, j) => assert.ok(Math.abs(b.score - one.because[j].score) < 1e-6))
  })
  assert.throws(() => model.explainMany(ref, [N + 5]), { code: 'E_NOT_FOUND' })
})

test('als: partialFit gives a brand-new user factors from their plays and keeps the others', async () => {
  const data = checkerboard(N)
  const model = new AlsRecommender(small)
  await model.fit(data, { seed: 1 })
  const before = model.recommend({ user: 0 }, { n: 3 })
  const batch = buildInteractions([1, 3, 5, 7, 9].map((i) => ({ user: 'newcomer', item: `i${i}`, value: 2 })), 'implicit', { users: data.users, items: data.items })
  await model.partialFit(batch)
  const newcomer = data.users.dense('newcomer') as number
  assert.equal(newcomer, N)
  const recs = model.recommend({ user: newcomer }, { n: 3 })
  assert.ok(recs.every((r) => r.item % 2 === 1 && ![1, 3, 5, 7, 9].includes(r.item)), JSON.stringify(recs))
  assert.deepEqual(model.recommend({ user: 0 }, { n: 3 }), before)
})

test('als: recommendMany agrees with recommend, on the calling thread and on workers', async () => {
  const data = randomPlays(2100, 150, 6, 11)
  const model = new AlsRecommender({ factors: 10, iterations: 3, threads: 2 })
  await model.fit(data, { seed: 2 })
  const users = Array.from({ length: 2100 }, (_, u) => u)
  const many = await model.recommendMany(users, { n: 5 })
  for (const u of [0, 1, 777, 2099]) {
    const one = model.recommend({ user: u }, { n: 5 })
    assert.deepEqual(many[u].map((s) => s.item), one.map((s) => s.item), `user ${u}`)
  }
  const fewOnCaller = await model.recommendMany([5, 9], { n: 5 })
  assert.deepEqual(fewOnCaller[1].map((s) => s.item), many[9].map((s) => s.item))
  await model.dispose()
})

test('als: similarItems ranks same-parity items by cosine, never the item itself', async () => {
  const model = new AlsRecommender(small)
  await model.fit(checkerboard(N), { seed: 1 })
  const sim = model.similarItems(4, 5)
  assert.equal(sim.length, 5)
  for (const s of sim) assert.ok(s.item !== 4 && s.item % 2 === 0 && s.score <= 1 + 1e-5)
})

test('als: save and load through an artifact give the same recommendations', async () => {
  const model = new AlsRecommender(small)
  await model.fit(checkerboard(N), { seed: 1 })
  const a = model.save()
  const bytes = encodeArtifact({ kind: a.kind, version: a.version, key: 'test', meta: a.meta }, a.blobs)
  const back = decodeArtifact(bytes, { kind: 'als', version: 1 })
  const loaded = AlsRecommender.load({ kind: back.header.kind, version: back.header.version, meta: back.header.meta, blobs: back.blobs })
  for (const u of [0, 7, 39]) assert.deepEqual(loaded.recommend({ user: u }), model.recommend({ user: u }))
})

test('als: unknown ids are E_NOT_FOUND; a NaN factor names what to try', async () => {
  const model = new AlsRecommender(small)
  await model.fit(checkerboard(N), { seed: 1 })
  assert.throws(() => model.recommend({ user: N }), { code: 'E_NOT_FOUND' })
  assert.throws(() => model.similarItems(-1), { code: 'E_NOT_FOUND' })
  assert.throws(() => checkFinite('als', 'user factors', 3, Float32Array.from([0, NaN]), 'try a larger regularization'), /iteration 3; try a larger regularization/)
  assert.throws(() => new AlsRecommender({ factors: 0 }), { code: 'E_BAD_ARGUMENT' })
})
