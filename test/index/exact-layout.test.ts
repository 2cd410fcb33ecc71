import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildLayout } from '../../src/kernels/knn-layout.js'
import { chooseExactOrder, layoutRows, loadExactOrder, saveExactOrder } from '../../src/index/exact-layout.js'
import { createExactIndex } from '../../src/index/exact.js'
import { METRICS } from '../../src/index/types.js'
import { randomMatrix } from '../kernels/naive-knn.js'

/** A sparse matrix like the pipeline's output: most values zero, a few rows entirely zero. */
function sparseMatrix(n: number, dims: number, seed: number): Float32Array {
  const m = randomMatrix(n, dims, seed)
  for (let i = 0; i < m.length; i++) if ((i * 7919 + seed) % 5 !== 0) m[i] = 0
  for (const row of [3, 17, n - 1]) m.fill(0, row * dims, (row + 1) * dims)
  return m
}

const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)

describe('exact index layout filled row by row', () => {
  for (const metric of METRICS) {
    for (const [n, dims] of [[101, 9], [64, 3], [257, 40]] as const) {
      it(`is byte for byte the kernels' layout (${metric}, ${n} x ${dims})`, () => {
        const data = sparseMatrix(n, dims, n + dims)
        const want = buildLayout(data, dims, metric)
        const got = layoutRows(data, dims, metric, chooseExactOrder(data, dims, metric))
        assert.deepEqual([...got.order], [...want.order])
        assert.deepEqual([...got.zeroRows], [...want.zeroRows])
        assert.equal(got.blocks, want.blocks)
        assert.equal(got.tailDims, want.tailDims)
        assert.ok(bits(got.packed).equals(bits(want.packed)), 'packed matrices differ')
      })
    }
  }

  it('rejects NaN and infinite values naming row and column', () => {
    for (const metric of METRICS) {
      const data = sparseMatrix(20, 6, 1)
      data[5 * 6 + 2] = NaN
      assert.throws(() => createExactIndex(data, 6, metric), { code: 'E_BAD_ARGUMENT', message: /row 5 column 2 is NaN/ })
    }
  })

  it('answers the same with a saved order as with a freshly chosen one', () => {
    const data = sparseMatrix(300, 12, 5)
    const fresh = createExactIndex(data, 12, 'cosine', { backend: 'ts' })
    const again = createExactIndex(data, 12, 'cosine', { backend: 'ts', order: fresh.order })
    const q = data.subarray(12, 24)
    assert.deepEqual(again.search(q, 10), fresh.search(q, 10))
  })

  it('saves and loads the order, refusing another key or a damaged file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'segue-exact-order-'))
    try {
      const path = join(dir, 'exact-cosine.art')
      const order = Int32Array.from([2, 0, -1, 1])
      saveExactOrder(path, 'k1', order)
      assert.deepEqual([...loadExactOrder(path, 'k1', 3)], [...order])
      assert.throws(() => loadExactOrder(path, 'k2', 3), { code: 'E_ARTIFACT_VERSION' })
      assert.throws(() => loadExactOrder(path, 'k1', 4), { code: 'E_ARTIFACT_CORRUPT' })
      const bytes = readFileSync(path)
      bytes[bytes.length - 40] ^= 1
      writeFileSync(path, bytes)
      assert.throws(() => loadExactOrder(path, 'k1', 3), { code: 'E_ARTIFACT_CORRUPT' })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
