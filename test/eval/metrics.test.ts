import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as m from '../../src/eval/metrics.js'

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} != ${expected}`)

// Top 4 of [1, 2, 3, 4, 5] holds relevant items at ranks 2 and 4; item 9 is relevant but never listed.
const ranked = [1, 2, 3, 4, 5]
const relevant = new Set([2, 4, 9])

test('precision, recall, F1 at k', () => {
  close(m.precisionAt(ranked, relevant, 4), 2 / 4)
  close(m.recallAt(ranked, relevant, 4), 2 / 3)
  close(m.f1At(ranked, relevant, 4), 4 / 7) // 2 x 0.5 x 2/3 / (0.5 + 2/3)
  close(m.precisionAt([2], relevant, 4), 1 / 4) // a short list counts as padded
  close(m.f1At(ranked, relevant, 1), 0)
})

test('NDCG at k: binary gains, log2 discount, ideal over min(k, |R|)', () => {
  const dcg = 1 / Math.log2(3) + 1 / Math.log2(5)
  const ideal = 1 + 1 / Math.log2(3) + 1 / Math.log2(4)
  close(m.ndcgAt(ranked, relevant, 4), dcg / ideal)
  close(m.ndcgAt([2, 4], new Set([2, 4]), 10), 1)
  close(m.ndcgAt([4, 2], new Set([2, 4, 6, 8]), 2), 1) // ideal at k=2 only needs two hits
})

test('AP at k normalised by min(k, |R|), reciprocal rank, hit', () => {
  close(m.averagePrecisionAt(ranked, relevant, 4), (1 / 2 + 2 / 4) / 3)
  close(m.averagePrecisionAt([2, 4], relevant, 2), 1)
  close(m.reciprocalRankAt(ranked, relevant, 4), 1 / 2)
  close(m.reciprocalRankAt(ranked, relevant, 1), 0)
  assert.equal(m.hitAt(ranked, relevant, 1), 0)
  assert.equal(m.hitAt(ranked, relevant, 2), 1)
})

test('AUC: exact on a full ranking, tied tail on a truncated one', () => {
  // Six candidates, relevant {1, 3}, negatives {0, 2, 4, 5}.
  const rel = new Set([1, 3])
  close(m.aucOf([1, 0, 3, 2, 4, 5], rel, 6), 7 / 8) // item 1 beats 4 negatives, item 3 beats 3
  close(m.aucOf([1, 0], rel, 6), (4 + 0.5 * 3) / 8) // item 3 loses to 0, ties with 2, 4, 5
  close(m.aucOf([], rel, 6), 0.5)
  assert.ok(Number.isNaN(m.aucOf([1, 3], rel, 2)))
})

test('coverage, intra-list similarity, cosine and Jaccard', () => {
  close(m.catalogueCoverage([[0, 1], [1, 2]], 5), 3 / 5)
  close(m.intraListSimilarity([0, 1, 2], (a, b) => (a % 2 === b % 2 ? 1 : 0)), 1 / 3)
  assert.ok(Number.isNaN(m.intraListSimilarity([0], () => 1)))
  const cos = m.cosineSimilarity(Float32Array.from([1, 0, 1, 1, 0, 0]), 2)
  close(cos(0, 1), 1 / Math.SQRT2)
  close(cos(0, 2), 0)
  close(m.jaccardSimilarity([['rock', 'pop'], ['pop']])(0, 1), 1 / 2)
})

test('label diversity: distinct labels over label mentions', () => {
  close(m.labelDiversity([0, 1, 2], [['A'], ['A'], ['B']]), 2 / 3)
  close(m.labelDiversity([0, 1, 2], [['rock', 'pop'], ['pop', 'jazz'], []]), 3 / 4)
  close(m.labelDiversity([0, 1], [['A'], ['B']]), 1)
  assert.ok(Number.isNaN(m.labelDiversity([2], [['A'], ['B'], []])))
})

test('novelty and popularity bias', () => {
  const pop = { counts: Float64Array.from([4, 1, 0]), users: 8 }
  close(m.noveltyOf([0, 1, 2], pop), (1 + 3 + 3) / 3) // the unplayed item counts as played once
  close(m.averagePopularity([0, 1], pop), 2.5)
  close(m.meanPopularity(pop), 5 / 3)
})

test('RMSE and MAE', () => {
  close(m.rmse([3, 5], [4, 3]), Math.sqrt(2.5))
  close(m.mae([3, 5], [4, 3]), 1.5)
  assert.ok(Number.isNaN(m.rmse([], [])))
})
