import { test } from 'node:test'
import assert from 'node:assert/strict'
import { csrFromTriples, rowData, rowIndices, transpose } from '../../src/core/csr.js'
import { IdMap } from '../../src/core/ids.js'
import { buildInteractions } from '../../src/data/interactions.js'

test('IdMap numbers ids in first-seen order and converts both ways', () => {
  const m = IdMap.from(['b', 'a', 'b', 'c'])
  assert.deepEqual([m.size, m.dense('a'), m.dense('zz'), m.rawId(2)], [3, 1, undefined, 'c'])
  assert.throws(() => m.require('zz', 'user'), /unknown user 'zz'/)
})

test('CSR from triples sorts rows, sums repeats, and transposes', () => {
  // [[0, 5, 0], [2, 0, 7]] with (0,1) given as 2 + 3
  const m = csrFromTriples(2, 3, [1, 0, 1, 0], [2, 1, 0, 1], [7, 2, 2, 3])
  assert.deepEqual(Array.from(m.indptr), [0, 1, 3])
  assert.deepEqual(Array.from(rowIndices(m, 1)), [0, 2])
  assert.deepEqual(Array.from(rowData(m, 0)), [5])
  const t = transpose(m)
  assert.deepEqual([t.rows, t.cols, Array.from(t.indptr)], [3, 2, [0, 1, 2, 3]])
  assert.deepEqual(Array.from(t.indices), [1, 0, 1])
  assert.deepEqual(Array.from(t.data), [2, 5, 7])
  assert.throws(() => csrFromTriples(1, 1, [0], [1], [1]), /outside a 1 x 1 matrix/)
})

test('interactions: implicit counts add up, explicit ratings keep the latest, times align', () => {
  const implicit = buildInteractions(
    [
      { user: 'u1', item: 'x', value: 2, time: 10 },
      { user: 'u1', item: 'x', value: 3, time: 30 },
      { user: 'u2', item: 'y', value: 1 },
    ],
    'implicit',
  )
  assert.deepEqual(Array.from(implicit.matrix.data), [5, 1])
  assert.deepEqual(Array.from(implicit.times!), [30, NaN])
  const explicit = buildInteractions(
    [
      { user: 'u1', item: 'x', value: 2, time: 10 },
      { user: 'u1', item: 'x', value: 4, time: 30 },
      { user: 'u1', item: 'x', value: 1, time: 20 },
    ],
    'explicit',
  )
  assert.deepEqual(Array.from(explicit.matrix.data), [4])
})
