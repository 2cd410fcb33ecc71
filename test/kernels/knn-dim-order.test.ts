import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { chooseDimensionOrder } from '../../src/kernels/knn-dim-order.js'
import { Rng } from '../../src/core/rng.js'

/** Rows in two far-apart clusters along column `separating`; the other columns are small noise. */
function twoClusters(n: number, dims: number, separating: number): Float32Array {
  const rng = new Rng(9)
  const data = new Float32Array(n * dims)
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < dims; c++) data[r * dims + c] = 0.3 * rng.normal()
    data[r * dims + separating] += r % 2 === 0 ? 5 : -5
  }
  return data
}

describe('chooseDimensionOrder', () => {
  it('is a permutation of the columns', () => {
    const order = chooseDimensionOrder(twoClusters(500, 7, 2), 7, 'squared-l2')
    assert.deepEqual([...order].sort(), [0, 1, 2, 3, 4, 5, 6])
  })

  it('puts first the column that rules out the most rows', () => {
    for (const metric of ['squared-l2', 'l1'] as const) {
      assert.equal(chooseDimensionOrder(twoClusters(2000, 6, 4), 6, metric)[0], 4)
    }
  })

  it('copes with no rows and one column', () => {
    assert.deepEqual(chooseDimensionOrder(new Float32Array(0), 3, 'l1'), [0, 1, 2])
    assert.deepEqual(chooseDimensionOrder(new Float32Array(5), 1, 'l1'), [0])
  })
})
