import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isSegueError } from '../../src/core/errors.js'
import { createModel, modelNames, SAVED_MODEL_LOADERS } from '../../src/models/registry.js'
import { checkerboard } from '../contract/recommender.case.js'

test('registry: every listed model is created under its own name and fits', async () => {
  assert.ok(['popularity', 'item-knn', 'user-knn', 'ease', 'als', 'bpr', 'svd'].every((name) => modelNames().includes(name as never)))
  for (const name of modelNames()) {
    const model = createModel(name)
    assert.equal(model.name, name)
    await model.fit(checkerboard(10))
    assert.equal(model.recommend({ user: 0 }, { n: 2 }).length, 2)
  }
})

test('registry: a saved model comes back through its loader', async () => {
  for (const name of modelNames().filter((n) => Object.hasOwn(SAVED_MODEL_LOADERS, n))) {
    const model = createModel(name)
    await model.fit(checkerboard(10))
    const back = SAVED_MODEL_LOADERS[name](model.save())
    assert.deepEqual(back.recommend({ user: 3 }), model.recommend({ user: 3 }))
  }
})

test('registry: parameters reach the model; unknown names and parameters are refused', () => {
  assert.equal((createModel('item-knn', { k: 7 }) as unknown as { opts: { k: number } }).opts.k, 7)
  assert.throws(() => createModel('nope'), (e) => isSegueError(e) && e.code === 'E_NOT_FOUND' && /known: popularity/.test(e.message))
  assert.throws(() => createModel('ease', { lamda: 3 }), (e) => isSegueError(e) && e.code === 'E_BAD_ARGUMENT' && /'lamda'/.test(e.message))
  assert.throws(() => createModel('popularity', { k: 3 }), /unknown option 'k'/)
  assert.doesNotThrow(() => modelNames().forEach((name) => createModel(name, { seed: 3 })), 'every model takes the common seed')
})
