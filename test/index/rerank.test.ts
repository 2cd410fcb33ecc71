import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Rng } from '../../src/core/rng.js'
import { createExactIndex } from '../../src/index/exact.js'
import { createHnswIndex, loadHnswIndex } from '../../src/index/hnsw.js'
import { RerankedIndex } from '../../src/index/rerank.js'
import type { Metric } from '../../src/index/types.js'

const DIMS = 48
const N = 3000

/** Clustered data: 30 centres with noise, the shape real feature vectors have. */
function clustered(seed: number): Float32Array {
  const rng = new Rng(seed)
  const centres = Array.from({ length: 30 }, () => Float32Array.from({ length: DIMS }, () => rng.next() * 2 - 1))
  const out = new Float32Array(N * DIMS)
  for (let i = 0; i < N; i++) {
    const c = centres[i % 30]
    for (let j = 0; j < DIMS; j++) out[i * DIMS + j] = c[j] + (rng.next() - 0.5) * 0.6
  }
  return out
}

for (const metric of ['cosine', 'euclidean'] as Metric[]) {
  test(`i8 HNSW re-ranked exactly (${metric}): true distances, sorted, and recall@10 >= 0.95 against exact search`, async () => {
    const data = clustered(11)
    const exact = createExactIndex(data, DIMS, metric, { backend: 'ts' })
    const i8 = await createHnswIndex(data, DIMS, metric, { quantization: 'i8', ef: 64, threads: 1 })
    const index = new RerankedIndex(i8, data)
    assert.equal(index.kind.endsWith('+rerank'), true)
    let found = 0
    for (let q = 0; q < 200; q++) {
      const query = data.subarray(q * 13 * DIMS, (q * 13 + 1) * DIMS)
      const truth = exact.search(query, 10)
      const hits = index.search(query, 20).slice(0, 10)
      const byIndex = new Map(exact.search(query, N).map((h) => [h.index, h.distance]))
      for (let i = 0; i < hits.length; i++) {
        assert.ok(Math.abs(hits[i].distance - byIndex.get(hits[i].index)!) < 1e-4, 'the exact distance, not the i8 estimate')
        if (i > 0) assert.ok(hits[i - 1].distance <= hits[i].distance)
      }
      const want = new Set(truth.map((h) => h.index))
      found += hits.filter((h) => want.has(h.index)).length
    }
    assert.ok(found / 2000 >= 0.95, `recall@10 ${found / 2000}`)
    const batch = await index.searchBatch(data.subarray(0, 2 * DIMS), 5)
    assert.deepEqual(batch[0], index.search(data.subarray(0, DIMS), 5))
    await index.close()
    await exact.close()
  })
}

test('i8 quantization survives a save and reload, and is refused for hnswlib', async () => {
  const data = clustered(5)
  const built = await createHnswIndex(data, DIMS, 'cosine', { quantization: 'i8', threads: 1 })
  assert.equal(built.params.quantization, 'i8')
  const again = loadHnswIndex(built.serialize(), built.params)
  assert.deepEqual(again.search(data.subarray(0, DIMS), 5), built.search(data.subarray(0, DIMS), 5))
  await assert.rejects(() => createHnswIndex(data, DIMS, 'cosine', { backend: 'hnswlib', quantization: 'i8' }), /needs the usearch backend/)
  await assert.rejects(() => createHnswIndex(data, DIMS, 'cosine', { quantization: 'i4' as never }), /quantization must be one of/)
  await built.close()
  await again.close()
})
