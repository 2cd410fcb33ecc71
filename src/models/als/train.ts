import type { Csr } from '../../core/csr.js'
import type { MfKernel } from '../../kernels/mf-kernel.js'
import { sharedF32, sharedI32, splitByCost, type MfPool, type SharedCsr, type SharedFixed } from '../../kernels/mf-pool.js'

/** Where an ALS half-step runs: the calling thread's kernel, or the worker pool. */
export interface Runner {
  hold(fixed: SharedFixed): MfKernel
  pool: MfPool | null
}

/**
 * The confidence-weighted training matrices: users x items (sharing `seen`'s index arrays, confidence in place
 * of plays) and its transpose, items x users, built straight onto SharedArrayBuffers for the workers.
 */
export function trainingMatrices(seen: SharedCsr, items: number, conf: (r: number) => number): { users: SharedCsr; items: SharedCsr } {
  const values = sharedF32(seen.values.length)
  for (let e = 0; e < values.length; e++) values[e] = conf(seen.values[e])
  return { users: { indptr: seen.indptr, indices: seen.indices, values }, items: transposeShared(seen, items, values) }
}

/** The transpose of a CSR (`cols` columns) with `values` as its data, on SharedArrayBuffers (rows stay sorted). */
function transposeShared(m: SharedCsr, cols: number, values: Float32Array): SharedCsr {
  const rows = m.indptr.length - 1
  const indptr = sharedI32(cols + 1)
  for (let e = 0; e < m.indices.length; e++) indptr[m.indices[e] + 1]++
  for (let c = 0; c < cols; c++) indptr[c + 1] += indptr[c]
  const fill = indptr.slice(0, cols)
  const indices = sharedI32(m.indices.length)
  const out = sharedF32(m.indices.length)
  for (let r = 0; r < rows; r++) {
    for (let p = m.indptr[r]; p < m.indptr[r + 1]; p++) {
      const at = fill[m.indices[p]]++
      indices[at] = r
      out[at] = values[p]
    }
  }
  return { indptr, indices, values: out }
}

/** Rows per partial Gram matrix: fixed, so the sum is formed in the same order whatever the thread count. */
const GRAM_ROWS = 8192

/** YᵀY + λI of the fixed side, the parts shared out among the workers when there are any. */
export async function regularizedGram(run: Runner, fixed: SharedFixed, reg: number): Promise<Float32Array> {
  const parts: [number, number][] = []
  for (let from = 0; from < fixed.rows; from += GRAM_ROWS) parts.push([from, Math.min(fixed.rows, from + GRAM_ROWS)])
  const pool = run.pool
  const partial = pool
    ? await Promise.all(parts.map(([from, to]) => pool.run({ op: 'gram', fixed, from, to }).then((r) => r.gram as Float32Array)))
    : parts.map(([from, to]) => run.hold(fixed).gram(from, to))
  const sum = new Float64Array(fixed.k * fixed.k)
  for (const p of partial) for (let i = 0; i < sum.length; i++) sum[i] += p[i]
  for (let d = 0; d < fixed.k; d++) sum[d * fixed.k + d] += reg
  return Float32Array.from(sum)
}

/**
 * Runs of rows per worker in a half-step: while the last run finishes, the other workers can idle for up to about
 * its length, 1/16 of a worker's share (it was four runs per worker: up to a quarter of a share).
 */
const RUNS_PER_THREAD = 16

/**
 * One ALS half-step: every row of x (rows x k) re-solved against the fixed side by `steps` CG steps. With
 * workers, rows go out in runs of about equal cost (a row costs its entries plus the k x k product per step),
 * RUNS_PER_THREAD runs per worker so a worker slowed by other load takes fewer.
 */
export async function solveSide(run: Runner, fixed: SharedFixed, x: Float32Array, csr: SharedCsr, g: Float32Array, steps: number): Promise<void> {
  const rows = csr.indptr.length - 1
  if (!run.pool) {
    run.hold(fixed).cgSolve({ x, indptr: csr.indptr, indices: csr.indices, conf: csr.values }, g, steps)
    return
  }
  const pool = run.pool
  const half = fixed.k / 2
  const runs = splitByCost(rows, pool.threads * RUNS_PER_THREAD, (r) => csr.indptr[r + 1] - csr.indptr[r] + half)
  await Promise.all(runs.map(([r0, r1]) => pool.run({ op: 'solve', fixed, x, r0, r1, csr, g, steps })))
}

/** Re-solves only the listed rows of x (a partial fit), on the calling thread. */
export function solveRows(kernel: MfKernel, x: Float32Array, k: number, csr: SharedCsr, rows: Int32Array, g: Float32Array, steps: number): void {
  const indptr = new Int32Array(rows.length + 1)
  rows.forEach((r, a) => (indptr[a + 1] = indptr[a] + csr.indptr[r + 1] - csr.indptr[r]))
  const indices = new Int32Array(indptr[rows.length])
  const conf = new Float32Array(indptr[rows.length])
  const sub = new Float32Array(rows.length * k)
  rows.forEach((r, a) => {
    indices.set(csr.indices.subarray(csr.indptr[r], csr.indptr[r + 1]), indptr[a])
    conf.set(csr.values.subarray(csr.indptr[r], csr.indptr[r + 1]), indptr[a])
    sub.set(x.subarray(r * k, r * k + k), a * k)
  })
  kernel.cgSolve({ x: sub, indptr, indices, conf }, g, steps)
  rows.forEach((r, a) => x.set(sub.subarray(a * k, a * k + k), r * k))
}

/**
 * The weighted loss Σ_{u,i} c_ui (p_ui - x_u·y_i)² + λ(‖X‖² + ‖Y‖²) over all pairs (p = 1 where played, c = 1
 * where not), divided by the total weight Σ c_ui. The all-pairs part is Σ_u x_uᵀ (YᵀY) x_u, so it costs
 * O(users·k² + nnz·k) rather than users x items.
 */
export function alsLoss(x: Float32Array, y: Float32Array, k: number, csr: SharedCsr, gramNoReg: Float32Array, reg: number): number {
  const rows = csr.indptr.length - 1
  let total = 0
  let weight = 0
  for (let u = 0; u < rows; u++) {
    const xo = u * k
    for (let a = 0; a < k; a++) {
      let s = 0
      for (let b = 0; b < k; b++) s += gramNoReg[a * k + b] * x[xo + b]
      total += x[xo + a] * s
    }
    for (let e = csr.indptr[u]; e < csr.indptr[u + 1]; e++) {
      const c = csr.values[e]
      let s = 0
      for (let d = 0; d < k; d++) s += x[xo + d] * y[csr.indices[e] * k + d]
      total += c * (1 - s) ** 2 - s * s
      weight += c - 1
    }
  }
  return (total + reg * (sumSquares(x) + sumSquares(y))) / (rows * (y.length / k) + weight)
}

function sumSquares(a: Float32Array): number {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i] * a[i]
  return s
}

/** Row-wise union of two CSR matrices (values summed where both have an entry), sized to the larger of each. */
export function mergeCsr(a: Csr, b: Csr): Csr {
  const rows = Math.max(a.rows, b.rows)
  const indptr = new Int32Array(rows + 1)
  const indices = new Int32Array(a.indices.length + b.indices.length)
  const data = new Float32Array(indices.length)
  let w = 0
  for (let r = 0; r < rows; r++) {
    let p = r < a.rows ? a.indptr[r] : 0, pe = r < a.rows ? a.indptr[r + 1] : 0
    let q = r < b.rows ? b.indptr[r] : 0, qe = r < b.rows ? b.indptr[r + 1] : 0
    while (p < pe || q < qe) {
      const ca = p < pe ? a.indices[p] : Infinity, cb = q < qe ? b.indices[q] : Infinity
      indices[w] = Math.min(ca, cb)
      data[w] = (ca <= cb ? a.data[p++] : 0) + (cb <= ca ? b.data[q++] : 0)
      w++
    }
    indptr[r + 1] = w
  }
  return { rows, cols: Math.max(a.cols, b.cols), indptr, indices: indices.slice(0, w), data: data.slice(0, w) }
}
