import { test } from 'node:test'
import assert from 'node:assert/strict'
import { selectTopN } from '../../src/rerank/select.js'

const scores = Float32Array.from([0.5, 0.9, -Infinity, 0.9, 0.1, -Infinity])

test('top n by score, ties to the lower id, seen items excluded', () => {
  assert.deepEqual(selectTopN(scores, { n: 3 }).map((s) => s.item), [1, 3, 0])
  assert.deepEqual(selectTopN(scores, { n: 2, exclude: [1] }).map((s) => s.item), [3, 0])
})

test('filters: allow, block and accept', () => {
  assert.deepEqual(selectTopN(scores, { n: 5, filter: { allow: new Set([0, 4, 5]) } }).map((s) => s.item), [0, 4])
  assert.deepEqual(selectTopN(scores, { n: 2, filter: { block: new Set([1, 3]) } }).map((s) => s.item), [0, 4])
  assert.deepEqual(selectTopN(scores, { n: 2, filter: { accept: (i) => i % 2 === 0 } }).map((s) => s.item), [0, 4])
})

test('backfill fills up to n with unscored items, ranked by the backfill scores', () => {
  const popularity = Float32Array.from([1, 1, 5, 1, 1, 9])
  const out = selectTopN(scores, { n: 5, exclude: [0], filter: { block: new Set([4]) }, backfill: popularity })
  assert.deepEqual(out.map((s) => s.item), [1, 3, 5, 2])
  assert.equal(out[2].score, -Infinity)
})
