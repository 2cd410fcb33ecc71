// Each chart builder gives valid Vega-Lite for normal, empty and single-row data, and puts in the binned or
// aggregated values computed by hand here.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { barSpec } from '../../src/viz/bar.js'
import { confusionRows, confusionSpec, correlationMatrix, correlationSpec, pearson } from '../../src/viz/heatmap.js'
import { binValues, facetedHistogramSpec, histogramSpec, MAX_BINS } from '../../src/viz/histogram.js'
import { lineSpec, lossCurvesSpec } from '../../src/viz/line.js'
import { sampleIndices, SCATTER_CAP, scatterSpec } from '../../src/viz/scatter.js'
import { moodScale, MOODS } from '../../src/viz/theme.js'
import { Rng } from '../../src/core/rng.js'
import { isSegueError } from '../../src/core/errors.js'
import { assertValidSpec, isNoData, valuesOf } from './validate.js'

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`)

test('binValues: [0, 0.1, 0.1, 0.9] into 10 bins over [0, 1] counts 1, 2, 0 ... 0, 1', () => {
  const bins = binValues([0, 0.1, 0.1, 0.9], { bins: 10, extent: [0, 1] })
  assert.deepEqual(bins.map((b) => b.count), [1, 2, 0, 0, 0, 0, 0, 0, 0, 1])
  close(bins[1].start, 0.1)
  assert.equal(bins[9].end, 1)
})

test('binValues: the maximum falls in the last bin; non-finite values are skipped; a constant gets one bin', () => {
  assert.deepEqual(binValues([0, 0.1, 0.1, 0.9, NaN, Infinity], { bins: 3 }).map((b) => b.count), [3, 0, 1])
  assert.deepEqual(binValues([7, 7, 7]), [{ start: 6.5, end: 7.5, count: 3 }])
  assert.deepEqual(binValues([]), [])
  assert.deepEqual(binValues([NaN]), [])
})

test('binValues refuses more than MAX_BINS bins, so 114k rows never become a 114k-row spec', () => {
  assert.throws(() => binValues([1, 2], { bins: MAX_BINS + 1 }), (e) => isSegueError(e) && e.code === 'E_BAD_ARGUMENT')
  const rng = new Rng(7)
  const many = Float64Array.from({ length: 114_000 }, () => rng.normal())
  const spec = histogramSpec({ title: 'Many', xTitle: 'Value', series: [{ name: 'v', values: many }] })
  assert.equal(valuesOf(spec).length, 40)
  assert.equal(valuesOf(spec).reduce((a, r) => a + (r.count as number), 0), 114_000)
  assertValidSpec(spec)
})

test('histogram: one series is bars of the hand-computed counts; empty and single-row data are valid', () => {
  const spec = histogramSpec({ title: 'Energy', xTitle: 'Energy (0 to 1)', series: [{ name: 'energy', values: [0, 0.1, 0.1, 0.9] }], bins: 10, extent: [0, 1] })
  assertValidSpec(spec)
  assert.deepEqual(valuesOf(spec).map((r) => r.count), [1, 2, 0, 0, 0, 0, 0, 0, 0, 1])
  assert.equal((spec as { mark: { type: string } }).mark.type, 'bar')
  const empty = histogramSpec({ title: 'Energy', xTitle: 'Energy', series: [{ name: 'energy', values: [] }] })
  assertValidSpec(empty)
  assert.ok(isNoData(empty))
  const one = histogramSpec({ title: 'Energy', xTitle: 'Energy', series: [{ name: 'energy', values: [0.3] }] })
  assertValidSpec(one)
  assert.deepEqual(valuesOf(one).map((r) => [r.start, r.end, r.count]), [[-0.2, 0.8, 1]])
})

test('histogram of several series: shared bins, each series its share per bin', () => {
  const spec = histogramSpec({
    title: 'Energy by mood',
    xTitle: 'Energy',
    series: [{ name: 'Happy', values: [0, 0, 1] }, { name: 'Sad', values: [0, 1, 1, 1] }],
    bins: 2,
    colorScale: moodScale(),
  })
  assertValidSpec(spec)
  const rows = valuesOf(spec).map((r) => [r.series, r.start, r.count, r.share])
  assert.deepEqual(rows, [['Happy', 0, 2, 0.666667], ['Happy', 0.5, 1, 0.333333], ['Sad', 0, 1, 0.25], ['Sad', 0.5, 3, 0.75]])
})

test('faceted histogram: one panel per column, empty and single-row data valid', () => {
  const spec = facetedHistogramSpec({ title: 'Features', panels: [{ name: 'A', values: [1, 2, 3] }, { name: 'B', values: [10, 10, 20] }], bins: 2 })
  assertValidSpec(spec)
  assert.deepEqual(valuesOf(spec).map((r) => [r.series, r.count]), [['A', 1], ['A', 2], ['B', 2], ['B', 1]])
  assertValidSpec(facetedHistogramSpec({ title: 'Features', panels: [{ name: 'A', values: [5] }] }))
  const empty = facetedHistogramSpec({ title: 'Features', panels: [] })
  assertValidSpec(empty)
  assert.ok(isNoData(empty))
})

test('pearson: a hand-computed r, perfect correlations, and NaN where r is undefined', () => {
  // means 3 and 4; sum(da db) = 6, sum(da^2) = 10, sum(db^2) = 6: r = 6 / sqrt(60)
  close(pearson([1, 2, 3, 4, 5], [2, 4, 5, 4, 5]), 6 / Math.sqrt(60))
  close(pearson([1, 2, 3], [30, 20, 10]), -1)
  assert.ok(Number.isNaN(pearson([1, 1, 1], [1, 2, 3])))
  assert.ok(Number.isNaN(pearson([1], [2])))
  assert.throws(() => pearson([1, 2], [1]), (e) => isSegueError(e) && e.code === 'E_BAD_ARGUMENT')
})

test('correlation heatmap carries r rounded to 3 places, symmetric, 1 on the diagonal', () => {
  const m = correlationMatrix([[1, 2, 3, 4, 5], [2, 4, 5, 4, 5]])
  const spec = correlationSpec({ title: 'Correlation', names: ['A', 'B'], matrix: m })
  assertValidSpec(spec)
  assert.deepEqual(valuesOf(spec), [
    { row: 'A', col: 'A', r: 1 },
    { row: 'A', col: 'B', r: 0.775 },
    { row: 'B', col: 'A', r: 0.775 },
    { row: 'B', col: 'B', r: 1 },
  ])
  const one = correlationSpec({ title: 'Correlation', names: ['A'], matrix: correlationMatrix([[3]]) })
  assertValidSpec(one)
  assert.ok(isNoData(one), 'one row has no correlation to draw')
  assertValidSpec(correlationSpec({ title: 'Correlation', names: [], matrix: [] }))
})

test('confusion matrix: counts and row-normalised shares; an empty true class has shares of 0', () => {
  assert.deepEqual(confusionRows(['Happy', 'Sad'], [[8, 2], [1, 9]]).map((r) => [r.actual, r.predicted, r.count, r.share]), [
    ['Happy', 'Happy', 8, 0.8],
    ['Happy', 'Sad', 2, 0.2],
    ['Sad', 'Happy', 1, 0.1],
    ['Sad', 'Sad', 9, 0.9],
  ])
  assert.deepEqual(confusionRows(['A', 'B'], [[0, 0], [3, 1]]).map((r) => r.share), [0, 0, 0.75, 0.25])
  assertValidSpec(confusionSpec({ title: 'Mood classifier', labels: ['Happy', 'Sad'], counts: [[8, 2], [1, 9]] }))
  assertValidSpec(confusionSpec({ title: 'Mood classifier', labels: ['Happy'], counts: [[4]] }))
  const empty = confusionSpec({ title: 'Mood classifier', labels: [], counts: [] })
  assertValidSpec(empty)
  assert.ok(isNoData(empty))
})

test('line chart: several series, non-finite points dropped, empty and single point valid', () => {
  const spec = lineSpec({
    title: 'Loss per epoch',
    xTitle: 'Epoch',
    yTitle: 'Loss',
    series: [{ name: 'Training', points: [{ x: 1, y: 0.9 }, { x: 2, y: 0.5 }] }, { name: 'Validation', points: [{ x: 1, y: 1 }, { x: 2, y: NaN }] }],
  })
  assertValidSpec(spec)
  assert.deepEqual(valuesOf(spec), [{ series: 'Training', x: 1, y: 0.9 }, { series: 'Training', x: 2, y: 0.5 }, { series: 'Validation', x: 1, y: 1 }])
  assertValidSpec(lineSpec({ title: 'Precision at k', xTitle: 'k', yTitle: 'Precision', series: [{ name: 'ALS', points: [{ x: 10, y: 0.2 }] }], yDomain: [0, 1] }))
  const empty = lineSpec({ title: 'Elbow', xTitle: 'Clusters', yTitle: 'Inertia', series: [] })
  assertValidSpec(empty)
  assert.ok(isNoData(empty))
})

test('sampleIndices: all when under the cap; else cap distinct sorted indices, the same for the same seed', () => {
  assert.deepEqual(sampleIndices(4, 10, 1), [0, 1, 2, 3])
  const a = sampleIndices(114_000, SCATTER_CAP, 42)
  assert.equal(a.length, SCATTER_CAP)
  assert.equal(new Set(a).size, SCATTER_CAP)
  assert.ok(a.every((v, i) => i === 0 || v > a[i - 1]) && a[a.length - 1] < 114_000)
  assert.deepEqual(sampleIndices(114_000, SCATTER_CAP, 42), a)
  assert.notDeepEqual(sampleIndices(114_000, SCATTER_CAP, 43), a)
  // a uniform sample: about half the indices fall in the lower half of the range
  const low = a.filter((i) => i < 57_000).length
  assert.ok(low > 2300 && low < 2700, `${low} of 5000 in the lower half`)
})

test('scatter: capped with a stated seed, coloured by category; empty and single point valid', () => {
  const rng = new Rng(3)
  const points = Array.from({ length: 6000 }, (_, i) => ({ x: rng.next(), y: rng.next(), category: MOODS[i % 4] }))
  const spec = scatterSpec({ title: 'Tracks by mood', xTitle: 'First component', yTitle: 'Second component', categoryTitle: 'Mood', points, colorScale: moodScale() })
  assertValidSpec(spec)
  assert.equal(valuesOf(spec).length, SCATTER_CAP)
  assert.match(JSON.stringify((spec as { title: unknown }).title), /5,000 of 6,000 points, sampled with seed 42/)
  const one = scatterSpec({ title: 'One', xTitle: 'x', yTitle: 'y', categoryTitle: 'Mood', points: [{ x: 1, y: 2, category: 'Calm', label: 'Song' }] })
  assertValidSpec(one)
  assert.deepEqual(valuesOf(one), [{ x: 1, y: 2, category: 'Calm', label: 'Song' }])
  const empty = scatterSpec({ title: 'None', xTitle: 'x', yTitle: 'y', categoryTitle: 'Mood', points: [{ x: NaN, y: 1, category: 'Sad' }] })
  assertValidSpec(empty)
  assert.ok(isNoData(empty))
})

test('bar chart: plain and grouped bars in the order given; empty and single bar valid', () => {
  const grouped = barSpec({
    title: 'Keys',
    xTitle: 'Key',
    yTitle: 'Tracks',
    groupTitle: 'Mode',
    bars: [{ category: 'D', group: 'Major', value: 3 }, { category: 'D', group: 'Minor', value: 1 }, { category: 'C', group: 'Major', value: 2 }],
  })
  assertValidSpec(grouped)
  const enc = (grouped as { encoding: Record<string, { sort?: unknown }> }).encoding
  assert.ok(enc.xOffset, 'groups stand side by side')
  assert.deepEqual(enc.x.sort, ['D', 'C'])
  assert.deepEqual(valuesOf(grouped).map((r) => r.value), [3, 1, 2])
  assertValidSpec(barSpec({ title: 'Genres', xTitle: 'Genre', yTitle: 'Tracks', bars: [{ category: 'pop', value: 5 }], horizontal: true }))
  const empty = barSpec({ title: 'Keys', xTitle: 'Key', yTitle: 'Tracks', bars: [] })
  assertValidSpec(empty)
  assert.ok(isNoData(empty))
})

test('the validity check itself rejects broken specs (so the checks above can fail)', () => {
  assert.throws(() => assertValidSpec({ mark: 'nonsense', data: { values: [] } } as never))
  assert.throws(() => assertValidSpec({ mark: 'bar', data: { values: [] }, encoding: { x: { field: 'a', type: 'quantitative' }, shape: { field: 's', type: 'nominal' } } } as never))
})

test('loss curves: training and, where kept, validation loss per epoch; an empty history says no data', () => {
  const spec = lossCurvesSpec([{ epoch: 1, loss: 0.9, valLoss: 1.1 }, { epoch: 2, loss: 0.6 }, { epoch: 3, loss: 0.5, valLoss: 0.8 }])
  assertValidSpec(spec)
  assert.deepEqual(valuesOf(spec).map((r) => [r.series, r.x, r.y]), [
    ['Training', 1, 0.9], ['Training', 2, 0.6], ['Training', 3, 0.5], ['Validation', 1, 1.1], ['Validation', 3, 0.8],
  ])
  assert.deepEqual([...new Set(valuesOf(lossCurvesSpec([{ epoch: 1, loss: 2 }])).map((r) => r.series))], ['Training'])
  assert.ok(isNoData(lossCurvesSpec([])))
})

test('correlationMatrix agrees with pearson pair by pair, and is 1 on the diagonal', () => {
  const rng = new Rng(11)
  const a = Array.from({ length: 500 }, () => rng.normal())
  const b = a.map((x) => 0.5 * x + rng.normal())
  const c = a.map(() => rng.next())
  const m = correlationMatrix([a, b, c])
  for (const [i, x] of [a, b, c].entries()) {
    close(m[i][i], 1, 1e-12)
    for (const [j, y] of [a, b, c].entries()) close(m[i][j], pearson(x, y), 1e-12)
  }
  assert.ok(Number.isNaN(correlationMatrix([[2, 2, 2], [1, 2, 3]])[0][1]))
})
