import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isSegueError } from '../../src/core/errors.js'
import { cosineRows, mmr, sharedLabel } from '../../src/rerank/mmr.js'

// A (1.0) and B (0.9) are the same kind of item, C (0.5) unlike both. Scaled relevance: A 1, B 0.8, C 0.
// After A, B is worth λ·0.8 − (1 − λ)·1 and C λ·0 − 0, so B comes second exactly when λ > 5/9.
const CANDIDATES = [
  { item: 0, score: 1.0 },
  { item: 1, score: 0.9 },
  { item: 2, score: 0.5 },
]
const SAME_01 = (a: number, b: number) => (a !== 2 && b !== 2 ? 1 : 0)
const order = (lambda: number, n = 3) => mmr(CANDIDATES, { n, lambda, similarity: SAME_01 }).map((s) => s.item)

test('mmr: lambda 1 keeps the model order, lower lambdas bring the unlike item forward at the hand-computed threshold', () => {
  assert.deepEqual(order(1), [0, 1, 2])
  assert.deepEqual(order(0.6), [0, 1, 2], 'B worth 0.08 > C worth 0')
  assert.deepEqual(order(0.55), [0, 2, 1], 'B worth -0.01 < C worth 0')
  assert.deepEqual(order(0), [0, 2, 1])
})

test('mmr: keeps the original scores, stops at n and at the candidates, refuses a bad lambda', () => {
  const out = mmr(CANDIDATES, { n: 2, lambda: 0.5, similarity: SAME_01 })
  assert.deepEqual(out, [CANDIDATES[0], CANDIDATES[2]])
  assert.equal(mmr(CANDIDATES, { n: 10, similarity: SAME_01 }).length, 3)
  assert.deepEqual(mmr([], { n: 5, similarity: SAME_01 }), [])
  assert.throws(() => mmr(CANDIDATES, { lambda: 1.5, similarity: SAME_01 }), (e) => isSegueError(e) && e.code === 'E_BAD_ARGUMENT')
})

test('mmr: equal scores leave the order to diversity; ties go to the candidate listed first', () => {
  const flat = [0, 1, 2, 3].map((item) => ({ item, score: 2 }))
  // Items 0 and 1 are alike, 2 and 3 are alike: after 0, item 2 (first of the unlike pair) comes next.
  const pairs = (a: number, b: number) => (Math.floor(a / 2) === Math.floor(b / 2) ? 1 : 0)
  assert.deepEqual(mmr(flat, { n: 4, lambda: 0.5, similarity: pairs }).map((s) => s.item), [0, 2, 1, 3])
})

test('cosineRows and sharedLabel give the hand-computed similarities', () => {
  const sim = cosineRows(Float32Array.from([1, 0, 1, 1, 0, 0]), 2)
  assert.ok(Math.abs(sim(0, 1) - Math.SQRT1_2) < 1e-6)
  assert.equal(sim(0, 2), 0, 'a zero row is unlike everything')
  const labels = sharedLabel([['rock'], ['pop', 'rock'], ['jazz']])
  assert.equal(labels(0, 1), 1)
  assert.equal(labels(0, 2), 0)
})
