// The WASM ALS kernels (gram, cgSolve) against f32 reference code that rounds every operation as the kernel's
// plain loops did before they were blocked and interleaved for speed: each dot product in dot()'s order (two
// chains of four lanes, then (l0 + l1) + (l2 + l3), then the scalar tail), each update an axpy entry by entry.
// The kernels promise these exact bits (factors do not change with the kernel's speed-ups), so any change
// in summation order fails here. Sizes cover the scalar tails (k = 6, 15), the entry chunks (64 entries per
// chunk, dot products three at a time), a long row (its CG steps touch ahead) and the gram's row blocks (64 rows).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Rng } from '../../src/core/rng.js'
import { createMfKernel, resolveMfBackend } from '../../src/kernels/mf-backend.js'

const skip = resolveMfBackend('auto') !== 'wasm' ? 'build/mf.wasm is not built' : false
const f = Math.fround

function dot32(a: Float32Array, ao: number, b: Float32Array, bo: number, k: number): number {
  const acc0 = [0, 0, 0, 0]
  const acc1 = [0, 0, 0, 0]
  let d = 0
  for (; d + 8 <= k; d += 8) {
    for (let l = 0; l < 4; l++) {
      acc0[l] = f(acc0[l] + f(a[ao + d + l] * b[bo + d + l]))
      acc1[l] = f(acc1[l] + f(a[ao + d + 4 + l] * b[bo + d + 4 + l]))
    }
  }
  for (; d + 4 <= k; d += 4) for (let l = 0; l < 4; l++) acc0[l] = f(acc0[l] + f(a[ao + d + l] * b[bo + d + l]))
  const v = acc0.map((x, l) => f(x + acc1[l]))
  let s = f(f(v[0] + v[1]) + f(v[2] + v[3]))
  for (; d < k; d++) s = f(s + f(a[ao + d] * b[bo + d]))
  return s
}

/** y[yo ..] += alpha x[xo ..], rounded per element. */
function axpy32(alpha: number, x: Float32Array, xo: number, y: Float32Array, yo: number, k: number): void {
  for (let d = 0; d < k; d++) y[yo + d] = f(y[yo + d] + f(alpha * x[xo + d]))
}

function gemv32(g: Float32Array, x: Float32Array, xo: number, k: number, out: Float32Array): void {
  for (let a = 0; a < k; a++) out[a] = dot32(g, a * k, x, xo, k)
}

/** implicit's CG per row (residual, then `steps` steps), every operation rounded to f32. */
function cgSolve32(x: Float32Array, y: Float32Array, indptr: Int32Array, indices: Int32Array, conf: Float32Array, k: number, g: Float32Array, steps: number): void {
  const res = new Float32Array(k), p = new Float32Array(k), ap = new Float32Array(k)
  const tiny = f(1e-20)
  for (let r = 0; r + 1 < indptr.length; r++) {
    const xo = r * k
    gemv32(g, x, xo, k, res)
    for (let d = 0; d < k; d++) res[d] = -res[d]
    for (let e = indptr[r]; e < indptr[r + 1]; e++) {
      const c = conf[e]
      axpy32(f(c - f(f(c - 1) * dot32(y, indices[e] * k, x, xo, k))), y, indices[e] * k, res, 0, k)
    }
    p.set(res)
    let rsOld = dot32(res, 0, res, 0, k)
    if (rsOld < tiny) continue
    for (let it = 0; it < steps; it++) {
      gemv32(g, p, 0, k, ap)
      for (let e = indptr[r]; e < indptr[r + 1]; e++) {
        const c = conf[e]
        axpy32(f(f(c - 1) * dot32(y, indices[e] * k, p, 0, k)), y, indices[e] * k, ap, 0, k)
      }
      const alpha = f(rsOld / dot32(p, 0, ap, 0, k))
      axpy32(alpha, p, 0, x, xo, k)
      axpy32(-alpha, ap, 0, res, 0, k)
      const rsNew = dot32(res, 0, res, 0, k)
      if (rsNew < tiny) break
      const beta = f(rsNew / rsOld)
      for (let d = 0; d < k; d++) p[d] = f(res[d] + f(beta * p[d]))
      rsOld = rsNew
    }
  }
}

function randomMatrix(rows: number, k: number, rng: Rng, scale: number): Float32Array {
  return Float32Array.from({ length: rows * k }, () => rng.normal() * scale)
}

function assertSameBits(got: Float32Array, want: Float32Array, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`)
  for (let i = 0; i < want.length; i++) assert.ok(Object.is(got[i], want[i]), `${what}[${i}]: ${got[i]} vs ${want[i]}`)
}

for (const k of [6, 15, 64]) {
  test(`mf kernel wasm: gram is bit for bit the row-by-row f32 sum (k = ${k}, 130 rows, partial row blocks)`, { skip }, () => {
    const rows = 130
    const y = randomMatrix(rows, k, new Rng(k), 0.5)
    const kernel = createMfKernel('wasm')
    kernel.setFixed(y, rows, k)
    for (const [from, to] of [[0, rows], [5, 71]]) {
      const want = new Float32Array(k * k)
      for (let r = from; r < to; r++) for (let a = 0; a < k; a++) axpy32(y[r * k + a], y, r * k, want, a * k, k)
      assertSameBits(kernel.gram(from, to), want, `gram [${from}, ${to})`)
    }
  })

  test(`mf kernel wasm: cgSolve is bit for bit the f32 reference CG (k = ${k}, rows of 0 to 1100 entries)`, { skip }, () => {
    const rng = new Rng(100 + k)
    const items = 1500
    const y = randomMatrix(items, k, rng, 0.3)
    const g = new Float32Array(k * k)
    for (let r = 0; r < items; r++) for (let a = 0; a < k; a++) axpy32(y[r * k + a], y, r * k, g, a * k, k)
    for (let d = 0; d < k; d++) g[d * k + d] = f(g[d * k + d] + 0.05)
    // 1100 entries: past the kernel's LONG_ROW, so its CG steps touch ahead too, and a short row follows it.
    const lengths = [0, 1, 2, 3, 4, 5, 63, 64, 65, 67, 130, 1100, 7]
    const indptr = new Int32Array(lengths.length + 1)
    lengths.forEach((n, r) => (indptr[r + 1] = indptr[r] + n))
    const indices = new Int32Array(indptr[lengths.length])
    const conf = new Float32Array(indices.length)
    lengths.forEach((n, r) => {
      // Distinct sorted items per row, as a CSR row holds them; confidences 1 + a few plays.
      const picked = new Set<number>()
      while (picked.size < n) picked.add(Math.floor(rng.next() * items))
      Array.from(picked).sort((a, b) => a - b).forEach((item, j) => {
        indices[indptr[r] + j] = item
        conf[indptr[r] + j] = 1 + Math.floor(rng.next() * 6)
      })
    })
    const x0 = randomMatrix(lengths.length, k, rng, 0.1)
    const kernel = createMfKernel('wasm')
    kernel.setFixed(y, items, k)
    for (const steps of [3, 1]) {
      const got = x0.slice()
      kernel.cgSolve({ x: got, indptr, indices, conf }, g, steps)
      const want = x0.slice()
      cgSolve32(want, y, indptr, indices, conf, k, g, steps)
      assertSameBits(got, want, `x after ${steps} steps`)
    }
  })
}
