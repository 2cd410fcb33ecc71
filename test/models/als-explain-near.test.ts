import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Rng } from '../../src/core/rng.js'
import { explainBasis, explainerNear, scoreExplainer } from '../../src/models/als/explain.js'

// explainerNear (issue 8 §5): a request's seeds change a listener's ALS explaining matrix A = G + Σ (c_e - 1) y_e y_eᵀ
// in a few items, so its factor is the listener's updated by one rank-one change per item instead of factorised
// afresh. The shares must be scoreExplainer's up to rounding; the tolerance here is the one the README states.

const K = 32
const ITEMS = 300
const TOLERANCE = 1e-9

function fixture(seed: number) {
  const rng = new Rng(seed)
  const y = Float32Array.from({ length: ITEMS * K }, () => rng.next() - 0.5)
  // G = YᵀY + λI, as foldInGram makes it (f32).
  const gram = new Float32Array(K * K)
  for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) {
    let s = 0
    for (let i = 0; i < ITEMS; i++) s += y[i * K + a] * y[i * K + b]
    gram[a * K + b] = s + (a === b ? 5 : 0)
  }
  return { rng, y, gram }
}

/** A history: sorted distinct items with their confidences (f32, as ALS makes them). */
function history(entries: [number, number][]): { items: Int32Array; conf: Float32Array } {
  const sorted = [...entries].sort((a, b) => a[0] - b[0])
  return { items: Int32Array.from(sorted, (e) => e[0]), conf: Float32Array.from(sorted, (e) => e[1]) }
}

function assertClose(got: { item: number; score: number }[], want: { item: number; score: number }[], what: string): void {
  const scale = Math.max(...want.map((w) => Math.abs(w.score)))
  assert.equal(got.length, want.length, what)
  // Same items in the same order, except where two shares are within the tolerance of each other.
  for (let i = 0; i < want.length; i++) {
    if (got[i].item !== want[i].item) {
      const other = want.find((w) => w.item === got[i].item)!
      assert.ok(Math.abs(other.score - want[i].score) <= TOLERANCE * scale, `${what}: rank ${i} is ${got[i].item}, not ${want[i].item}, and their shares are not tied`)
    }
    const same = want.find((w) => w.item === got[i].item)!
    assert.ok(Math.abs(got[i].score - same.score) <= TOLERANCE * scale, `${what}: item ${got[i].item} share ${got[i].score} against ${same.score}`)
  }
}

test('a seed added, a seed raising an item the history has, one lowering it, several at once: scoreExplainer shares', () => {
  const { rng, y, gram } = fixture(3)
  const base: [number, number][] = Array.from({ length: 12 }, (_, i) => [i * 23 + 1, 1 + 20 * rng.next()])
  const basis = explainBasis(gram, y, K, history(base).items, history(base).conf)
  const cases: [string, [number, number][]][] = [
    ['a new item', [...base, [7, 4.5]]],
    ['a raised item', base.map(([item, c], i) => [item, i === 3 ? c + 8 : c])],
    ['a lowered item (a downdate)', base.map(([item, c], i) => [item, i === 5 ? 1 + (c - 1) / 3 : c])],
    ['an item gone', base.slice(1)],
    ['three new items and a raised one', [...base.map(([item, c], i): [number, number] => [item, i === 0 ? c * 2 : c]), [2, 3], [50, 9], [299, 1.5]]],
    ['many changes (factorised afresh)', [...base, ...Array.from({ length: 8 }, (_, i): [number, number] => [i * 31 + 4, 2 + i])]],
  ]
  let compared = 0
  for (const [what, entries] of cases) {
    const { items, conf } = history(entries)
    const near = explainerNear(basis, gram, y, K, items, conf)
    const full = scoreExplainer(gram, y, K, items, conf)
    for (const target of [0, 7, 100, 250]) {
      assertClose(near(target, 5, 0.7), full(target, 5, 0.7), `${what}, target ${target}`)
      compared++
    }
  }
  assert.equal(compared, 24)
})

test('the updated factor is not the basis factor: a seed changes the shares (the comparison above can tell)', () => {
  const { y, gram } = fixture(5)
  const base = history([[1, 3], [40, 8], [90, 2]])
  const basis = explainBasis(gram, y, K, base.items, base.conf)
  const seeded = history([[1, 3], [40, 8], [90, 2], [120, 30]])
  const near = explainerNear(basis, gram, y, K, seeded.items, seeded.conf)(200, 4, 1)
  const stale = scoreExplainer(gram, y, K, seeded.items, Float32Array.from([3, 8, 2, 1]))(200, 4, 1)
  assert.notDeepEqual(near, stale)
  assertClose(near, scoreExplainer(gram, y, K, seeded.items, seeded.conf)(200, 4, 1), 'seeded')
})
