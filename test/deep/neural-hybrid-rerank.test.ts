import { test } from 'node:test'
import assert from 'node:assert/strict'
import { IdMap } from '../../src/core/ids.js'
import { Rng } from '../../src/core/rng.js'
import { buildInteractions, type Interactions, type RawInteraction } from '../../src/data/interactions.js'
import { NeuralHybridRecommender } from '../../src/deep/neural-hybrid/rerank-model.js'
import type { SideInputs } from '../../src/deep/neural-hybrid/side.js'
import { evaluate } from '../../src/eval/evaluate.js'
import { randomHoldout } from '../../src/eval/splits.js'
import { EaseRecommender } from '../../src/models/ease/ease.js'
import { createModel } from '../../src/models/registry.js'

// The registered neural hybrid: a network re-ranking a classic model's candidates (rerank-model.ts).
const SMALL = { dims: 8, hidden: 16, candidates: 30, epochs: 25, batch: 16, learningRate: 0.02, patience: 25, folds: 3, validation: 0 } as const

/**
 * 60 listeners, half coded gender 1 (they play items 0-9), half gender 2 (items 10-19). Items 20-23 nobody
 * played; their content says 20 and 21 are like 0-9 and 22 and 23 like 10-19.
 */
function groups(): { data: Interactions; side: SideInputs } {
  const rng = new Rng(5)
  const events: RawInteraction[] = []
  const codes = new Map<string, number[]>()
  for (let u = 0; u < 60; u++) {
    const g = u % 2
    codes.set(`u${u}`, [g + 1])
    for (let k = 0; k < 6; k++) events.push({ user: `u${u}`, item: `i${g * 10 + rng.int(10)}`, value: 1 })
  }
  const items = IdMap.from(Array.from({ length: 24 }, (_, i) => `i${i}`))
  const kind = (i: number) => (i < 10 || i === 20 || i === 21 ? 0 : 1)
  const content = new Map(Array.from({ length: 24 }, (_, i) => [`i${i}`, kind(i) === 0 ? [1, 0] : [0, 1]]))
  const side: SideInputs = { users: { fields: [{ name: 'gender', size: 3 }], codes }, itemContent: { dims: 2, rows: content } }
  return { data: buildInteractions(events, 'implicit', { items }), side }
}

test('neural hybrid is the registered re-ranker over EASE with user-kNN as its second opinion', () => {
  const model = createModel('neural-hybrid') as NeuralHybridRecommender
  assert.ok(model instanceof NeuralHybridRecommender)
  assert.equal(model.config.candidateModel, 'ease')
  assert.equal(model.config.secondModel, 'user-knn')
})

test('neural hybrid: a new listener with no plays is served from side fields; never-played tracks from content', async () => {
  const { data, side } = groups()
  const model = new NeuralHybridRecommender({ ...SMALL, historyDropout: 0.5 }, side)
  await model.fit(data, { seed: 3 })
  assert.ok(model.usesNetwork)
  const first = model.recommendForListener([], [1], { n: 5, filter: { accept: (i) => i < 20 } }).map((s) => s.item)
  const second = model.recommendForListener([], [2], { n: 5, filter: { accept: (i) => i < 20 } }).map((s) => s.item)
  assert.ok(first.every((i) => i < 10), `gender 1 gets items 0-9, got ${first}`)
  assert.ok(second.every((i) => i >= 10), `gender 2 gets items 10-19, got ${second}`)
  const cold = model.scoreCandidates({ user: 0 }, [20, 21, 22, 23])
  assert.ok(Math.min(cold[0], cold[1]) > Math.max(cold[2], cold[3]), `unplayed items like user 0's rank first: ${cold}`)
  // Content candidates bring never-played tracks into the list at all (EASE alone never proposes them).
  const listed = model.recommend({ user: 0 }, { n: 24 }).map((s) => s.item)
  assert.ok(listed.includes(20) && listed.includes(21), `never-played 20 and 21 are candidates, got ${listed}`)
})

test('neural hybrid: when the network does not beat the classic order on its held-out lists, the classic order stands', async () => {
  // A learning rate of 1e-7 leaves the network at its random start: it cannot beat EASE's own order.
  const data = skewed()
  const model = new NeuralHybridRecommender({ dims: 4, hidden: 8, candidates: 30, epochs: 1, learningRate: 1e-7, secondModel: 'none', folds: 1 })
  await model.fit(data, { seed: 7 })
  const ease = new EaseRecommender()
  await ease.fit(data, { seed: 7 })
  assert.equal(model.usesNetwork, false)
  for (const user of [0, 1, 2, 150]) {
    assert.deepEqual(model.recommend({ user }, { n: 10 }).map((s) => s.item), ease.recommend({ user }, { n: 10 }).map((s) => s.item), `user ${user}`)
  }
})

/**
 * 300 listeners in 6 taste clusters of 20 items. Each plays 6 items of the cluster, drawn with a strong
 * popularity skew, and 3 items of other clusters uniformly: the held-out plays favour the popular items of the
 * cluster, which the classic score alone ranks too low beside rarer co-played items. A re-ranker that reads
 * popularity beside the classic score must do at least as well as its classic stage on held-out plays.
 */
function skewed(): Interactions {
  const rng = new Rng(17)
  const events: RawInteraction[] = []
  for (let u = 0; u < 300; u++) {
    const cluster = u % 6
    const picked = new Set<number>()
    while (picked.size < 6) picked.add(cluster * 20 + Math.floor(20 * rng.next() ** 3))
    while (picked.size < 9) picked.add(rng.int(120))
    for (const i of picked) events.push({ user: `u${u}`, item: `i${i}`, value: 1 })
  }
  return buildInteractions(events, 'implicit')
}

test('neural hybrid: on held-out plays it is at least as good as EASE, its classic stage', async () => {
  const split = randomHoldout(skewed(), { fraction: 0.2, seed: 1 })
  const opts = { k: 10, metrics: ['ndcg' as const], fit: { seed: 5, threads: 1 } }
  const ease = (await evaluate(new EaseRecommender(), split, opts)).overall.metrics.ndcg!
  const hybrid = (await evaluate(new NeuralHybridRecommender({ dims: 4, hidden: 16, candidates: 40, epochs: 15, batch: 16, learningRate: 0.01 }), split, opts)).overall.metrics.ndcg!
  assert.ok(hybrid >= ease - 0.005, `hybrid NDCG@10 ${hybrid.toFixed(4)} vs EASE ${ease.toFixed(4)}`)
})
