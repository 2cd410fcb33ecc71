import { SegueError } from '../../core/errors.js'
import { loadSpdModule, SpdWorkspace } from './spd-wasm.js'

/** Which kernels invert: 'auto' takes WebAssembly SIMD when build/spd.wasm loads, else plain TS. */
export type SpdBackend = 'auto' | 'wasm' | 'ts'

/**
 * The inverse of a symmetric positive-definite n x n matrix (row-major f64), via Cholesky A = L Lᵀ, then
 * Zᵀ = (L⁻¹)ᵀ, then A⁻¹ = Zᵀ Z, n³ flops in all (LU-based inverses take 2n³). `a` is overwritten and returned
 * holding the inverse. `tick(done)` is awaited as rows are done, done counting rows over the three phases (3n).
 * Both backends compute the same sums in different orders, so they agree to rounding, not bit for bit.
 * To spare the copy into the WebAssembly memory, fill spdMatrix(n).a instead.
 */
export async function invertSpd(a: Float64Array, n: number, tick: (done: number) => Promise<void>, backend: SpdBackend = 'auto'): Promise<Float64Array> {
  const ws = workspace(n, backend)
  if (!ws) return invertSpdTs(a, n, tick)
  ws.matrix.set(a.subarray(0, n * n))
  a.set(await invertIn(ws, n, tick))
  return a
}

/** An n x n matrix to fill (zeros to start with), then invert in place: invert(tick) gives it back inverted. */
export interface SpdMatrix {
  a: Float64Array
  invert(tick: (done: number) => Promise<void>): Promise<Float64Array>
}

/**
 * A matrix for invertSpd: inside the WebAssembly memory when build/spd.wasm loads and the memory can be had
 * (no copy in or out), else a plain array for the TS kernels. `a` is only valid until invert() resolves
 * and what it returns is used: the memory goes with the workspace.
 */
export function spdMatrix(n: number, backend: SpdBackend = 'auto'): SpdMatrix {
  const ws = workspace(n, backend)
  if (!ws) {
    const a = new Float64Array(n * n)
    return { a, invert: (tick) => invertSpdTs(a, n, tick) }
  }
  return { a: ws.matrix, invert: (tick) => invertIn(ws, n, tick) }
}

/** The WebAssembly workspace the backend asks for, or null for plain TS (asked for, or no module or memory). */
function workspace(n: number, backend: SpdBackend): SpdWorkspace | null {
  const module = backend === 'ts' ? null : loadSpdModule()
  if (backend === 'wasm' && !module) throw new SegueError('E_WASM_UNAVAILABLE', 'could not load build/spd.wasm; run npm run build')
  return module ? SpdWorkspace.create(module, n) : null
}

async function invertIn(ws: SpdWorkspace, n: number, tick: (done: number) => Promise<void>): Promise<Float64Array> {
  await ws.invertLower(tick)
  mirrorLowerToUpper(ws.matrix, n)
  return ws.matrix
}

/**
 * The plain-TS backend. Each phase is written as dot products of contiguous rows (Zᵀ is kept transposed for
 * that reason), computed one row against four at a time: every load of the shared row feeds four
 * multiply-adds. Each phase costs about n³/6 multiply-adds. One more n x n buffer is used.
 */
export async function invertSpdTs(a: Float64Array, n: number, tick: (done: number) => Promise<void>): Promise<Float64Array> {
  await choleskyInPlace(a, n, tick)
  const zt = new Float64Array(n * n)
  await invertLowerTransposed(a, zt, n, (i) => tick(n + i))
  await gramOfRows(zt, a, n, (i) => tick(2 * n + i))
  mirrorLowerToUpper(a, n)
  return a
}

const sums = new Float64Array(4)

/** sums[t] = x[xs + k] · y[ys_t + k] summed over k in [from, to), for the four rows ys_0..ys_3 of y. */
function dot1x4(x: Float64Array, xs: number, y: Float64Array, ys: number, stride: number, from: number, to: number): void {
  let s0 = 0
  let s1 = 0
  let s2 = 0
  let s3 = 0
  const y1 = ys + stride
  const y2 = y1 + stride
  const y3 = y2 + stride
  for (let k = from; k < to; k++) {
    const v = x[xs + k]
    s0 += v * y[ys + k]
    s1 += v * y[y1 + k]
    s2 += v * y[y2 + k]
    s3 += v * y[y3 + k]
  }
  sums[0] = s0
  sums[1] = s1
  sums[2] = s2
  sums[3] = s3
}

function dot(x: Float64Array, xs: number, y: Float64Array, ys: number, from: number, to: number): number {
  let s = 0
  for (let k = from; k < to; k++) s += x[xs + k] * y[ys + k]
  return s
}

/**
 * Cholesky-Banachiewicz in place (lower triangle): L[i][j] = (A[i][j] - L_i · L_j over k < j) / L[j][j].
 * Rows are taken four at a time, each earlier row j feeding all four.
 */
async function choleskyInPlace(a: Float64Array, n: number, tick: (done: number) => Promise<void>): Promise<void> {
  for (let i0 = 0; i0 < n; i0 += 4) {
    const block = Math.min(4, n - i0)
    for (let j = 0; j < i0 && block === 4; j++) {
      dot1x4(a, j * n, a, i0 * n, n, 0, j)
      for (let t = 0; t < 4; t++) a[(i0 + t) * n + j] = (a[(i0 + t) * n + j] - sums[t]) / a[j * n + j]
    }
    for (let i = i0; i < i0 + block; i++) {
      for (let j = block === 4 ? i0 : 0; j <= i; j++) choleskyEntry(a, n, i, j)
      await tick(i + 1)
    }
  }
}

function choleskyEntry(a: Float64Array, n: number, i: number, j: number): void {
  const s = a[i * n + j] - dot(a, i * n, a, j * n, 0, j)
  if (i !== j) {
    a[i * n + j] = s / a[j * n + j]
    return
  }
  if (!(s > 0)) throw new SegueError('E_BAD_ARGUMENT', `matrix is not positive definite at row ${i} (pivot ${s}); raise the regularisation`)
  a[i * n + i] = Math.sqrt(s)
}

/**
 * Zᵀ (upper triangular) with Z = L⁻¹, column i at a time: Zᵀ[c][i] = -(L_i · Zᵀ_c over k in [c, i)) / L[i][i]
 * and Zᵀ[i][i] = 1 / L[i][i]. Zᵀ rows are zero left of their diagonal, so blocks may start at the first c.
 */
async function invertLowerTransposed(l: Float64Array, zt: Float64Array, n: number, tick: (done: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < n; i++) {
    const inv = 1 / l[i * n + i]
    let c = 0
    for (; c + 4 <= i; c += 4) {
      dot1x4(l, i * n, zt, c * n, n, c, i)
      for (let t = 0; t < 4; t++) zt[(c + t) * n + i] = -sums[t] * inv
    }
    for (; c < i; c++) zt[c * n + i] = -dot(l, i * n, zt, c * n, c, i) * inv
    zt[i * n + i] = inv
    await tick(i + 1)
  }
}

/** Lower triangle of Zᵀ Z into `out`: out[r][b] = Zᵀ_r · Zᵀ_b over k in [r, n) for b <= r. */
async function gramOfRows(zt: Float64Array, out: Float64Array, n: number, tick: (done: number) => Promise<void>): Promise<void> {
  for (let r = 0; r < n; r++) {
    let b = 0
    for (; b + 4 <= r + 1; b += 4) {
      dot1x4(zt, r * n, zt, b * n, n, r, n)
      for (let t = 0; t < 4; t++) out[r * n + b + t] = sums[t]
    }
    for (; b <= r; b++) out[r * n + b] = dot(zt, r * n, zt, b * n, r, n)
    await tick(r + 1)
  }
}

function mirrorLowerToUpper(a: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[j * n + i] = a[i * n + j]
}
