import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildInteractions } from '../../src/data/interactions.js'
import { PopularityRecommender } from '../../src/models/popularity/popularity.js'
import { runRecommenderSuite } from '../contract/recommender.case.js'

const NOT_PERSONAL = 'popularity ranks every item the same for everyone; it knows no similarity'
runRecommenderSuite('popularity', () => new PopularityRecommender(), {
  load: PopularityRecommender.load,
  skip: {
    'checkerboard: the withheld item comes first': NOT_PERSONAL,
    'fold-in of a new listener': NOT_PERSONAL,
    'similar items on the checkerboard': NOT_PERSONAL,
    'graded: a few close tastes outweigh many distant ones': NOT_PERSONAL,
  },
})

test('popularity: items ranked by distinct listeners, not plays; ties to the lower id', async () => {
  const plays = [
    ['a', 'x', 1000],
    ['a', 'y', 1],
    ['b', 'y', 1],
    ['c', 'y', 1],
    ['b', 'z', 1],
    ['c', 'z', 1],
    ['c', 'w', 5],
  ] as const
  const data = buildInteractions(plays.map(([user, item, value]) => ({ user, item, value })), 'implicit')
  const model = new PopularityRecommender()
  await model.fit(data)
  const out = model.recommend({ history: [] }, { n: 4 })
  const ids = (name: string) => data.items.require(name)
  assert.deepEqual(out, [
    { item: ids('y'), score: 3 },
    { item: ids('z'), score: 2 },
    { item: ids('x'), score: 1 },
    { item: ids('w'), score: 1 },
  ])
  assert.deepEqual(model.recommend({ user: data.users.require('a') }, { n: 2 }).map((s) => s.item), [ids('z'), ids('w')])
})
