import { test } from 'node:test'
import assert from 'node:assert/strict'
import { continuationTable, evaluateContinuation } from '../../../src/eval/continuation/evaluate.js'
import { createContinuationModel } from '../../../src/eval/continuation/models.js'
import { splitContinuation } from '../../../src/eval/continuation/split.js'
import type { ContinuationModel } from '../../../src/eval/continuation/types.js'
import { twoScenes } from './hand-built.js'

// 120 rock playlists and 40 jazz ones over disjoint pools: popularity lists rock for everyone, so it scores
// on rock playlists only; co-occurrence lists jazz for jazz seeds. Every category holds 2 rock and 2 jazz.
const set = twoScenes({ rock: 120, jazz: 40, pool: 600, length: 110, seed: 11 })
const split = splitContinuation(set, { test: 40, validation: 10, seed: 3 })
const fit = { seed: 1, threads: 1 }

test('end to end: item-kNN beats popularity on R-precision and NDCG, and needs fewer clicks', async () => {
  const models = ['popularity', 'item-knn'].map((name) => createContinuationModel(name))
  const r = await evaluateContinuation(models, split, { fit })
  const [pop, knn] = r.models
  assert.equal(r.heldOut, 40)
  assert.ok(knn.overall.rPrecision > pop.overall.rPrecision, continuationTable(r))
  assert.ok(knn.overall.ndcg > pop.overall.ndcg, continuationTable(r))
  assert.ok(knn.overall.clicks < pop.overall.clicks, continuationTable(r))
  // Title only: item-kNN has no seeds, so it answers from the playlist titles ('jazz club' finds jazz).
  const titleOnly = (m: typeof knn) => m.byCategory.find((b) => b.category === 1)!.rPrecision
  assert.ok(titleOnly(knn) > titleOnly(pop))
})

test('end to end: on the jazz playlists alone popularity finds little and item-kNN finds their scene', async () => {
  const jazz = new Set(set.playlists.filter((p) => p.name.startsWith('jazz')).map((p) => p.pid))
  const jazzOnly = { ...split, test: split.test.filter((h) => jazz.has(h.pid) && h.query.seeds.length > 0) }
  assert.ok(jazzOnly.test.length >= 5)
  const r = await evaluateContinuation(['popularity', 'item-knn'].map((name) => createContinuationModel(name)), jazzOnly, { fit })
  const [pop, knn] = r.models
  // Popularity's top is all rock; only its tail reaches the most common jazz tracks.
  assert.ok(pop.overall.rPrecision < 0.1, continuationTable(r))
  assert.ok(knn.overall.rPrecision > 3 * pop.overall.rPrecision, continuationTable(r))
  assert.ok(knn.overall.clicks < 1 && pop.overall.clicks > 5, continuationTable(r))
})

test('end to end: validation mode scores the validation playlists, never the test ones', async () => {
  const r = await evaluateContinuation([createContinuationModel('popularity')], split, { mode: 'validation', fit })
  assert.equal(r.heldOut, 10)
  assert.equal(r.trainPlaylists, split.train.length)
})

test('end to end: a model that returns a seed or a repeat is refused, naming the model', async () => {
  const cheat = (give: (seeds: number[]) => number[]): ContinuationModel => ({ name: 'cheat', fit: async () => {}, continue: (q) => give(q.seeds) })
  const withSeeds = split.test.find((h) => h.query.seeds.length > 0)!
  const one = { ...split, test: [withSeeds] }
  await assert.rejects(evaluateContinuation([cheat((s) => s)], one), { code: 'E_BAD_ARGUMENT', message: /cheat returned seed/ })
  await assert.rejects(evaluateContinuation([cheat(() => [399, 399])], one), { code: 'E_BAD_ARGUMENT', message: /twice/ })
})

test('end to end: an aborted signal stops the run with E_INTERRUPTED', async () => {
  const ac = new AbortController()
  ac.abort()
  await assert.rejects(evaluateContinuation([createContinuationModel('popularity')], split, { signal: ac.signal }), { code: 'E_INTERRUPTED' })
})
