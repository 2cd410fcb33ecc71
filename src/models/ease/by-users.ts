import type { Csr } from '../../core/csr.js'
import { spdMatrix } from './spd-inverse.js'

/** The kept part of X by item (columns), users numbered afresh without those that have no kept item. */
interface KeptX {
  users: number
  colPtr: Int32Array
  colUser: Int32Array
  colValue: Float64Array
}

/**
 * EASE's weights through the Woodbury identity, for data with fewer users than kept items:
 * P = (XᵀX + λI)⁻¹ = (I - Xᵀ K⁻¹ X) / λ with K = λI + XXᵀ (users x users). It costs about users³ + nnz x
 * (users + items) multiply-adds instead of items³, and gives the same P up to rounding (all in f64).
 * B[j][i] = -P[j][i] / P[i][i] is written row by row into f32 without ever holding P or K⁻¹X. `tick(done)` runs over 3 x users + items steps.
 */
export async function easeWeightsByUsers(x: Csr, slot: Int32Array, n: number, lambda: number, tick: (done: number) => Promise<void>): Promise<Float32Array> {
  const kx = keptX(x, slot, n)
  const m = kx.users
  const k = spdMatrix(m)
  userGram(kx, lambda, k.a)
  const kinv = await k.invert(tick)
  const diag = diagonalOfP(kx, kinv, lambda)
  const b = new Float32Array(n * n)
  const t = new Float64Array(m)
  for (let j = 0; j < n; j++) {
    // t = K⁻¹ x_j (x_j: item j's column); then (Xᵀ K⁻¹ X)[j][i] = x_i · t, and P[j][i] = -x_i · t / λ for i != j.
    t.fill(0)
    for (let p = kx.colPtr[j]; p < kx.colPtr[j + 1]; p++) addScaled(t, kinv, kx.colUser[p] * m, kx.colValue[p], m)
    for (let i = 0; i < n; i++) b[j * n + i] = i === j ? 0 : columnDot(kx, i, t) / (lambda * diag[i])
    await tick(3 * m + j + 1)
  }
  return b
}

/** The number of users with at least one kept item: the size of the Woodbury solve. */
export function usersWithKeptItems(x: Csr, slot: Int32Array): number {
  let users = 0
  for (let u = 0; u < x.rows; u++) {
    for (let p = x.indptr[u]; p < x.indptr[u + 1]; p++) {
      if (slot[x.indices[p]] >= 0) {
        users++
        break
      }
    }
  }
  return users
}

function keptX(x: Csr, slot: Int32Array, n: number): KeptX {
  const rowPtr: number[] = [0]
  const rowItem: number[] = []
  const rowValue: number[] = []
  for (let u = 0; u < x.rows; u++) {
    for (let p = x.indptr[u]; p < x.indptr[u + 1]; p++) {
      const j = slot[x.indices[p]]
      if (j < 0) continue
      rowItem.push(j)
      rowValue.push(x.data[p])
    }
    if (rowItem.length > rowPtr[rowPtr.length - 1]) rowPtr.push(rowItem.length)
  }
  const users = rowPtr.length - 1
  const colPtr = new Int32Array(n + 1)
  for (const j of rowItem) colPtr[j + 1]++
  for (let j = 0; j < n; j++) colPtr[j + 1] += colPtr[j]
  const fill = colPtr.slice(0, n)
  const colUser = new Int32Array(rowItem.length)
  const colValue = new Float64Array(rowItem.length)
  for (let u = 0; u < users; u++) {
    for (let p = rowPtr[u]; p < rowPtr[u + 1]; p++) {
      const q = fill[rowItem[p]]++
      colUser[q] = u
      colValue[q] = rowValue[p]
    }
  }
  return { users, colPtr, colUser, colValue }
}

/** K = λI + XXᵀ, dense f64, accumulated item by item (each item adds its users²) into k (zeros). */
function userGram(kx: KeptX, lambda: number, k: Float64Array): void {
  const m = kx.users
  for (let j = 0; j + 1 < kx.colPtr.length; j++) {
    for (let p = kx.colPtr[j]; p < kx.colPtr[j + 1]; p++) {
      const a = kx.colUser[p] * m
      const va = kx.colValue[p]
      for (let q = kx.colPtr[j]; q < kx.colPtr[j + 1]; q++) k[a + kx.colUser[q]] += va * kx.colValue[q]
    }
  }
  for (let u = 0; u < m; u++) k[u * m + u] += lambda
}

/** P[i][i] = (1 - x_iᵀ K⁻¹ x_i) / λ, x_i being item i's column. */
function diagonalOfP(kx: KeptX, kinv: Float64Array, lambda: number): Float64Array {
  const n = kx.colPtr.length - 1
  const m = kx.users
  const d = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let s = 0
    for (let p = kx.colPtr[i]; p < kx.colPtr[i + 1]; p++) {
      const row = kx.colUser[p] * m
      for (let q = kx.colPtr[i]; q < kx.colPtr[i + 1]; q++) s += kx.colValue[p] * kx.colValue[q] * kinv[row + kx.colUser[q]]
    }
    d[i] = (1 - s) / lambda
  }
  return d
}

/** x_i · t over item i's users. */
function columnDot(kx: KeptX, i: number, t: Float64Array): number {
  let s = 0
  for (let p = kx.colPtr[i]; p < kx.colPtr[i + 1]; p++) s += kx.colValue[p] * t[kx.colUser[p]]
  return s
}

function addScaled(out: Float64Array, src: Float64Array, from: number, c: number, n: number): void {
  for (let i = 0; i < n; i++) out[i] += c * src[from + i]
}
