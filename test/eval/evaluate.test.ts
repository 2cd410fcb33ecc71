import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildInteractions, type RawInteraction } from '../../src/data/interactions.js'
import { evaluate } from '../../src/eval/evaluate.js'
import { leaveLastOut } from '../../src/eval/splits.js'
import type { FitProgress } from '../../src/models/types.js'
import { ConstantRater, PopularityToy } from './toy-models.js'

const close = (actual: number | undefined, expected: number, what = '') =>
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-9, `${what}: ${actual} != ${expected}`)

/**
 * Users u1..u4 = 0..3, items i0..i4 = 0..4. Leave-last-out holds out u1:i2, u2:i3, u3:i4, u4:i3.
 * Training popularity is [3, 3, 1, 0, 0], so the toy ranks items 0, 1, 2, 3, 4 and at k = 2 recommends
 * u1 [2, 3] (hit at 1), u2 [2, 3] (hit at 2), u3 [1, 3] (miss), u4 [0, 2] (miss).
 */
function events(value: (i: number) => number = () => 1): RawInteraction[] {
  const plays: [string, string][] = [
    ['u1', 'i0'], ['u1', 'i1'], ['u1', 'i2'],
    ['u2', 'i0'], ['u2', 'i1'], ['u2', 'i3'],
    ['u3', 'i0'], ['u3', 'i2'], ['u3', 'i4'],
    ['u4', 'i1'], ['u4', 'i3'],
  ]
  return plays.map(([user, item], i) => ({ user, item, value: value(i), time: i }))
}

const artists = [['A'], ['A'], ['B'], ['B'], ['C']]

test('evaluate: a popularity model on a hand-checked split', async () => {
  const progress: FitProgress[] = []
  const split = leaveLastOut(buildInteractions(events(), 'implicit'))
  const r = await evaluate(new PopularityToy(), split, { k: 2, itemInfo: { artists }, fit: { onProgress: (p) => progress.push(p) } })
  const x = r.overall.metrics
  assert.equal(r.overall.users, 4)
  close(x.precision, 0.25, 'precision')
  close(x.recall, 0.5, 'recall')
  close(x.hitRate, 0.5, 'hitRate')
  close(x.mrr, (1 + 0.5) / 4, 'mrr')
  close(x.map, (1 + 0.5) / 4, 'map')
  close(x.ndcg, (1 + 1 / Math.log2(3)) / 4, 'ndcg')
  // Full rankings: u1 [2,3,4] rel 2 -> 1; u2 [2,3,4] rel 3 -> 1/2; u3 [1,3,4] rel 4 -> 0; u4 [0,2,3,4] rel 3 -> 1/3.
  close(x.auc, (1 + 0.5 + 0 + 1 / 3) / 4, 'auc')
  close(x.coverage, 4 / 5, 'coverage')
  close(x.novelty, (2 + 2 + 2 * ((-Math.log2(3 / 4) + 2) / 2)) / 4, 'novelty')
  close(x.arp, (0.5 + 0.5 + 1.5 + 2) / 4, 'arp')
  close(x.popularityLift, 1.125 / (7 / 5), 'popularityLift')
  close(x.artistDiversity, (0.5 + 0.5 + 1 + 1) / 4, 'artistDiversity')
  assert.equal(x.rmse, undefined) // not a rating predictor
  assert.equal(x.genreDiversity, undefined) // no genres given
  assert.equal(progress.length, 1)
})

test('evaluate: cold and active segments', async () => {
  const split = leaveLastOut(buildInteractions(events(), 'implicit'))
  const r = await evaluate(new PopularityToy(), split, { k: 2, metrics: ['precision', 'recall', 'coverage'], segments: 'cold-active', coldBelow: 2 })
  assert.deepEqual(Object.keys(r.overall.metrics).sort(), ['coverage', 'precision', 'recall'])
  const { cold, active } = r.segments!
  assert.equal(cold.users, 1) // u4 has one training play
  close(cold.metrics.precision, 0, 'cold precision')
  close(cold.metrics.coverage, 2 / 5, 'cold coverage')
  assert.equal(active.users, 3)
  close(active.metrics.recall, 2 / 3, 'active recall')
  close(active.metrics.coverage, 3 / 5, 'active coverage')
})

test('evaluate: RMSE and MAE for a rating predictor on explicit data', async () => {
  // Entry i is rated (i mod 5) + 1; leave-last-out holds out entries 2, 5, 8 and 10.
  const rating = (i: number) => (i % 5) + 1
  const split = leaveLastOut(buildInteractions(events(rating), 'explicit'))
  const held = [2, 5, 8, 10].map(rating) // [3, 1, 4, 1]
  const r = await evaluate(new ConstantRater(3), split, { k: 2, metrics: ['rmse', 'mae', 'hitRate'], relevantFrom: 3 })
  close(r.overall.metrics.rmse, Math.sqrt(held.reduce((s, v) => s + (v - 3) ** 2, 0) / 4), 'rmse')
  close(r.overall.metrics.mae, held.reduce((s, v) => s + Math.abs(v - 3), 0) / 4, 'mae')
  assert.equal(r.overall.users, 2) // only ratings >= 3 are relevant: u1's 3 and u3's 4
  close(r.overall.metrics.hitRate, 0.5, 'hitRate') // u1 gets [2, 3] and held out 2; u3 misses
})

test('evaluate: refuses metrics the item info cannot support', async () => {
  const split = leaveLastOut(buildInteractions(events(), 'implicit'))
  await assert.rejects(evaluate(new PopularityToy(), split, { k: 2, metrics: ['genreDiversity'] }), /needs itemInfo.genres/)
  await assert.rejects(evaluate(new PopularityToy(), split, { k: 0 }), /k must be/)
})

test('evaluate: a truncated AUC depth treats the unlisted tail as tied', async () => {
  const split = leaveLastOut(buildInteractions(events(), 'implicit'))
  const r = await evaluate(new PopularityToy(), split, { k: 1, metrics: ['auc'], aucDepth: 1 })
  // Lists of one: u1 [2] rel 2 -> 1; u2 [2] rel 3 -> 0.5 x 1 / 2; u3 [1] rel 4 -> 0.5 x 1 / 2; u4 [0] rel 3 -> 0.5 x 2 / 3.
  close(r.overall.metrics.auc, (1 + 0.25 + 0.25 + 1 / 3) / 4, 'auc')
})
