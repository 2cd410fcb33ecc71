import { test } from 'node:test'
import assert from 'node:assert/strict'
import { rowIndices } from '../../src/core/csr.js'
import { evaluate } from '../../src/eval/evaluate.js'
import { aucOf, aucOfScores } from '../../src/eval/metrics.js'
import type { Split } from '../../src/eval/partition.js'
import { randomHoldout } from '../../src/eval/splits.js'
import { loadListening } from '../../src/listening/source.js'
import { AlsRecommender } from '../../src/models/als/als.js'
import { EaseRecommender } from '../../src/models/ease/ease.js'
import { ItemKnnRecommender } from '../../src/models/item-knn/item-knn.js'
import { PopularityRecommender } from '../../src/models/popularity/popularity.js'
import { canScoreAll, type Recommender, type RecommendOptions } from '../../src/models/types.js'
import type { Progress } from '../../src/core/progress.js'
import { Rng } from '../../src/core/rng.js'
import { selectTopN } from '../../src/rerank/select.js'

test('aucOfScores: ties by the lower id, backfilled items after scored ones, seen items left out (by hand)', () => {
  // Item 1 is seen. Ranking: 0, 2, 4 (score 0.5, ties by id), then 5 and 3 by backfill. Relevant {2, 3};
  // negatives 0, 4, 5: item 2 beats 4 and 5, item 3 beats none: 2 of 6 pairs.
  const v = { scores: Float32Array.from([0.5, 0.9, 0.5, -Infinity, 0.5, -Infinity]), backfill: Float32Array.from([0, 0, 0, 3, 0, 5]) }
  assert.equal(aucOfScores(v, [1], new Set([2, 3]), 5), 2 / 6)
  assert.equal(aucOf([0, 2, 4, 5, 3], new Set([2, 3]), 5), 2 / 6)
})

test('aucOfScores: items with no score and no backfill are unlisted and tie with each other (by hand)', () => {
  // Listed 4 (3), 0 (1), 2 (1); items 1 and 3 unlisted. Relevant {1, 2}; negatives 0, 3, 4.
  // (2,0) 0 (tie, lower id first), (2,3) 1, (2,4) 0, (1,0) 0, (1,3) 1/2 (both unlisted), (1,4) 0: 1.5 of 6.
  const v = { scores: Float32Array.from([1, -Infinity, 1, -Infinity, 3]) }
  assert.equal(aucOfScores(v, [], new Set([1, 2]), 5), 0.25)
  assert.equal(aucOf([4, 0, 2], new Set([1, 2]), 5), 0.25)
  assert.ok(Number.isNaN(aucOfScores(v, [], new Set([0, 1, 2, 3, 4]), 5)), 'no negatives')
})

test('aucOfScores agrees with the full selectTopN ranking on signed scores, -0, ties and non-finite values', () => {
  // Values drawn from a small pool so ties are common; negative numbers, both zeros, NaN and the infinities
  // check the packed ranking keys against the ranking recommend() itself gives.
  const pool = [-3.5, -1, -0.25, -0, 0, 1e-30, 0.25, 1, 7, -1e30, NaN, Infinity, -Infinity]
  const rng = new Rng(7)
  for (let trial = 0; trial < 300; trial++) {
    const n = 5 + rng.int(40)
    const draw = () => Float32Array.from({ length: n }, () => pool[rng.int(pool.length)])
    const v = { scores: draw(), backfill: rng.next() < 0.7 ? draw() : undefined }
    const seen = [...new Set(Array.from({ length: rng.int(4) }, () => rng.int(n)))]
    const relevant = new Set(Array.from({ length: 1 + rng.int(6) }, () => rng.int(n)))
    const candidates = n - seen.length
    const full = selectTopN(v.scores, { n, exclude: seen, backfill: v.backfill }).map((s) => s.item)
    const want = aucOf(full, relevant, candidates)
    const got = aucOfScores(v, seen, relevant, candidates)
    assert.ok(Object.is(got, want) || Math.abs(got - want) < 1e-12, `trial ${trial}: ${got} != ${want}`)
  }
})

/** HetRec, seeded 80/20 split; the first test users with held-out items. */
async function hetrec(): Promise<{ split: Split; users: number[] }> {
  const { data } = await loadListening()
  const split = randomHoldout(data, { fraction: 0.2, seed: 42 })
  const users: number[] = []
  for (let u = 0; u < split.test.matrix.rows && users.length < 150; u++) if (rowIndices(split.test.matrix, u).length > 0) users.push(u)
  return { split, users }
}

const MODELS: [string, () => Recommender][] = [
  ['popularity', () => new PopularityRecommender()],
  ['item-knn', () => new ItemKnnRecommender()],
  ['ease', () => new EaseRecommender({ minUsers: 8 })],
  ['als', () => new AlsRecommender({ factors: 16, iterations: 3, threads: 1 })],
]

test('aucOfScores equals the old full-list AUC on HetRec for every model with score vectors', { timeout: 300_000 }, async () => {
  const { split, users } = await hetrec()
  const items = split.train.matrix.cols
  for (const [name, make] of MODELS) {
    const model = make()
    await model.fit(split.train, { seed: 1 })
    assert.ok(canScoreAll(model), `${name} offers score vectors`)
    // The old way: every candidate listed, as evaluate() asked for before.
    const lists = await model.recommendMany(users, { n: items, excludeSeen: true })
    users.forEach((user, i) => {
      const seen = rowIndices(split.train.matrix, user)
      const relevant = new Set(rowIndices(split.test.matrix, user))
      const old = aucOf(lists[i].map((s) => s.item), relevant, items - seen.length)
      assert.equal(aucOfScores(model.scoreAll(user), seen, relevant, items - seen.length), old, `${name} user ${user}`)
    })
    await (model as { dispose?: () => Promise<void> }).dispose?.()
  }
})

/** Records the list lengths evaluate() asks for, passing everything else to the real model. */
function spied(model: Recommender, asked: number[]): Recommender {
  return new Proxy(model, {
    get(target, key, receiver) {
      if (key === 'recommendMany') {
        return (users: readonly number[], opts?: RecommendOptions) => {
          asked.push(opts?.n ?? 10)
          return target.recommendMany(users, opts)
        }
      }
      const value = Reflect.get(target, key, receiver)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

test('evaluate: exact AUC without full lists, and progress per batch of users', { timeout: 120_000 }, async () => {
  const { split } = await hetrec()
  const asked: number[] = []
  const progress: Progress[] = []
  const model = spied(new PopularityRecommender(), asked)
  const r = await evaluate(model, split, { k: 10, metrics: ['auc', 'precision'], onProgress: (p) => progress.push(p) })
  assert.ok(Math.max(...asked) <= 10, `lists asked: up to ${Math.max(...asked)} items`)
  assert.ok(r.overall.metrics.auc! > 0.8 && r.overall.metrics.auc! < 1, `auc ${r.overall.metrics.auc}`)
  assert.ok(progress.length >= 10, `${progress.length} progress reports`)
  assert.deepEqual(progress.map((p) => p.done), [...progress.map((p) => p.done)].sort((a, b) => a - b))
  assert.equal(progress.at(-1)!.done, r.overall.users)
  assert.equal(progress.at(-1)!.total, r.overall.users)
})

test('evaluate: a truncated AUC is the same from score vectors as from lists (the path of models without them)', { timeout: 120_000 }, async () => {
  const { split } = await hetrec()
  // Hiding scoreAll sends evaluate down the list path; aucDepth 2,000 keeps those lists small.
  const plain = new PopularityRecommender()
  const hidden = new Proxy(plain, { get: (t, key) => (key === 'scoreAll' ? undefined : Reflect.get(t, key, t)) }) as Recommender
  const listed = await evaluate(hidden, split, { k: 10, metrics: ['auc'], aucDepth: 2000 })
  const scoredAt = await evaluate(new PopularityRecommender(), split, { k: 10, metrics: ['auc'], aucDepth: 2000 })
  assert.equal(scoredAt.overall.metrics.auc, listed.overall.metrics.auc)
  assert.ok(listed.overall.metrics.auc! > 0.5)
})
