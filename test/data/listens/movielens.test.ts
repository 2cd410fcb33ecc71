import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { sharedDataDir } from '../../../src/core/paths.js'
import { movieLensFold, readMovieLensRatings, readMovieLensUsers, type MovieLensFold } from '../../../src/data/listens/movielens.js'
import { SKIP_NO_SHARED, sharedFile } from '../../helpers/paths.js'
import { segueError } from '../catalogue-fixtures.js'
import { withFile } from './listens-fixtures.js'

const ml = sharedFile('movielens-100k', 'u.data') === null ? null : join(sharedDataDir(), 'movielens-100k')

test('MovieLens ratings: tab-separated, no header, bad rows named by line', async () => {
  const text = '196\t242\t3\t881250949\n186\t302\t6\t891717742\n\n22\t377\t1\n244\t51\t2.5\t880606923\n'
  await withFile('u.data', text, async (path) => {
    const { events, report } = await readMovieLensRatings(path)
    assert.deepEqual(events, [
      { user: '196', item: '242', value: 3, time: 881250949 },
      { user: '244', item: '51', value: 2.5, time: 880606923 },
    ])
    assert.deepEqual(report.skipReasons, [
      `${path}:2 column 'rating' value '6': out of range [0.5, 5]`,
      `${path}:4: row has 3 columns, the header has 4`,
    ])
    assert.deepEqual([report.rows, report.skipped, report.users, report.items], [4, 2, 2, 2])
  })
})

test('MovieLens users: pipe-separated demographics, zip kept as text', async () => {
  await withFile('u.user', '1|24|M|technician|85711\n2|53|X|other|94043\n3|23|F|writer|T8H1N\n', async (path) => {
    const { users, report } = await readMovieLensUsers(path)
    assert.deepEqual(users, [
      { id: '1', age: 24, gender: 'M', occupation: 'technician', zip: '85711' },
      { id: '3', age: 23, gender: 'F', occupation: 'writer', zip: 'T8H1N' },
    ])
    assert.deepEqual(report.skipReasons, [`${path}:2 column 'gender' value 'X': not a gender (expected 'M' or 'F')`])
  })
})

test('an unknown fold is E_BAD_ARGUMENT', async () => {
  await assert.rejects(movieLensFold('/nowhere', 6 as MovieLensFold), segueError('E_BAD_ARGUMENT', /fold must be 1 to 5, 'a' or 'b', got '6'/))
})

test('real MovieLens 100K: 100,000 ratings by 943 users of 1,682 items', { skip: ml === null && SKIP_NO_SHARED }, async () => {
  const { events, report } = await readMovieLensRatings(join(ml!, 'u.data'))
  assert.deepEqual([events.length, report.users, report.items, report.skipped], [100_000, 943, 1_682, 0])
  assert.deepEqual(events[0], { user: '196', item: '242', value: 3, time: 881250949 })
  const { users } = await readMovieLensUsers(join(ml!, 'u.user'))
  assert.equal(users.length, 943)
})

test('real MovieLens 100K folds: u1 is 80,000 / 20,000, ua holds out 10 per user', { skip: ml === null && SKIP_NO_SHARED }, async () => {
  const u1 = await movieLensFold(ml!, 1)
  assert.deepEqual([u1.train.length, u1.test.length], [80_000, 20_000])
  const ua = await movieLensFold(ml!, 'a')
  assert.deepEqual([ua.test.length, ua.report.test.users], [9_430, 943])
})
