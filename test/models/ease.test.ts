import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Rng } from '../../src/core/rng.js'
import { buildInteractions, type RawInteraction } from '../../src/data/interactions.js'
import { EaseRecommender, easeWeightsDense, keepItems } from '../../src/models/ease/ease.js'
import { easeWeightsByUsers } from '../../src/models/ease/by-users.js'
import { loadListening } from '../../src/listening/source.js'
import { itemPopularity } from '../../src/models/shared/popularity-vector.js'
import { invertSpd } from '../../src/models/ease/spd-inverse.js'
import { runRecommenderSuite } from '../contract/recommender.case.js'

runRecommenderSuite('ease', () => new EaseRecommender({ lambda: 10, minUsers: 1 }), { load: EaseRecommender.load })

const noTick = async () => {}

test('ease: two items by hand', async () => {
  // X: u0 plays a and b, u1 plays a. XᵀX + I = [[3, 1], [1, 2]], P = [[2, -1], [-1, 3]] / 5.
  // B[a][b] = -P[a][b] / P[b][b] = 1/3, B[b][a] = -P[b][a] / P[a][a] = 1/2.
  const data = buildInteractions([play('u0', 'a'), play('u0', 'b'), play('u1', 'a')], 'implicit')
  const model = new EaseRecommender({ lambda: 1, minUsers: 1 })
  await model.fit(data)
  assertNear(model.recommend({ user: 1 }, { n: 1 })[0], { item: 1, score: 1 / 3 })
  assertNear(model.recommend({ history: [1] }, { n: 1 })[0], { item: 0, score: 1 / 2 })
  assert.deepEqual(model.explain({ history: [1] }, 0).because.map((s) => s.item), [1])
})

test('ease: matches a naive Gauss-Jordan computation on random data', async () => {
  const rng = new Rng(3)
  const events: RawInteraction[] = []
  for (let u = 0; u < 30; u++) for (let i = 0; i < 12; i++) if (rng.next() < 0.3) events.push(play(`u${u}`, `i${i}`))
  const data = buildInteractions(events, 'implicit')
  const model = new EaseRecommender({ lambda: 5, minUsers: 1 })
  await model.fit(data)
  const b = naiveEase(data.matrix.indptr, data.matrix.indices, data.matrix.rows, data.matrix.cols, 5)
  const history = [0, 3, 7]
  const expected = Array.from({ length: data.matrix.cols }, (_, i) => history.reduce((s, j) => s + b[j][i], 0))
  for (const { item, score } of model.recommend({ history }, { n: 12 })) assert.ok(Math.abs(score - expected[item]) < 1e-5, `item ${item}`)
})

test('ease: with fewer users than items (the Woodbury form) it still matches the naive computation', async () => {
  const rng = new Rng(4)
  const events: RawInteraction[] = []
  for (let u = 0; u < 15; u++) for (let i = 0; i < 60; i++) if (rng.next() < 0.25) events.push(play(`u${u}`, `i${i}`))
  const data = buildInteractions(events, 'implicit')
  const model = new EaseRecommender({ lambda: 3, minUsers: 1 })
  await model.fit(data)
  const b = naiveEase(data.matrix.indptr, data.matrix.indices, data.matrix.rows, data.matrix.cols, 3)
  const history = [1, 4, 9, 20]
  const expected = Array.from({ length: data.matrix.cols }, (_, i) => history.reduce((s, j) => s + b[j][i], 0))
  const got = model.recommend({ history }, { n: 60 })
  assert.equal(got.length, 60 - history.length)
  for (const { item, score } of got) assert.ok(Math.abs(score - expected[item]) < 1e-5, `item ${item}: ${score} vs ${expected[item]}`)
})

test('ease: the Woodbury form and the direct inverse give the same weights on real listening data', { timeout: 300_000 }, async () => {
  // HetRec's first 300 listeners, artists with at least 3 of them: fewer users than items, as in the full set.
  const { data } = await loadListening()
  const m = data.matrix
  const rows = 300
  const x = { rows, cols: m.cols, indptr: m.indptr.slice(0, rows + 1), indices: m.indices.subarray(0, m.indptr[rows]), data: new Float32Array(m.indptr[rows]).fill(1) }
  const pop = itemPopularity(x)
  const slot = new Int32Array(m.cols).fill(-1)
  let n = 0
  pop.forEach((c, i) => (slot[i] = c >= 3 ? n++ : -1))
  assert.ok(n > rows, `${n} items for ${rows} users`)
  const byUsers = await easeWeightsByUsers(x, slot, n, 200, noTick)
  const dense = await easeWeightsDense(x, slot, n, 200, noTick)
  let worst = 0
  let largest = 0
  for (let i = 0; i < n * n; i++) {
    worst = Math.max(worst, Math.abs(byUsers[i] - dense[i]))
    largest = Math.max(largest, Math.abs(dense[i]))
  }
  assert.ok(worst <= 1e-6 * largest, `largest difference ${worst} (largest weight ${largest})`)
})

test('ease: the SPD inverse times the matrix is the identity', async () => {
  const n = 25
  const rng = new Rng(5)
  const m = Array.from({ length: n * n }, () => rng.next() - 0.5)
  const a = new Float64Array(n * n)
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) a[i * n + j] += m[i * n + k] * m[j * n + k]
  for (let i = 0; i < n; i++) a[i * n + i] += 0.5
  const inv = await invertSpd(a.slice(), n, noTick)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0
      for (let k = 0; k < n; k++) s += a[i * n + k] * inv[k * n + j]
      assert.ok(Math.abs(s - (i === j ? 1 : 0)) < 1e-9, `(${i}, ${j}) = ${s}`)
    }
  }
})

test('ease: rare items are pruned and backfilled; past maxItems only the most used items are kept', async () => {
  const data = buildInteractions([play('u0', 'a'), play('u0', 'b'), play('u1', 'a'), play('u1', 'c'), play('u2', 'b')], 'implicit')
  const model = new EaseRecommender({ minUsers: 2 })
  await model.fit(data)
  const c = data.items.require('c')
  assert.deepEqual(model.recommend({ user: 2 }, { n: 2 }).map((s) => [s.item, s.score]), [[0, model.recommend({ user: 2 }, { n: 1 })[0].score], [c, -Infinity]])
  // a and b have 2 users each, c one: with room for 2 items, c is left to the backfill instead of a refusal.
  const capped = new EaseRecommender({ minUsers: 1, maxItems: 2 })
  await capped.fit(data)
  assert.deepEqual(capped.recommend({ user: 2 }, { n: 2 }).map((s) => s.item), [0, c])
  assert.equal(capped.recommend({ user: 2 }, { n: 2 })[1].score, -Infinity)
  assert.deepEqual([...keepItems(Float32Array.of(5, 1, 5, 9, 3), 2, 3).kept], [0, 2, 3], 'the three most used, ties to the lower id, ids ascending')
  assert.deepEqual([...keepItems(Float32Array.of(5, 1, 5, 9, 3), 2, 2).kept], [0, 3])
})

function play(user: string, item: string): RawInteraction {
  return { user, item, value: 1 }
}

function assertNear(actual: { item: number; score: number }, expected: { item: number; score: number }): void {
  assert.equal(actual.item, expected.item)
  assert.ok(Math.abs(actual.score - expected.score) < 1e-6, `${actual.score} vs ${expected.score}`)
}

/** EASE the slow obvious way: dense XᵀX + λI, Gauss-Jordan inverse, B = I - P diag(1/diag P). */
function naiveEase(indptr: Int32Array, indices: Int32Array, rows: number, n: number, lambda: number): number[][] {
  const g = Array.from({ length: n }, (_, i) => Array.from({ length: 2 * n }, (_, j) => (j === n + i ? 1 : 0)))
  for (let u = 0; u < rows; u++) for (let p = indptr[u]; p < indptr[u + 1]; p++) for (let q = indptr[u]; q < indptr[u + 1]; q++) g[indices[p]][indices[q]]++
  for (let i = 0; i < n; i++) g[i][i] += lambda
  for (let c = 0; c < n; c++) {
    const pivot = g[c][c]
    for (let j = 0; j < 2 * n; j++) g[c][j] /= pivot
    for (let r = 0; r < n; r++) {
      if (r === c) continue
      const f = g[r][c]
      for (let j = 0; j < 2 * n; j++) g[r][j] -= f * g[c][j]
    }
  }
  const p = g.map((row) => row.slice(n))
  return p.map((row, j) => row.map((v, i) => (i === j ? 0 : -v / p[i][i])))
}
