import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildInteractions } from '../../src/data/interactions.js'
import { UserKnnRecommender } from '../../src/models/user-knn/user-knn.js'
import { runRecommenderSuite } from '../contract/recommender.case.js'

runRecommenderSuite('user-knn', () => new UserKnnRecommender({ k: 20 }), { load: UserKnnRecommender.load })

/** u0: a b, u1: a b c, u2: c d (binary). Unit vectors: u0 = (1,1,0,0)/√2, u1 = (1,1,1,0)/√3, u2 = (0,0,1,1)/√2. */
async function small() {
  const pairs = [['u0', 'a'], ['u0', 'b'], ['u1', 'a'], ['u1', 'b'], ['u1', 'c'], ['u2', 'c'], ['u2', 'd']]
  const data = buildInteractions(pairs.map(([user, item]) => ({ user, item, value: 1 })), 'implicit')
  const model = new UserKnnRecommender({ k: 1, scale: 'binary' })
  await model.fit(data)
  return model
}

test('user-knn: similar users are cosines of user vectors', async () => {
  const model = await small()
  const out = model.similarUsers(1, 2)
  // u1·u0 = 2 / (√3 √2) = 0.816497; u1·u2 = 1 / (√3 √2) = 0.408248.
  assert.deepEqual(out.map((s) => s.item), [0, 2])
  assert.ok(Math.abs(out[0].score - 0.816497) < 1e-5 && Math.abs(out[1].score - 0.408248) < 1e-5)
})

test('user-knn: k = 1 takes the nearest user\'s items only, weighted by similarity x its normalised value', async () => {
  const model = await small()
  // u0's nearest user is u1 (cosine 0.816497); of u1's items only c is unseen: 0.816497 x 1/√3 = 0.471405.
  const out = model.recommend({ user: 0 }, { n: 1 })
  assert.equal(out[0].item, 2)
  assert.ok(Math.abs(out[0].score - 0.471405) < 1e-5)
  // d is only u2's; with k = 1 it is not scored for u0 and comes back through backfill only.
  assert.equal(model.recommend({ user: 0 }, { n: 2 })[1].score, -Infinity)
})
