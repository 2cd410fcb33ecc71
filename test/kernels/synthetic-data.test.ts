// Tests src/data/synthetic.ts, the generator behind the exact-search benchmarks' 600k set.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { columnStats, synthesizeLike } from '../../src/data/synthetic.js'
import { randomMatrix } from './naive-knn.js'

/** Correlation of columns a and b. */
function correlation(data: Float32Array, dims: number, a: number, b: number): number {
  const { mean, std } = columnStats(data, dims)
  let s = 0
  for (let r = 0; r < data.length / dims; r++) s += (data[r * dims + a] - mean[a]) * (data[r * dims + b] - mean[b])
  return s / (data.length / dims) / (std[a] * std[b])
}

describe('synthesizeLike', () => {
  // Real-like data: column 1 follows column 0, column 2 has its own scale and offset.
  const real = randomMatrix(3000, 3, 5)
  for (let r = 0; r < 3000; r++) {
    real[r * 3 + 1] = 0.8 * real[r * 3] + 0.2 * real[r * 3 + 1]
    real[r * 3 + 2] = 100 + 10 * real[r * 3 + 2]
  }

  it('is deterministic for a seed and differs between seeds', () => {
    assert.deepEqual(synthesizeLike(real, 3, 100, 1), synthesizeLike(real, 3, 100, 1))
    assert.notDeepEqual(synthesizeLike(real, 3, 100, 1), synthesizeLike(real, 3, 100, 2))
  })

  it('keeps column means, spreads and correlations', () => {
    const fake = synthesizeLike(real, 3, 20000, 7)
    const want = columnStats(real, 3)
    const got = columnStats(fake, 3)
    for (let c = 0; c < 3; c++) {
      assert.ok(Math.abs(got.mean[c] - want.mean[c]) < 0.05 * want.std[c], `mean of column ${c}`)
      assert.ok(Math.abs(got.std[c] / want.std[c] - 1) < 0.05, `spread of column ${c}`)
    }
    assert.ok(Math.abs(correlation(fake, 3, 0, 1) - correlation(real, 3, 0, 1)) < 0.03)
  })

  it('jitters rows so that no two are equal', () => {
    const fake = synthesizeLike(real.subarray(0, 30), 3, 300, 3)
    const keys = new Set<string>()
    for (let r = 0; r < 300; r++) keys.add(fake.subarray(r * 3, r * 3 + 3).join(','))
    assert.equal(keys.size, 300)
  })
})
