import { test } from 'node:test'
import assert from 'node:assert/strict'
import { csrFromTriples } from '../../src/core/csr.js'
import { buildInteractions } from '../../src/data/interactions.js'
import { ItemKnnRecommender } from '../../src/models/item-knn/item-knn.js'
import type { Scored } from '../../src/models/types.js'
import { bm25Weight, tfidfWeight } from '../../src/models/item-knn/weighting.js'
import { BOARD, graded, runRecommenderSuite } from '../contract/recommender.case.js'

// k covers the whole board: on the checkerboard all same-parity items tie, and with a smaller k the ties
// (to the lower id) would keep high-numbered items out of every neighbourhood.
for (const weighting of ['none', 'cosine', 'tfidf', 'bm25'] as const) {
  runRecommenderSuite(`item-knn ${weighting}`, () => new ItemKnnRecommender({ weighting, k: BOARD }), { load: ItemKnnRecommender.load })
}

/** Users u0: a b, u1: a b c, u2: c. Item vectors a = b = (1,1,0), c = (0,1,1). */
async function threeByThree(weighting: 'none' | 'cosine') {
  const pairs = [['u0', 'a'], ['u0', 'b'], ['u1', 'a'], ['u1', 'b'], ['u1', 'c'], ['u2', 'c']]
  const data = buildInteractions(pairs.map(([user, item]) => ({ user, item, value: 1 })), 'implicit')
  const model = new ItemKnnRecommender({ weighting, scale: 'binary', k: 2 })
  await model.fit(data)
  return model
}

test('item-knn: cosine similarities on a hand-computed 3 x 3 case', async () => {
  const model = await threeByThree('cosine')
  // a·b = 2, |a| |b| = 2 -> 1; a·c = 1, |a| |c| = 2 -> 0.5.
  assertScored(model.similarItems(0, 2), [[1, 1], [2, 0.5]])
  assertScored(model.similarItems(2, 2), [[0, 0.5], [1, 0.5]])
  // u2 has only c: each of a, b scores 1 x S[c, .] = 0.5.
  assertScored(model.recommend({ user: 2 }, { n: 2 }), [[0, 0.5], [1, 0.5]])
})

test('item-knn: unweighted similarities are co-occurrence counts; explain splits the score', async () => {
  const model = await threeByThree('none')
  assert.deepEqual(model.similarItems(0, 2), [{ item: 1, score: 2 }, { item: 2, score: 1 }])
  // A new listener of a and b: c scores S[a, c] + S[b, c] = 1 + 1.
  assert.deepEqual(model.recommend({ history: [0, 1] }, { n: 1 }), [{ item: 2, score: 2 }])
  assert.deepEqual(model.explain({ history: [0, 1] }, 2), { item: 2, because: [{ item: 0, score: 1 }, { item: 1, score: 1 }] })
})

/**
 * Items (rows) x users: i0: u0=2; i1: u0=1, u1=3; i2: u1=1; i3: u2=4. N = 4 items; idf(u0) = idf(u1) =
 * ln 4 - ln 3 = 0.287682, idf(u2) = ln 4 - ln 2 = 0.693147; row sums 2, 4, 1, 4 (mean 2.75).
 */
const weightCase = csrFromTriples(4, 3, [0, 1, 1, 2, 3], [0, 0, 1, 1, 2], [2, 1, 3, 1, 4])

test('item-knn: BM25 weights, hand-computed', () => {
  // K1 = 1, B = 0.5: lengthNorm(i0) = 0.5 + 0.5 x 2 / 2.75 = 0.863636; w = 2 x 2 / (0.863636 + 2) x 0.287682.
  assertClose(bm25Weight(weightCase, { k1: 1, b: 0.5 }).data, [0.401842, 0.258327, 0.408323, 0.342108, 1.060817])
  // implicit's defaults K1 = 100, B = 0.8.
  assertClose(bm25Weight(weightCase, { k1: 100, b: 0.8 }).data, [0.72475, 0.211525, 0.625469, 0.580063, 1.995043])
})

test('item-knn: TF-IDF weights are sqrt(value) x idf', () => {
  assertClose(tfidfWeight(weightCase).data, [0.406844, 0.287682, 0.49828, 0.287682, 1.386294])
})

test('item-knn: k bounds each item\'s neighbours; bad options are refused', async () => {
  const model = await threeByThree('cosine')
  assert.equal(model.save().blobs.neighbourIndices.length, 6)
  assert.throws(() => new ItemKnnRecommender({ k: 0 }), /'k'/)
  assert.throws(() => new ItemKnnRecommender({ kk: 3 } as never), /unknown option 'kk'/)
})

/** Items exactly, scores to f32 precision. */
function assertScored(actual: Scored[], expected: [number, number][]): void {
  assert.deepEqual(actual.map((s) => s.item), expected.map(([item]) => item))
  assertClose(actual.map((s) => s.score), expected.map(([, score]) => score))
}

function assertClose(actual: ArrayLike<number>, expected: number[], tol = 1e-5): void {
  assert.equal(actual.length, expected.length)
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) < tol, `[${i}] ${actual[i]} vs ${expected[i]}`)
}

test("item-knn: weighting 'auto' is cosine on binary values and BM25 on play counts, decided at each fit and kept by save/load", async () => {
  const pairs = [['u0', 'a'], ['u0', 'b'], ['u1', 'a'], ['u1', 'b'], ['u1', 'c'], ['u2', 'c']]
  const withValue = (value: (i: number) => number) => buildInteractions(pairs.map(([user, item], i) => ({ user, item, value: value(i) })), 'implicit')
  const model = new ItemKnnRecommender()
  assert.equal(model.opts.weighting, 'auto')
  await model.fit(withValue(() => 1))
  assert.equal(model.weightingUsed, 'cosine')
  const cosine = await threeByThree('cosine')
  assert.deepEqual(model.similarItems(0, 2), cosine.similarItems(0, 2), 'the same neighbours as weighting cosine')
  // Median 30 >= K1 / 10 = 10: counts in BM25's working range.
  await model.fit(withValue((i) => 20 + 10 * i))
  assert.equal(model.weightingUsed, 'bm25')
  assert.equal(ItemKnnRecommender.load(model.save()).weightingUsed, 'bm25')
  // Star ratings (median 4) stay below K1 / 10, and a smaller K1 lowers the bar.
  await model.fit(withValue((i) => 1 + (i % 5)))
  assert.equal(model.weightingUsed, 'cosine')
  const smallK1 = new ItemKnnRecommender({ k1: 1.2 })
  await smallK1.fit(withValue((i) => 1 + (i % 5)))
  assert.equal(smallK1.weightingUsed, 'bm25')
  // The old fixed default on binary data is what 'auto' avoids.
  const bm25 = new ItemKnnRecommender({ weighting: 'bm25' })
  await bm25.fit(withValue(() => 1))
  assert.equal(bm25.weightingUsed, 'bm25')
})

// The contract suite runs item-kNN with k covering the whole board, where the order of neighbours cannot
// matter; here k = 3 of 21 co-occurring items, so keeping the least similar ones instead offers a Y or an F.
// Unnormalised weightings (none, tfidf) are left out: their dot products grow with an item's listeners, so
// there the popular F items are honestly the most "similar".
for (const weighting of ['cosine', 'bm25', 'auto'] as const) {
  test(`item-knn ${weighting}: with a small k, each item keeps its MOST similar neighbours (graded fixture)`, async () => {
    const data = graded()
    const model = new ItemKnnRecommender({ weighting, k: 3 })
    await model.fit(data)
    assert.equal(model.recommend({ user: data.users.require('target') }, { n: 1 })[0].item, data.items.require('X'))
  })
}
