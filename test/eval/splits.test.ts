import { test } from 'node:test'
import assert from 'node:assert/strict'
import { nnz } from '../../src/core/csr.js'
import { IdMap } from '../../src/core/ids.js'
import { buildInteractions, type Interactions, type RawInteraction } from '../../src/data/interactions.js'
import { assertNoLeak, kFold, leaveLastOut, quantileOf, randomHoldout, temporalSplit, validationSplit } from '../../src/eval/splits.js'

// Items get dense ids x=0, y=1, z=2, w=3 in first-seen order.
const timed: RawInteraction[] = [
  { user: 'a', item: 'x', value: 1, time: 1 },
  { user: 'a', item: 'y', value: 1, time: 5 },
  { user: 'a', item: 'z', value: 1, time: 3 },
  { user: 'b', item: 'x', value: 1, time: 2 },
  { user: 'b', item: 'w', value: 1, time: 9 },
  { user: 'c', item: 'z', value: 1, time: 4 },
  { user: 'd', item: 'x', value: 1, time: 7 },
  { user: 'd', item: 'y', value: 1, time: 7 },
]

/** Every (user, item) pair of a set, as raw-id strings, sorted. */
function pairs(data: Interactions): string[] {
  const out: string[] = []
  for (let u = 0; u < data.matrix.rows; u++) {
    for (let p = data.matrix.indptr[u]; p < data.matrix.indptr[u + 1]; p++) {
      out.push(`${data.users.rawId(u)}:${data.items.rawId(data.matrix.indices[p])}`)
    }
  }
  return out.sort()
}

/** 30 users; user i played items 0..i (so user 0 has one interaction). */
function bigger(): Interactions {
  const events: RawInteraction[] = []
  for (let u = 0; u < 30; u++) for (let i = 0; i <= u; i++) events.push({ user: `u${u}`, item: `i${i}`, value: 1, time: u * 100 + i })
  return buildInteractions(events, 'implicit')
}

test('leave-last-out sends exactly each user\'s latest play to test', () => {
  const { train, test: held } = leaveLastOut(buildInteractions(timed, 'implicit'))
  // d's tie at t=7 goes to the larger item id (y); c has a single play and stays in train.
  assert.deepEqual(pairs(held), ['a:y', 'b:w', 'd:y'])
  assert.deepEqual(pairs(train), ['a:x', 'a:z', 'b:x', 'c:z', 'd:x'])
  assert.equal(train.users, held.users)
  assert.deepEqual(Array.from(held.times!), [5, 9, 7])
  assert.throws(() => leaveLastOut(buildInteractions([{ user: 'a', item: 'x', value: 1 }], 'implicit')), /needs timestamps/)
})

test('temporal cutoff: fixed time and quantile agree on the hand-made set', () => {
  const data = buildInteractions(timed, 'implicit')
  const byTime = temporalSplit(data, { after: 4 })
  assert.deepEqual(pairs(byTime.test), ['a:y', 'b:w', 'd:x', 'd:y'])
  assert.equal(quantileOf(data.times!, 0.5), 4) // sorted 1 2 3 4 5 7 7 9, index floor(0.5 x 7)
  assert.deepEqual(pairs(temporalSplit(data, { quantile: 0.5 }).test), pairs(byTime.test))
})

test('random holdout: per-user fraction, single-play users kept in train, deterministic', () => {
  const data = bigger()
  const a = randomHoldout(data, { fraction: 0.2, seed: 7 })
  for (let u = 0; u < 30; u++) {
    const n = u + 1
    const expected = n < 2 ? 0 : Math.min(n - 1, Math.max(1, Math.round(0.2 * n)))
    assert.equal(a.test.matrix.indptr[u + 1] - a.test.matrix.indptr[u], expected, `user ${u}`)
  }
  assert.equal(nnz(a.train.matrix) + nnz(a.test.matrix), nnz(data.matrix))
  assert.deepEqual(pairs(randomHoldout(data, { fraction: 0.2, seed: 7 }).test), pairs(a.test))
  assert.notDeepEqual(pairs(randomHoldout(data, { fraction: 0.2, seed: 8 }).test), pairs(a.test))
  assert.throws(() => randomHoldout(data, { fraction: 1 }), /fraction/)
})

test('k-fold tests every interaction exactly once across the folds', () => {
  const data = bigger()
  const folds = kFold(data, 4, { seed: 3 })
  assert.equal(folds.length, 4)
  const tested = folds.flatMap((f) => pairs(f.test))
  assert.deepEqual(tested.sort(), pairs(data))
  for (const f of folds) assert.deepEqual([...pairs(f.train), ...pairs(f.test)].sort(), pairs(data))
  // Fold sizes stay balanced: user u's u+1 plays are dealt round-robin.
  for (const f of folds) assert.ok(Math.abs(nnz(f.test.matrix) - nnz(data.matrix) / 4) <= 30 / 4 + 1)
})

test('the leak guard names the first leaked pair by raw ids', () => {
  const train = buildInteractions(timed, 'implicit')
  const test2 = buildInteractions([{ user: 'b', item: 'w', value: 1 }], 'implicit', { users: train.users, items: train.items })
  assert.throws(() => assertNoLeak(train, test2), (e: Error & { code?: string }) => {
    return e.code === 'E_BAD_ARGUMENT' && /user 'b', item 'w'/.test(e.message)
  })
  const other = buildInteractions([{ user: 'q', item: 'r', value: 1 }], 'implicit')
  assert.throws(() => assertNoLeak(train, other), /share the same/)
  const { train: tr, test: te } = leaveLastOut(train)
  assert.doesNotThrow(() => assertNoLeak(tr, te))
})

test('every split runs the leak guard (a malformed matrix with a repeated entry is refused)', () => {
  // Row 0 lists item 0 twice, which buildInteractions never produces; any split that separates the copies leaks.
  const users = IdMap.from(['a'])
  const items = IdMap.from(['x'])
  const matrix = { rows: 1, cols: 1, indptr: Int32Array.from([0, 2]), indices: Int32Array.from([0, 0]), data: Float32Array.from([1, 1]) }
  const bad: Interactions = { users, items, matrix, times: Float64Array.from([1, 9]), kind: 'implicit' }
  const leak = /user 'a', item 'x'/
  assert.throws(() => leaveLastOut(bad), leak)
  assert.throws(() => randomHoldout(bad, { fraction: 0.5 }), leak)
  assert.throws(() => temporalSplit(bad, { after: 5 }), leak)
  assert.throws(() => kFold(bad, 2), leak)
})

test('validation split is carved from training data only', () => {
  const outer = randomHoldout(bigger(), { seed: 1 })
  const inner = validationSplit(outer.train, { seed: 2 })
  assert.deepEqual([...pairs(inner.train), ...pairs(inner.test)].sort(), pairs(outer.train))
  const heldOut = new Set(pairs(outer.test))
  assert.ok(pairs(inner.test).every((p) => !heldOut.has(p)))
  assert.ok(nnz(inner.test.matrix) > 0)
  const last = validationSplit(outer.train, { method: 'last' })
  assert.deepEqual(pairs(last.test), pairs(leaveLastOut(outer.train).test))
})
