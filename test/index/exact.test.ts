import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createExactIndex, type ExactIndex } from '../../src/index/exact.js'
import { METRICS, type Metric, type Neighbour } from '../../src/index/types.js'
import { naiveDistances, naiveKnn, randomMatrix, tiedMatrix } from '../kernels/naive-knn.js'

const TOLERANCE = 1e-5
const BACKENDS = ['ts', 'wasm'] as const

/**
 * Checks `got` against the naive answer. Distances must agree position by position; a returned row must be the
 * naive one wherever that distance is unambiguous, and wherever it is tied its own true distance must equal
 * the reported one (so a tied row may stand in for another, but no wrong row can).
 */
function assertMatchesNaive(got: Neighbour[], data: Float32Array, dims: number, metric: Metric, query: Float32Array, k: number): void {
  const truth = naiveDistances(data, dims, metric, query)
  const sorted = [...truth].sort((a, b) => a - b)
  const want = naiveKnn(data, dims, metric, query, k)
  assert.equal(got.length, want.length, 'number of neighbours')
  got.forEach((hit, i) => {
    const near = (a: number, b: number) => Math.abs(a - b) <= TOLERANCE * Math.max(1, Math.abs(b))
    assert.ok(near(hit.distance, want[i].distance), `distance ${i}: ${hit.distance} vs ${want[i].distance}`)
    assert.ok(near(hit.distance, truth[hit.index]), `row ${hit.index} reported at ${hit.distance}, is ${truth[hit.index]}`)
    const unique = sorted.filter((d) => near(d, want[i].distance)).length === 1
    if (unique) assert.equal(hit.index, want[i].index, `row at position ${i}`)
  })
  assert.equal(new Set(got.map((h) => h.index)).size, got.length, 'no row twice')
}

function queriesFrom(n: number, dims: number, seed: number): Float32Array {
  return randomMatrix(n, dims, seed)
}

for (const backend of BACKENDS) {
  describe(`exact index (${backend} backend)`, () => {
    const open: ExactIndex[] = []
    const build = (data: Float32Array, dims: number, metric: Metric, threads = 1) => {
      const index = createExactIndex(data, dims, metric, { backend, threads })
      open.push(index)
      return index
    }
    after(async () => Promise.all(open.map((ix) => ix.close())))

    it('uses the backend asked for', () => {
      assert.equal(build(randomMatrix(5, 3, 1), 3, 'euclidean').backend, backend)
    })

    for (const metric of METRICS) {
      for (const dims of [1, 3, 12, 13, 127]) {
        it(`${metric}, ${dims} dims, n not a multiple of 4: matches the naive answer`, () => {
          const n = 4 * 53 + 3
          const data = randomMatrix(n, dims, 7 * dims + 1)
          const index = build(data, dims, metric)
          const queries = queriesFrom(6, dims, 99 + dims)
          for (let q = 0; q < 6; q++) {
            const query = queries.subarray(q * dims, (q + 1) * dims)
            for (const k of [1, 10, 37]) assertMatchesNaive(index.search(query, k), data, dims, metric, query, k)
          }
        })
      }

      it(`${metric}: k larger than n returns every row, sorted`, () => {
        const data = randomMatrix(7, 5, 3)
        const query = queriesFrom(1, 5, 4)
        const got = build(data, 5, metric).search(query, 50)
        assert.equal(got.length, 7)
        assertMatchesNaive(got, data, 5, metric, query, 50)
      })

      it(`${metric}: ties (duplicate rows, integer values) give the naive distances`, () => {
        const dims = 6
        const data = tiedMatrix(301, dims, 3, 11)
        const index = build(data, dims, metric)
        for (let q = 0; q < 10; q++) {
          const query = data.slice(q * 13 * dims, (q * 13 + 1) * dims)
          assertMatchesNaive(index.search(query, 25), data, dims, metric, query, 25)
        }
      })

      it(`${metric}: a row finds itself first`, () => {
        const data = randomMatrix(1001, 12, 5)
        const index = build(data, 12, metric)
        for (const row of [0, 3, 500, 1000]) {
          assert.equal(index.search(data.subarray(row * 12, (row + 1) * 12), 1)[0].index, row)
        }
      })
    }

    it('k = 0 and an empty index give no neighbours', () => {
      assert.deepEqual(build(randomMatrix(9, 3, 1), 3, 'euclidean').search(new Float32Array(3), 0), [])
      assert.deepEqual(build(new Float32Array(0), 3, 'euclidean').search(new Float32Array(3), 5), [])
    })

    it('cosine: zero rows and zero queries are at distance 1, never NaN', () => {
      const data = randomMatrix(40, 4, 8)
      data.fill(0, 8, 12)
      data.fill(0, 36, 40)
      const index = build(data, 4, 'cosine')
      const hits = index.search(data.subarray(0, 4), 40)
      assert.ok(hits.every((h) => Number.isFinite(h.distance)))
      assertMatchesNaive(hits, data, 4, 'cosine', data.subarray(0, 4), 40)
      const fromZero = index.search(new Float32Array(4), 5)
      assert.deepEqual(fromZero, [0, 1, 2, 3, 4].map((index) => ({ index, distance: 1 })))
    })

    for (const threads of [1, 2]) {
      it(`batch search equals single search (${threads} thread${threads > 1 ? 's' : ''})`, async () => {
        for (const metric of METRICS) {
          const dims = 13
          const data = randomMatrix(2003, dims, 21)
          const index = build(data, dims, metric, threads)
          const queries = queriesFrom(57, dims, 22)
          const batch = await index.searchBatch(queries, 10)
          assert.equal(batch.length, 57)
          batch.forEach((hits, q) => assert.deepEqual(hits, index.search(queries.subarray(q * dims, (q + 1) * dims), 10)))
        }
      })
    }

    it('several chunks of rows and several groups of queries: batch = single = naive', async () => {
      const dims = 12
      const data = randomMatrix(20_001, dims, 31)
      const index = build(data, dims, 'euclidean', 2)
      const queries = queriesFrom(600, dims, 32)
      const batch = await index.searchBatch(queries, 10)
      batch.forEach((hits, q) => assert.deepEqual(hits, index.search(queries.subarray(q * dims, (q + 1) * dims), 10)))
      for (const q of [0, 599]) {
        const query = queries.subarray(q * dims, (q + 1) * dims)
        assertMatchesNaive(batch[q], data, dims, 'euclidean', query, 10)
      }
    })

    it('rejects malformed input with E_BAD_ARGUMENT', () => {
      const index = build(randomMatrix(10, 3, 1), 3, 'euclidean')
      assert.throws(() => index.search(new Float32Array(4), 1), { code: 'E_BAD_ARGUMENT' })
      assert.throws(() => index.search(new Float32Array(3), -1), { code: 'E_BAD_ARGUMENT' })
      assert.throws(() => createExactIndex(new Float32Array(7), 3, 'euclidean', { backend }), { code: 'E_BAD_ARGUMENT' })
      assert.throws(() => createExactIndex(new Float32Array(6), 3, 'hamming' as Metric, { backend }), { code: 'E_BAD_ARGUMENT' })
      assert.throws(() => createExactIndex(new Float32Array([1, 2, NaN]), 3, 'euclidean', { backend }), /row 0 column 2 is NaN/)
      assert.throws(() => index.search(new Float32Array([0, Infinity, 0]), 1), { code: 'E_BAD_ARGUMENT' })
    })
  })
}

describe('exact index: choosing a backend', () => {
  it("'auto' picks WASM here, where the module is built", async () => {
    const index = createExactIndex(randomMatrix(10, 3, 1), 3, 'euclidean')
    assert.equal(index.backend, 'wasm')
    await index.close()
  })

  it('rejects an unknown backend and a bad thread count', () => {
    const data = randomMatrix(10, 3, 1)
    assert.throws(() => createExactIndex(data, 3, 'euclidean', { backend: 'gpu' as 'ts' }), { code: 'E_BAD_ARGUMENT' })
    assert.throws(() => createExactIndex(data, 3, 'euclidean', { threads: 0 }), { code: 'E_BAD_ARGUMENT' })
  })
})

describe('exact index: closing', () => {
  it('close() stops the workers and the index refuses further use', async () => {
    const index = createExactIndex(randomMatrix(100, 3, 1), 3, 'euclidean', { threads: 2 })
    await index.searchBatch(randomMatrix(8, 3, 2), 3)
    await index.close()
    assert.throws(() => index.search(new Float32Array(3), 1), { code: 'E_BAD_ARGUMENT' })
  })
})
