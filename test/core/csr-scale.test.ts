// csrFromTriples at scale (issue 13, "Large data": ALS setup at 16M interactions). The matrix must be the one a
// plain stable sort gives, bit for bit; and building it must not box every entry into JS arrays, which is what
// made the setup slow (per-row Array.from + comparator sort + map, garbage collected many times over).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PerformanceObserver } from 'node:perf_hooks'
import { csrFromTriples } from '../../src/core/csr.js'
import { Rng } from '../../src/core/rng.js'

/** Shuffled triples with many repeats (columns skewed towards 0, as play counts are towards hits). */
function triples(n: number, rows: number, cols: number, seed: number, skew = 3) {
  const rng = new Rng(seed)
  const r = Int32Array.from({ length: n }, () => Math.floor(rng.next() * rows))
  const c = Int32Array.from({ length: n }, () => Math.floor(rng.next() ** skew * cols))
  const v = Float32Array.from({ length: n }, () => 0.1 + rng.next() * 3)
  return { r, c, v }
}

/** The textbook way: a stable sort of entry numbers by (row, column), repeats summed in f32 in input order. */
function reference(rows: number, cols: number, r: Int32Array, c: Int32Array, v: Float32Array) {
  const order = Array.from({ length: r.length }, (_, i) => i).sort((a, b) => r[a] - r[b] || c[a] - c[b])
  const indptr = new Int32Array(rows + 1), indices: number[] = [], data: number[] = []
  const acc = new Float32Array(1)
  for (const i of order) {
    const last = indices.length - 1
    if (last >= 0 && indices[last] === c[i] && indptr[r[i] + 1] > 0) {
      acc[0] = data[last] + v[i]
      data[last] = acc[0]
    } else {
      indices.push(c[i])
      data.push(v[i])
    }
    indptr[r[i] + 1] = indices.length
  }
  for (let q = 0; q < rows; q++) indptr[q + 1] = Math.max(indptr[q + 1], indptr[q])
  return { indptr, indices: Int32Array.from(indices), data: Float32Array.from(data) }
}

test('csrFromTriples equals a stable sort with repeats summed in input order, bit for bit', () => {
  for (const [n, rows, cols] of [[20_000, 500, 3_000], [30_000, 3, 40_000], [5_000, 4_000, 50]]) {
    const { r, c, v } = triples(n, rows, cols, n)
    const got = csrFromTriples(rows, cols, r, c, v)
    const want = reference(rows, cols, r, c, v)
    assert.deepEqual(got.indptr, want.indptr, `${rows} x ${cols}: indptr`)
    assert.deepEqual(got.indices, want.indices, `${rows} x ${cols}: indices`)
    assert.deepEqual(got.data, want.data, `${rows} x ${cols}: data`)
  }
})

test('csrFromTriples over 1,000,000 shuffled triples runs with few garbage collections (no boxed entries)', async () => {
  const { r, c, v } = triples(1_000_000, 10_000, 50_000, 3, 2)
  let collections = 0
  const observer = new PerformanceObserver((list) => (collections += list.getEntries().length))
  observer.observe({ entryTypes: ['gc'] })
  csrFromTriples(10_000, 50_000, r, c, v)
  await new Promise((resolve) => setTimeout(resolve, 50))
  observer.disconnect()
  // Boxing every entry (the per-row Array.from/sort/map this replaces) took 15 collections here; typed
  // arrays and one reused key buffer take about 3.
  assert.ok(collections <= 8, `${collections} garbage collections while building the CSR`)
})
