import { test } from 'node:test'
import assert from 'node:assert/strict'
import { applyNumeric, fitNumeric, iqrFences, preScale } from '../../src/features/numeric-column.js'
import { applyScaler, fitScaler } from '../../src/features/scalers.js'
import { quantileSorted, skewness, std } from '../../src/features/stats.js'
import { assertClose } from './feature-helpers.js'

const f64 = (xs: number[]) => Float64Array.from(xs)

test('quantiles interpolate linearly between closest ranks', () => {
  const sorted = f64([1, 2, 3, 4])
  assert.equal(quantileSorted(sorted, 0.25), 1.75)
  assert.equal(quantileSorted(sorted, 0.5), 2.5)
  assert.equal(quantileSorted(sorted, 0.75), 3.25)
  assert.equal(quantileSorted(sorted, 1), 4)
})

test('standard scaler uses the mean and the population std', () => {
  const p = fitScaler('standard', f64([2, 4, 4, 4, 5, 5, 7, 9]))
  assert.deepEqual(p, { center: 5, scale: 2 })
  assert.equal(applyScaler(p, 9), 2)
})

test('robust scaler uses the median and the IQR', () => {
  const p = fitScaler('robust', f64([0.1, 0.2, 0.3, 0.4, 1.0]))
  assert.equal(p.center, 0.3)
  assert.ok(Math.abs(p.scale - 0.2) < 1e-12)
  assertClose([applyScaler(p, 1.0), applyScaler(p, 0.1)], [3.5, -1], 1e-12)
})

test('min-max scaler maps the training range onto [0, 1]', () => {
  const p = fitScaler('minmax', f64([3, 5, 11]))
  assert.deepEqual(p, { center: 3, scale: 8 })
  assert.deepEqual([3, 5, 11].map((x) => applyScaler(p, x)), [0, 0.25, 1])
})

test('a column without spread gets scale 1, not a division by zero', () => {
  for (const kind of ['standard', 'robust', 'minmax'] as const) {
    assert.deepEqual(fitScaler(kind, f64([4, 4, 4])), { center: 4, scale: 1 }, kind)
  }
})

test('skewness: zero when symmetric, positive with a long right tail', () => {
  assert.equal(skewness(f64([1, 2, 3])), 0)
  // 9 zeros and one 1: m2 = 0.09, m3 = 0.072, g1 = 0.072 / 0.027 = 8/3.
  assert.ok(Math.abs(skewness(f64([0, 0, 0, 0, 0, 0, 0, 0, 0, 1])) - 8 / 3) < 1e-12)
  assert.ok(skewness(f64([0, 1, 1, 1, 1, 1, 1, 1, 1, 1])) < -1)
  assert.equal(std(f64([7])), 0)
})

test('IQR fences are Q1 - 1.5 IQR and Q3 + 1.5 IQR', () => {
  const { lo, hi } = iqrFences(f64([1, 2, 3, 4, 100]))
  // Q1 = 2, Q3 = 4, IQR = 2.
  assert.equal(lo, -1)
  assert.equal(hi, 7)
})

test('a column whose IQR is 0 is not capped, so its rare values survive', () => {
  assert.deepEqual(iqrFences(f64([4, 4, 4, 4, 3])), { lo: -Infinity, hi: Infinity })
})

test('capping clips before scaling, and scaling is fitted on the capped values', () => {
  const p = fitNumeric(f64([0.1, 0.2, 0.3, 0.4, 1.0]), { log: false, cap: true, scaler: 'robust' })
  // Fences: Q1 0.2, Q3 0.4, IQR 0.2 -> [-0.1, 0.7]; 1.0 becomes 0.7, which is (0.7 - 0.3) / 0.2 = 2.
  assertClose([p.lo, p.hi], [-0.1, 0.7], 1e-12)
  assertClose([applyNumeric(p, 1.0), applyNumeric(p, 5), applyNumeric(p, -3)], [2, 2, -2], 1e-12)
  assert.equal(preScale(p, 0.25), 0.25)
})

test('log1p is applied first, and negative inputs are clamped to 0 before it', () => {
  const p = fitNumeric(f64([0, Math.E - 1]), { log: true, cap: false, scaler: 'standard' })
  // log1p -> [0, 1]: mean 0.5, std 0.5.
  assertClose([p.center, p.scale], [0.5, 0.5], 1e-12)
  assertClose([applyNumeric(p, Math.E - 1), applyNumeric(p, -5)], [1, -1], 1e-12)
})
