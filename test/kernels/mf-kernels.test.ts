// One suite for both factorisation backends, each checked against naive reference code written out below.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Rng } from '../../src/core/rng.js'
import { createMfKernel, resolveMfBackend } from '../../src/kernels/mf-backend.js'

const backends = ['ts', 'wasm'] as const

function randomMatrix(rows: number, k: number, seed: number): Float32Array {
  const rng = new Rng(seed)
  return Float32Array.from({ length: rows * k }, () => rng.normal() * 0.5)
}

function near(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`)
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol * (1 + Math.abs(b[i])), `${what}[${i}]: ${a[i]} vs ${b[i]}`)
}

/** Dense solve of A x = b by Gaussian elimination with partial pivoting, in f64. */
function solveDense(a: number[][], b: number[]): number[] {
  const n = b.length
  const m = a.map((row, i) => [...row, b[i]])
  for (let c = 0; c < n; c++) {
    let piv = c
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[piv][c])) piv = r
    ;[m[c], m[piv]] = [m[piv], m[c]]
    for (let r = 0; r < n; r++) {
      if (r === c) continue
      const f = m[r][c] / m[c][c]
      for (let j = c; j <= n; j++) m[r][j] -= f * m[c][j]
    }
  }
  return m.map((row, i) => row[n] / row[i])
}

for (const backend of backends) {
  const skip = backend === 'wasm' && resolveMfBackend('auto') !== 'wasm' ? 'build/mf.wasm is not built' : false

  test(`mf kernel ${backend}: gram equals the naive YᵀY (k = 7 covers the scalar tail)`, { skip }, () => {
    const k = 7, rows = 30
    const y = randomMatrix(rows, k, 1)
    const kernel = createMfKernel(backend)
    kernel.setFixed(y, rows, k)
    const want = new Float64Array(k * k)
    for (let r = 0; r < rows; r++) for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) want[a * k + b] += y[r * k + a] * y[r * k + b]
    near(kernel.gram(), want, 1e-5, 'gram')
  })

  test(`mf kernel ${backend}: k CG steps solve the implicit normal equations exactly`, { skip }, () => {
    const k = 6, items = 20, reg = 0.1
    const y = randomMatrix(items, k, 2)
    const kernel = createMfKernel(backend)
    kernel.setFixed(y, items, k)
    const g = kernel.gram()
    for (let d = 0; d < k; d++) g[d * k + d] += reg
    // Two rows, the second starting at entry 3 of a larger matrix (a slice); the first row is left empty.
    const indptr = Int32Array.from([3, 3, 7])
    const indices = Int32Array.from([0, 0, 0, 1, 4, 9, 15])
    const conf = Float32Array.from([0, 0, 0, 2, 5, 1.5, 41])
    const x = randomMatrix(2, k, 3)
    kernel.cgSolve({ x, indptr, indices, conf }, g, 3 * k)
    const a = Array.from({ length: k }, (_, r) => Array.from({ length: k }, (_, c) => g[r * k + c]))
    const b = new Array(k).fill(0)
    for (let e = 3; e < 7; e++) {
      const yi = y.subarray(indices[e] * k, indices[e] * k + k)
      for (let r = 0; r < k; r++) {
        b[r] += conf[e] * yi[r]
        for (let c = 0; c < k; c++) a[r][c] += (conf[e] - 1) * yi[r] * yi[c]
      }
    }
    near(x.subarray(k), solveDense(a, b), 1e-3, 'row 1')
    near(x.subarray(0, k), new Array(k).fill(0), 1e-3, 'empty row goes to zero')
  })

  test(`mf kernel ${backend}: scores and recommend match a naive scan with exclusions and ties`, { skip }, () => {
    const k = 9, items = 301, m = 5, top = 4
    const v = randomMatrix(items, k, 4)
    v.copyWithin(200 * k, 100 * k, 101 * k) // item 200 ties item 100: the lower id must come first
    const u = randomMatrix(m, k, 5)
    const kernel = createMfKernel(backend)
    kernel.setFixed(v, items, k)
    const seenPtr = Int32Array.from([1, 1, 3, 3, 4, 4])
    const seen = Int32Array.from([-1, 7, 100, 300])
    const want = naiveTop(u, v, k, items, m, top, (a, i) => seen.subarray(seenPtr[a], seenPtr[a + 1]).includes(i))
    const scores = kernel.scores(u, m)
    for (let a = 0; a < m; a++) for (let i = 0; i < items; i++) assert.ok(Math.abs(scores[a * items + i] - dotNaive(u, a, v, i, k)) < 1e-4)
    const got = kernel.recommend(u, m, seenPtr, seen, top)
    for (let a = 0; a < m; a++) {
      assert.equal(got.counts[a], top)
      assert.deepEqual(Array.from(got.items.subarray(a * top, a * top + top)), want[a], `user ${a}`)
    }
    const onlyTwo = kernel.recommend(u, 1, Int32Array.from([0, 299]), Int32Array.from({ length: 299 }, (_, i) => i), 5)
    assert.deepEqual(Array.from(onlyTwo.items.subarray(0, onlyTwo.counts[0])).sort(), [299, 300], 'fewer left than asked')
  })

  test(`mf kernel ${backend}: recommend keeps the exact top for every n on random scores`, { skip }, () => {
    const k = 4, items = 257, m = 9
    const v = randomMatrix(items, k, 8), u = randomMatrix(m, k, 9)
    const kernel = createMfKernel(backend)
    kernel.setFixed(v, items, k)
    const none = new Int32Array(m + 1)
    for (const top of [1, 2, 3, 5, 7, 16]) {
      const want = naiveTop(u, v, k, items, m, top, () => false)
      const got = kernel.recommend(u, m, none, new Int32Array(0), top)
      for (let a = 0; a < m; a++) assert.deepEqual(Array.from(got.items.subarray(a * top, a * top + top)), want[a], `top ${top} user ${a}`)
    }
  })

  test(`mf kernel ${backend}: recommend over rows sorted by norm stops early yet returns the exact top`, { skip }, () => {
    const k = 8, items = 3000, m = 7, top = 10
    const rng = new Rng(12)
    // Popular-like items: a few long vectors, a long tail of short ones, as trained factors look.
    const v = Float32Array.from({ length: items * k }, (_, x) => rng.normal() * (1 + 20 * Math.exp(-Math.floor(x / k) / 40)))
    v.copyWithin(2 * k, 1 * k, 2 * k) // items 1 and 2 tie everywhere: the lower id must win
    const u = randomMatrix(m, k, 13)
    const norm = (i: number) => Math.hypot(...v.subarray(i * k, i * k + k))
    const perm = Int32Array.from({ length: items }, (_, i) => i).sort((a, b) => norm(b) - norm(a) || a - b)
    const pos = new Int32Array(items)
    perm.forEach((item, r) => (pos[item] = r))
    const sorted = new Float32Array(items * k)
    perm.forEach((item, r) => sorted.set(v.subarray(item * k, item * k + k), r * k))
    const seenItems = [[], [1, 5, 17], [2], [0, 1, 2, 3], [], [2999], [10, 11]]
    const seenPtr = Int32Array.from([0, ...seenItems.map((_, a) => seenItems.slice(0, a + 1).flat().length)])
    const seenPos = Int32Array.from(seenItems.flatMap((list) => list.map((i) => pos[i]).sort((a, b) => a - b)))
    const want = naiveTop(u, v, k, items, m, top, (a, i) => seenItems[a].includes(i))
    const kernel = createMfKernel(backend)
    kernel.setFixed(sorted, items, k)
    const got = kernel.recommend(u, m, seenPtr, seenPos, top, { perm, norms: Float32Array.from(perm, norm) })
    for (let a = 0; a < m; a++) assert.deepEqual(Array.from(got.items.subarray(a * top, a * top + top)), want[a], `user ${a}`)
  })

  test(`mf kernel ${backend}: BPR steps follow Rendle's update`, { skip }, () => {
    const k = 5, users = 3, items = 4
    const u = randomMatrix(users, k, 6), v = randomMatrix(items, k, 7), bias = Float32Array.from([0.1, -0.2, 0, 0.3])
    const ru = Array.from(u), rv = Array.from(v), rb = Array.from(bias)
    const triples = Int32Array.from([0, 1, 2, 2, 3, 0, 0, 1, 3])
    const lr = 0.05, reg = 0.01
    let wantLogLik = 0
    for (let s = 0; s < 3; s++) wantLogLik += naiveBprStep(ru, rv, rb, k, triples[3 * s], triples[3 * s + 1], triples[3 * s + 2], lr, reg)
    const session = createMfKernel(backend).bpr(u, v, bias, k)
    const logLik = session.steps(triples, 3, lr, reg)
    session.finish()
    assert.ok(Math.abs(logLik - wantLogLik) < 1e-4)
    near(u, ru, 1e-5, 'u')
    near(v, rv, 1e-5, 'v')
    near(bias, rb, 1e-5, 'bias')
  })
}

function dotNaive(u: Float32Array, a: number, v: Float32Array, i: number, k: number): number {
  let s = 0
  for (let d = 0; d < k; d++) s += u[a * k + d] * v[i * k + d]
  return s
}

function naiveTop(u: Float32Array, v: Float32Array, k: number, items: number, m: number, top: number, excluded: (a: number, i: number) => boolean): number[][] {
  return Array.from({ length: m }, (_, a) =>
    Array.from({ length: items }, (_, i) => i)
      .filter((i) => !excluded(a, i))
      .map((i) => ({ i, s: Math.fround(dotNaive(u, a, v, i, k)) }))
      .sort((x, y) => y.s - x.s || x.i - y.i)
      .slice(0, top)
      .map((x) => x.i),
  )
}

function naiveBprStep(u: number[], v: number[], b: number[], k: number, uu: number, i: number, j: number, lr: number, reg: number): number {
  let x = b[i] - b[j]
  for (let d = 0; d < k; d++) x += u[uu * k + d] * (v[i * k + d] - v[j * k + d])
  const z = 1 / (1 + Math.exp(x))
  for (let d = 0; d < k; d++) {
    const uo = u[uu * k + d], vi = v[i * k + d], vj = v[j * k + d]
    u[uu * k + d] += lr * (z * (vi - vj) - reg * uo)
    v[i * k + d] += lr * (z * uo - reg * vi)
    v[j * k + d] += lr * (-z * uo - reg * vj)
  }
  b[i] += lr * (z - reg * b[i])
  b[j] += lr * (-z - reg * b[j])
  return -Math.log1p(Math.exp(-x))
}
