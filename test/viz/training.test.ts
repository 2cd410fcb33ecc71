// The training-curve chart that epoch-trained models call: loss (and validation loss) per epoch, a metric in its
// own panel, valid for normal, empty and single-epoch histories, drawn to SVG with its title.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { trainingCurveChart } from '../../src/viz/training.js'
import { toSvg } from '../../src/viz/render.js'
import { assertValidSpec, isNoData, valuesOf } from './validate.js'

const history = [
  { epoch: 1, loss: 0.9, valLoss: 1.0, metric: 0.1 },
  { epoch: 2, loss: 0.6, valLoss: 0.8, metric: 0.2 },
  { epoch: 3, loss: 0.4, valLoss: NaN, metric: 0.25 },
]

test('trainingCurveChart: loss and validation loss in one panel, the metric in another; non-finite points left out', async () => {
  const spec = trainingCurveChart(history, 'Autoencoder training', 'NDCG@10')
  assertValidSpec(spec)
  const rows = valuesOf(spec)
  assert.deepEqual(rows.filter((r) => r.series === 'Training loss').map((r) => [r.x, r.y, r.panel]), [[1, 0.9, 'Loss'], [2, 0.6, 'Loss'], [3, 0.4, 'Loss']])
  assert.deepEqual(rows.filter((r) => r.series === 'Validation loss').map((r) => r.y), [1.0, 0.8])
  assert.deepEqual(rows.filter((r) => r.panel === 'NDCG@10').map((r) => r.y), [0.1, 0.2, 0.25])
  const svg = await toSvg(spec)
  for (const t of ['Autoencoder training', 'Epoch', 'Validation loss', 'NDCG@10']) assert.ok(svg.includes(`>${t}</text>`), `'${t}' drawn`)
})

test('trainingCurveChart: loss only, empty and single-epoch histories are valid', () => {
  const lossOnly = trainingCurveChart([{ epoch: 1, loss: 2 }, { epoch: 2, loss: 1 }], 'Loss only')
  assertValidSpec(lossOnly)
  assert.deepEqual([...new Set(valuesOf(lossOnly).map((r) => r.panel))], ['Loss'])
  const empty = trainingCurveChart([], 'Nothing yet')
  assertValidSpec(empty)
  assert.ok(isNoData(empty))
  const one = trainingCurveChart([{ epoch: 1, loss: 0.5, valLoss: 0.7, metric: 0.3 }], 'One epoch')
  assertValidSpec(one)
  assert.equal(valuesOf(one).length, 3)
  assert.ok(isNoData(trainingCurveChart([{ epoch: 1, loss: NaN }], 'Diverged')))
})
