import { AlsRecommender } from '../../src/models/als/als.js'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { graded, runRecommenderSuite } from '../contract/recommender.case.js'

// Three factors: the checkerboard has rank two, and with many more a model this small memorises the withheld
// diagonal as a dislike. The defaults' strong regularisation suits real play counts, not a 0/1 toy, so the
// suite runs with implicit's classic settings.
const TOY = { factors: 3, regularization: 0.01, alpha: 1, confidence: 'linear' } as const
const RANK = 'three factors (for the checkerboard) cannot hold the graded fixture\'s blocks; eight can (the test below)'
runRecommenderSuite('als', () => new AlsRecommender({ ...TOY, threads: 1 }), {
  load: (a) => AlsRecommender.load(a),
  skip: { 'graded: a few close tastes outweigh many distant ones': RANK },
})
// Loading picks the kernel afresh (the artifact does not pin one), so this run loads onto the same backend.
runRecommenderSuite('als (2 threads, ts kernels)', () => new AlsRecommender({ ...TOY, threads: 2, backend: 'ts' }), {
  load: (a) => AlsRecommender.load(a, { backend: 'ts' }),
  skip: { 'graded: a few close tastes outweigh many distant ones': RANK },
})

test('als: on the graded fixture, with eight factors, the close tastes decide', async () => {
  const data = graded()
  const model = new AlsRecommender({ ...TOY, factors: 8, threads: 1 })
  await model.fit(data, { seed: 7 })
  assert.equal(model.recommend({ user: data.users.require('target') }, { n: 1 })[0].item, data.items.require('X'))
})
