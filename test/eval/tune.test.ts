import { test } from 'node:test'
import assert from 'node:assert/strict'
import { nnz } from '../../src/core/csr.js'
import { buildInteractions, type RawInteraction } from '../../src/data/interactions.js'
import { gridPoints, randomPoints, tune } from '../../src/eval/tune.js'
import { ConstantRater, PopularityToy } from './toy-models.js'

/**
 * Users u0..u4 play f0, f1 then 'hit' (last); user z plays f2, f3 then f4 (last). Dense items: f0=0, f1=1,
 * hit=2, f2=3, f3=4, f4=5. Validating on each user's last play, a popularity model with `favourite` = 2 hits
 * for u0..u4 (5 of 6 users at k = 1); favourite 5 hits only for z; 0 and 4 hit for nobody.
 */
function data(kind: 'implicit' | 'explicit' = 'implicit') {
  const events: RawInteraction[] = []
  const play = (user: string, items: string[]) => items.forEach((item, t) => events.push({ user, item, value: 4, time: t }))
  for (let u = 0; u < 5; u++) play(`u${u}`, ['f0', 'f1', 'hit'])
  play('z', ['f2', 'f3', 'f4'])
  return buildInteractions(events, kind)
}

test('grid search picks the favourite that hits the held-out item, scoring on validation only', async () => {
  const train = data()
  const models: PopularityToy[] = []
  const factory = (p: Record<string, unknown>) => {
    const model = new PopularityToy(p.favourite as number)
    models.push(model)
    return model
  }
  const seen: number[] = []
  const result = await tune(factory, train, { favourite: [0, 2, 4, 5] }, {
    metric: 'hitRate', k: 1, validation: { method: 'last' }, onTrial: (_t, done) => seen.push(done),
  })
  assert.deepEqual(result.best.params, { favourite: 2 })
  assert.deepEqual(result.trials.map((t) => t.score), [0, 5 / 6, 0, 1 / 6])
  assert.deepEqual(seen, [1, 2, 3, 4])
  const tied = await tune(factory, train, { favourite: [4, 0] }, { metric: 'hitRate', k: 1, validation: { method: 'last' } })
  assert.deepEqual(tied.best.params, { favourite: 4 }) // both score 0: the earlier trial wins
  // Each model was fitted on training data less the validation plays: 18 plays, 6 held for validation.
  for (const model of models) assert.equal(nnz(model.fitted!.matrix), nnz(train.matrix) - 6)
})

test('lower-is-better metrics are minimised', async () => {
  // Every rating is 4, so a constant predictor of 4 has RMSE 0; 1 has RMSE 3 and 5 has RMSE 1.
  const factory = (p: Record<string, unknown>) => new ConstantRater(p.rating as number)
  const result = await tune(factory, data('explicit'), { rating: [1, 5, 4] }, { metric: 'rmse', k: 1, seed: 3 })
  assert.deepEqual(result.best.params, { rating: 4 })
  assert.deepEqual(result.trials.map((t) => t.score), [3, 1, 0])
})

test('grid order and seeded random search over distinct points', () => {
  const space = { a: [1, 2], b: ['x', 'y', 'z'] }
  assert.deepEqual(gridPoints(space).slice(0, 4), [{ a: 1, b: 'x' }, { a: 1, b: 'y' }, { a: 1, b: 'z' }, { a: 2, b: 'x' }])
  const picks = randomPoints(space, 4, 11)
  assert.equal(new Set(picks.map((p) => JSON.stringify(p))).size, 4)
  assert.deepEqual(randomPoints(space, 4, 11), picks)
  assert.equal(randomPoints(space, 100, 1).length, 6)
  assert.throws(() => gridPoints({ a: [] }), /no values/)
})

test('random strategy evaluates the drawn points and keeps the best of them', async () => {
  const space = { favourite: [0, 2, 4, 5] }
  const result = await tune((p) => new PopularityToy(p.favourite as number), data(), space, {
    metric: 'hitRate', k: 1, strategy: 'random', trials: 2, seed: 5, validation: { method: 'last' },
  })
  assert.deepEqual(result.trials.map((t) => t.params), randomPoints(space, 2, 5))
  const bestScore = Math.max(...result.trials.map((t) => t.score))
  assert.equal(result.best.score, bestScore)
})
