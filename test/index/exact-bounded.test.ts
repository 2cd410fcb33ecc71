import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { SparseExactIndex, toSparseRows } from '../../src/index/exact-sparse.js'
import type { Neighbour } from '../../src/index/types.js'
import { Rng } from '../../src/core/rng.js'

// The bounded cosine search (SparseExactIndex.search with metric 'cosine') against a scan of every row done
// here by hand in the same arithmetic: the answers must be the same rows at the same distances, bit for bit.

/** Every row's cosine distance, summed over the row's non-zero values in column order, as the full scan does. */
function scanAll(data: Float32Array, dims: number, q: Float32Array, k: number): Neighbour[] {
  const n = data.length / dims
  let qq = 0
  for (let j = 0; j < dims; j++) qq += q[j] * q[j]
  const qNorm = Math.sqrt(qq)
  const all: Neighbour[] = []
  for (let r = 0; r < n; r++) {
    let acc = 0
    let rr = 0
    for (let j = 0; j < dims; j++) {
      const v = data[r * dims + j]
      if (v === 0) continue
      acc += v * q[j]
      rr += v * v
    }
    const norm = Math.sqrt(rr)
    all.push({ index: r, distance: qNorm > 0 && norm > 0 ? 1 - acc / (qNorm * norm) : 1 })
  }
  return all.sort((a, b) => a.distance - b.distance || a.index - b.index).slice(0, k)
}

/**
 * Rows shaped like the pipeline's: `dense` centred audio columns, then one-hot genre columns (a row has one
 * genre, some two) and a few artist columns, each block scaled to unit norm.
 */
function catalogueLike(n: number, rng: Rng, opts: { dense?: number; genres?: number; artists?: number; loud?: boolean } = {}): { data: Float32Array; dims: number } {
  const dense = opts.dense ?? 13
  const genres = opts.genres ?? 40
  const artists = opts.artists ?? 30
  const dims = dense + genres + artists
  const data = new Float32Array(n * dims)
  for (let r = 0; r < n; r++) {
    const o = r * dims
    // As the pipeline scales them (total variance 1), or 'loud': a sound that outweighs the genres, so the
    // bound prunes little and the walk goes far.
    for (let j = 0; j < dense; j++) data[o + j] = opts.loud ? (rng.next() * 2 - 1) * (j === 0 ? 3 : 0.5) : rng.normal() / Math.sqrt(dense)
    const g = [Math.floor(rng.next() * genres)]
    if (rng.next() < 0.2) g.push(Math.floor(rng.next() * genres))
    for (const x of g) data[o + dense + x] = 1 / Math.sqrt(g.length)
    if (rng.next() < 0.15) data[o + dense + genres + Math.floor(rng.next() * artists)] = 0.5
  }
  return { data, dims }
}

/** The index with the bounded search's tables laid out (scoredShare does), so that every search uses them. */
function bounded(index: SparseExactIndex): SparseExactIndex {
  index.scoredShare()
  return index
}

function check(index: SparseExactIndex, data: Float32Array, dims: number, q: Float32Array, k: number, what: string): void {
  const got = index.search(q, k)
  const want = scanAll(data, dims, q, k)
  assert.equal(got.length, want.length, `${what}: length`)
  got.forEach((h, i) => {
    assert.equal(h.index, want[i].index, `${what}: row at #${i}`)
    assert.equal(h.distance, want[i].distance, `${what}: distance at #${i}`)
  })
}

describe('SparseExactIndex: bounded cosine search', () => {
  it('a known answer: a row of another genre enters when its sound earns it, ties in row order', () => {
    // dims: 2 audio, 12 genres. Rows 0-2 are genre A, row 3 genre B with the query's exact sound; 30 rows of
    // other genres sound opposite (so no genre column is dense and every one of them ranks last).
    const dims = 14
    const data = new Float32Array(34 * dims)
    data.set([1, 0, 1], 0)
    data.set([0.8, 0.2, 1], dims)
    data.set([0, 1, 1], 2 * dims)
    data.set([1, 0, 0, 1], 3 * dims)
    for (let r = 4; r < 34; r++) data.set([-1, -0.5], r * dims), (data[r * dims + 4 + (r % 10)] = 1)
    const index = new SparseExactIndex(toSparseRows(data, dims), 'cosine')
    const q = data.slice(0, dims)
    // The first queries scan every row (a one-shot pays for no tables); the answer is the same either way.
    const scanned = index.search(q, 4)
    assert.equal(index.scored, 0)
    bounded(index)
    const got = index.search(q, 4)
    assert.ok(index.scored > 0)
    assert.deepEqual(got, scanned)
    // Row 1 shares the genre and nearly the sound. Rows 2 (the genre, another sound) and 3 (the sound, another
    // genre) both have q.r = 1 and |r| = sqrt 2: cosine 1/2, tied, so row 2 first.
    assert.deepEqual(got.map((h) => h.index), [0, 1, 2, 3])
    assert.ok(Math.abs(got[0].distance) < 1e-12)
    assert.equal(got[2].distance, got[3].distance)
    assert.ok(Math.abs(got[3].distance - 0.5) < 1e-12)
    check(index, data, dims, q, 34, 'known')
  })

  it('matches the scan of every row bit for bit: rows, profiles, opposite and sparse-only queries, every k', () => {
    const rng = new Rng(7)
    const { data, dims } = catalogueLike(3000, rng, { loud: true })
    const index = bounded(new SparseExactIndex(toSparseRows(data, dims), 'cosine'))
    const n = data.length / dims
    for (let t = 0; t < 60; t++) {
      const r = Math.floor(rng.next() * n)
      const row = data.slice(r * dims, (r + 1) * dims)
      check(index, data, dims, row, 26, `row ${r}`)
      check(index, data, dims, row.map((x) => -x), 10, `row ${r} negated`)
      const profile = new Float32Array(dims)
      for (let m = 0; m < 5; m++) {
        const s = Math.floor(rng.next() * n)
        for (let j = 0; j < dims; j++) profile[j] += data[s * dims + j] / 5
      }
      check(index, data, dims, profile, 1 + (t % 40), `profile ${t}`)
      const genreOnly = new Float32Array(dims)
      genreOnly[13 + (t % 40)] = 1
      check(index, data, dims, genreOnly, 20, `genre ${t % 40} alone`)
    }
    const q = data.slice(0, dims)
    for (const k of [0, 1, 500, n, n + 5]) check(index, data, dims, q, k, `k ${k}`)

    // Dense columns after sparse ones (as the era block follows the artist terms): no leading dense block.
    const rotated = new Float32Array(data.length)
    const shift = 20
    for (let r = 0; r < n; r++) for (let j = 0; j < dims; j++) rotated[r * dims + ((j + shift) % dims)] = data[r * dims + j]
    const turned = bounded(new SparseExactIndex(toSparseRows(rotated, dims), 'cosine'))
    for (let t = 0; t < 20; t++) {
      const r = (t * 149) % n
      check(turned, rotated, dims, rotated.slice(r * dims, (r + 1) * dims), 15, `rotated row ${r}`)
    }
  })

  it('ties: rows with identical vectors come back in row order, across genres and the walk', () => {
    const rng = new Rng(3)
    const { data, dims } = catalogueLike(400, rng)
    // Ten copies of row 0 spread over the matrix, and zero rows.
    for (const r of [17, 50, 120, 121, 199, 250, 300, 333, 390, 399]) data.copyWithin(r * dims, 0, dims)
    for (const r of [5, 6]) data.fill(0, r * dims, (r + 1) * dims)
    const index = bounded(new SparseExactIndex(toSparseRows(data, dims), 'cosine'))
    check(index, data, dims, data.slice(0, dims), 11, 'copies')
    check(index, data, dims, data.slice(0, dims), 400, 'everything')
    // A query with no sound at all: every row sharing none of its genres is at distance exactly 1.
    const q = new Float32Array(dims)
    q[13 + 2] = 1
    check(index, data, dims, q, 300, 'genre-only query past its genre')
    // A zero query: every distance is 1, rows in order.
    assert.deepEqual(index.search(new Float32Array(dims), 3).map((h) => [h.index, h.distance]), [[0, 1], [1, 1], [2, 1]])
  })

  it('prunes: a row query scores a small share of catalogue-like rows, and every row when no column is sparse', () => {
    const rng = new Rng(11)
    // Like the bundled catalogue, a genre holds many more rows than a query asks for (there: about 1,000 each).
    const { data, dims } = catalogueLike(4000, rng, { genres: 10 })
    const index = new SparseExactIndex(toSparseRows(data, dims), 'cosine')
    const share = index.scoredShare()
    // About one genre in ten plus the rows of the walk: most of the matrix is never scored.
    assert.ok(share > 0 && share < 0.2, `scored share ${share}`)
    // Released, the tables are gone: the next queries scan every row again (and answer the same).
    const q = data.slice(0, dims)
    const before = index.search(q, 12)
    index.releaseBounds()
    const scored = index.scored
    assert.deepEqual(index.search(q, 12), before)
    assert.equal(index.scored, scored)
    const denseOnly = catalogueLike(500, rng, { genres: 0, artists: 0 })
    const plain = new SparseExactIndex(toSparseRows(denseOnly.data, denseOnly.dims), 'cosine')
    assert.equal(plain.scoredShare(), 1)
    check(plain, denseOnly.data, denseOnly.dims, denseOnly.data.slice(0, denseOnly.dims), 7, 'dense only')
  })
})
