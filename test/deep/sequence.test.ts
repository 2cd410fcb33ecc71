import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { Rng } from '../../src/core/rng.js'
import { initBackend } from '../../src/deep/backend.js'
import { leaveLastOutSequences, leftPad, sequencesFromEvents, testHistory, type SequenceData } from '../../src/deep/sequence/data.js'
import { buildQueries, evaluateRecommender, evaluateSasRec, fitOnHistories, fullRank, metricsOfRanks, sampledRank } from '../../src/deep/sequence/evaluate.js'
import { loadSasRec, saveSasRec, trainSasRec } from '../../src/deep/sequence/train.js'
import { createModel } from '../../src/models/registry.js'

await initBackend()

test('events become time-ordered sequences, first play kept, and split leave-last-out', () => {
  const ev = (user: string, item: string, time: number) => ({ user, item, value: 1, time })
  const data = sequencesFromEvents([ev('u', 'c', 30), ev('u', 'a', 10), ev('u', 'b', 20), ev('u', 'a', 40), ev('u', 'd', 50), ev('v', 'a', 1), ev('v', 'b', 2)])
  assert.deepEqual(data.owners, ['u'])
  assert.deepEqual(data.items, ['a', 'b', 'c', 'd'])
  assert.deepEqual([...data.sequences[0]], [1, 2, 3, 4])
  const split = leaveLastOutSequences(data)
  assert.deepEqual([...split.train[0]], [1, 2])
  assert.equal(split.valid[0], 3)
  assert.equal(split.test[0], 4)
  assert.deepEqual([...testHistory(split, 0)], [1, 2, 3])
  assert.deepEqual([...leftPad([5, 6, 7], 5)], [0, 0, 5, 6, 7])
  assert.deepEqual([...leftPad([5, 6, 7], 2)], [6, 7])
})

test('ranks and HR/NDCG@10 by hand: seen items and the padding slot never outrank the target', () => {
  const scores = Float32Array.from([-Infinity, 0.9, 0.5, 0.8, 0.1, 0.7])
  assert.equal(fullRank(scores, [1], 5), 1) // item 3 only; item 1 was played
  assert.equal(sampledRank(scores, Int32Array.from([5, 4, 2, 3])), 1)
  const m = metricsOfRanks([0, 1, 9, 10])
  assert.equal(m.hr, 0.75)
  assert.ok(Math.abs(m.ndcg - (1 + 1 / Math.log2(3) + 1 / Math.log2(11)) / 4) < 1e-12)
})

/**
 * Listeners walk a ring of 30 items forwards (i -> i + 1): the next item is fixed by the order, while an
 * order-blind model sees i - 1 and i + 1 as equally close to a history around i.
 */
function ring(sequences: number, length: number, items: number, seed: number): SequenceData {
  const rng = new Rng(seed)
  const seqs = Array.from({ length: sequences }, () => {
    const start = rng.int(items)
    return Int32Array.from({ length }, (_, t) => 1 + ((start + t) % items))
  })
  return { items: Array.from({ length: items }, (_, i) => `i${i + 1}`), owners: seqs.map((_, i) => `s${i}`), sequences: seqs }
}

test('SASRec learns the order (the next item ranks first) where item-kNN cannot tell direction; saved and loaded it scores the same', async () => {
  const split = leaveLastOutSequences(ring(240, 9, 30, 3))
  const opts = { dModel: 16, heads: 2, layers: 1, maxLen: 8, dropout: 0.1, negatives: 10, fullSoftmaxMax: 10, epochs: 15, learningRate: 5e-3, batchSize: 64, train: { progress: false, patience: false as const } }
  const { model } = await trainSasRec(split, opts)
  const queries = buildQueries(split, 'test')
  const hr1 = queries.filter((q) => fullRank(model.scoreNext([q.history])[0], q.history, q.target) === 0).length / queries.length
  assert.ok(hr1 > 0.9, `SASRec put the next item first for ${hr1} of listeners`)
  const knn = createModel('item-knn')
  const data = await fitOnHistories(knn, split, 'test')
  const knnReport = evaluateRecommender(knn, data, queries)
  const ours = evaluateSasRec(model, queries)
  assert.ok(ours.full.ndcg > knnReport.full.ndcg + 0.1, `SASRec NDCG@10 ${ours.full.ndcg} vs item-kNN ${knnReport.full.ndcg}`)
  const path = join(mkdtempSync(join(tmpdir(), 'segue-seq-')), 'model.art')
  saveSasRec(path, model, split.data.items, 'test-key')
  const loaded = loadSasRec(path)
  assert.deepEqual(loaded.items, split.data.items)
  assert.deepEqual(loaded.model.scoreNext([queries[0].history])[0], model.scoreNext([queries[0].history])[0])
})
