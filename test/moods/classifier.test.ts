import { test } from 'node:test'
import assert from 'node:assert/strict'
import { argmaxRows, fitSoftmax, predictProba } from '../../src/moods/softmax.js'
import { accuracyOf, confusion, crossValidate, f1PerClass, macroF1, stratifiedFolds } from '../../src/moods/cv.js'
import { silhouette, seededSample, kmeans } from '../../src/moods/kmeans.js'
import { elbowKnee } from '../../src/moods/clusters.js'
import type { FeatureMatrix } from '../../src/moods/features.js'

const matrix = (rows: number[][]): FeatureMatrix => ({ rows: rows.length, dims: rows[0].length, data: Float64Array.from(rows.flat()), names: [] })

test('softmax learns a hand-made separable set: each quadrant of the plane is its own class', () => {
  // Class = quadrant of (x, y): 0 (+,+), 1 (-,+), 2 (+,-), 3 (-,-), points 0.5 to 2 away from the axes.
  const pts: number[][] = []
  const y: number[] = []
  for (const a of [0.5, 1, 2]) for (const b of [0.5, 1.5]) {
    for (const [c, sx, sy] of [[0, 1, 1], [1, -1, 1], [2, 1, -1], [3, -1, -1]]) (pts.push([sx * a, sy * b]), y.push(c))
  }
  const model = fitSoftmax(matrix(pts), Int32Array.from(y), 4)
  assert.deepEqual(Array.from(argmaxRows(predictProba(model, matrix(pts)), 4)), y)
  // Unseen points deep in each quadrant, and the probabilities of each row sum to 1.
  const probe = predictProba(model, matrix([[3, 3], [-3, 3], [3, -3], [-3, -3]]))
  assert.deepEqual(Array.from(argmaxRows(probe, 4)), [0, 1, 2, 3])
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(probe[i * 4] + probe[i * 4 + 1] + probe[i * 4 + 2] + probe[i * 4 + 3] - 1) < 1e-6)
  assert.ok(probe[0] > 0.9, `confident deep in a quadrant, got ${probe[0]}`)
})

test('confusion, accuracy and F1 by hand', () => {
  // truth 0 0 1 1 2, predicted 0 1 1 1 0
  const m = confusion([0, 0, 1, 1, 2], [0, 1, 1, 1, 0], 3)
  assert.deepEqual(Array.from(m), [1, 1, 0, 0, 2, 0, 1, 0, 0])
  assert.equal(accuracyOf(m, 3), 3 / 5)
  // class 0: tp 1, predicted 2, actual 2 -> 0.5; class 1: tp 2, predicted 3, actual 2 -> 0.8; class 2: 0.
  assert.deepEqual(f1PerClass(m, 3).map((x) => +x.toFixed(6)), [0.5, 0.8, 0])
  assert.equal(+macroF1(m, 3).toFixed(6), +((0.5 + 0.8 + 0) / 3).toFixed(6))
})

test('stratified folds keep each class spread evenly; CV on a separable set is perfect and beats the majority', () => {
  const y = Int32Array.from([...Array(30).fill(0), ...Array(10).fill(1)])
  const folds = stratifiedFolds(y, 5, 1)
  for (let f = 0; f < 5; f++) {
    assert.equal(y.filter((c, i) => folds[i] === f && c === 0).length, 6)
    assert.equal(y.filter((c, i) => folds[i] === f && c === 1).length, 2)
  }
  const x = matrix(Array.from(y, (c, i) => [c === 1 ? 2 + (i % 3) * 0.1 : -2 - (i % 3) * 0.1]))
  const cv = crossValidate(y, 2, 5, 1, (train, test) => {
    const model = fitSoftmax({ ...x, rows: train.length, data: Float64Array.from(train, (r) => x.data[r]) }, Int32Array.from(train, (r) => y[r]), 2)
    return argmaxRows(predictProba(model, { ...x, rows: test.length, data: Float64Array.from(test, (r) => x.data[r]) }), 2)
  })
  assert.equal(cv.model.accuracy, 1)
  assert.equal(cv.majority.accuracy, 0.75)
  assert.equal(cv.majority.macroF1, (6 / 7 + 0) / 2)
})

test('silhouette: tight separated clusters near 1, a random split near 0; the elbow knee by hand', () => {
  const pts = [[0, 0], [0, 0.1], [0.1, 0], [10, 10], [10, 10.1], [10.1, 10]]
  const m = matrix(pts)
  const all = Int32Array.from([0, 1, 2, 3, 4, 5])
  assert.ok(silhouette(m, Int32Array.from([0, 0, 0, 1, 1, 1]), 2, all) > 0.98)
  assert.ok(silhouette(m, Int32Array.from([0, 1, 0, 1, 0, 1]), 2, all) < 0.1)
  assert.deepEqual(Array.from(kmeans(m, 2, { seed: 1 }).assignment.map((c, i, a) => (c === a[0] ? 0 : 1))), [0, 0, 0, 1, 1, 1])
  assert.equal(elbowKnee([1, 2, 3, 4, 5], [100, 30, 20, 15, 12]), 2)
  assert.deepEqual(Array.from(seededSample(10, 4, 9)), Array.from(seededSample(10, 4, 9)), 'the sample is fixed by its seed')
})
