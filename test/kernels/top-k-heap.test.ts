import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { TopKHeap } from '../../src/kernels/top-k-heap.js'
import { Rng } from '../../src/core/rng.js'

describe('TopKHeap', () => {
  it('keeps the k smallest of a stream and drains them closest first', () => {
    const rng = new Rng(3)
    const values = Array.from({ length: 500 }, () => Math.fround(rng.next()))
    const heap = new TopKHeap(17)
    values.forEach((v, i) => heap.offer(v, i))
    const dist = new Float32Array(17)
    const rows = new Int32Array(17)
    assert.equal(heap.drainSorted(dist, rows, 0), 17)
    const want = values.map((v, i) => [v, i]).sort((a, b) => a[0] - b[0]).slice(0, 17)
    assert.deepEqual([...dist], want.map((w) => w[0]))
    assert.deepEqual([...rows], want.map((w) => w[1]))
  })

  it('has an infinite threshold until full, then the k-th best', () => {
    const heap = new TopKHeap(2)
    assert.equal(heap.offer(5, 0), Infinity)
    assert.equal(heap.offer(3, 1), 5)
    assert.equal(heap.offer(4, 2), 4)
    assert.equal(heap.offer(9, 3), 4)
  })

  it('drains fewer than k when fewer were offered', () => {
    const heap = new TopKHeap(5)
    heap.offer(2, 7)
    heap.offer(1, 8)
    const dist = new Float32Array(5)
    const rows = new Int32Array(5)
    assert.equal(heap.drainSorted(dist, rows, 0), 2)
    assert.deepEqual([...rows.subarray(0, 2)], [8, 7])
  })
})
