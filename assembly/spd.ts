// The inverse of a symmetric positive-definite matrix, WebAssembly SIMD (f64x2), in three blocked phases over
// row panels: Cholesky A = L Lᵀ (left-looking, by rows), Zᵀ = (L⁻¹)ᵀ (its rows are independent), and the lower
// triangle of Zᵀ Z = A⁻¹. Each phase is mostly one kernel, gemmNT: C += alpha X Yᵀ over a range of k, with rows
// contiguous in k (all matrices n x n, row-major, f64). gemmNT works on 4 x 2 blocks of C (8 accumulators: every
// load feeds two or four multiply-adds) and walks k in chunks of KC so that a panel's chunk stays in L2 and the
// pair of Y rows in L1. The small triangular parts near the diagonal (about n² x PANEL / 2 multiply-adds in all,
// against n³ / 2 for the whole) use plain dot products.
//
// Memory is managed by the caller (stub runtime, nothing here allocates): matrices are placed above heapBase()
// and passed as byte addresses. A panel is rows [p0, p1) of the caller's choosing (the caller ticks progress
// between panels).

export function heapBase(): usize {
  return __heap_base
}

/** Width of a k chunk: 4 rows x 256 x 8 bytes (8 KiB) of X and 2 of Y (4 KiB) per block sit in L1. */
const KC: i32 = 256

@inline
function rowAt(m: usize, n: i32, i: i32): usize {
  return m + ((<usize>i * <usize>n) << 3)
}

@inline
function el(m: usize, n: i32, i: i32, j: i32): usize {
  return m + ((<usize>i * <usize>n + <usize>j) << 3)
}

/** x · y over k in [from, to) (x and y are row addresses). */
function dot(x: usize, y: usize, from: i32, to: i32): f64 {
  let a0 = f64x2.splat(0)
  let a1 = f64x2.splat(0)
  let k = from
  for (; k + 4 <= to; k += 4) {
    const o = <usize>k << 3
    a0 = f64x2.add(a0, f64x2.mul(v128.load(x + o), v128.load(y + o)))
    a1 = f64x2.add(a1, f64x2.mul(v128.load(x + o, 16), v128.load(y + o, 16)))
  }
  const a = f64x2.add(a0, a1)
  let s = f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1)
  for (; k < to; k++) s += load<f64>(x + (<usize>k << 3)) * load<f64>(y + (<usize>k << 3))
  return s
}

/**
 * C[i][j] += alpha x (X_i · Y_j over k in [k0, k1)) for i in [i0, i1), j in [j0, j1); X_i, Y_j, C rows of
 * n x n matrices (which may be the same matrix).
 */
export function gemmNT(c: usize, x: usize, y: usize, n: i32, i0: i32, i1: i32, j0: i32, j1: i32, k0: i32, k1: i32, alpha: f64): void {
  for (let kc = k0; kc < k1; kc += KC) {
    const ke = min(k1, kc + KC)
    let j = j0
    for (; j + 2 <= j1; j += 2) {
      let i = i0
      for (; i + 4 <= i1; i += 4) block4x2(c, x, y, n, i, j, kc, ke, alpha)
      for (; i < i1; i++) {
        const xi = rowAt(x, n, i)
        store<f64>(el(c, n, i, j), load<f64>(el(c, n, i, j)) + alpha * dot(xi, rowAt(y, n, j), kc, ke))
        store<f64>(el(c, n, i, j + 1), load<f64>(el(c, n, i, j + 1)) + alpha * dot(xi, rowAt(y, n, j + 1), kc, ke))
      }
    }
    for (; j < j1; j++) {
      const yj = rowAt(y, n, j)
      for (let i = i0; i < i1; i++) store<f64>(el(c, n, i, j), load<f64>(el(c, n, i, j)) + alpha * dot(rowAt(x, n, i), yj, kc, ke))
    }
  }
}

/** The 4 x 2 block of C at (i, j): C += alpha x X[i..i+3] · Y[j..j+1] over k in [from, to). */
@inline
function block4x2(c: usize, x: usize, y: usize, n: i32, i: i32, j: i32, from: i32, to: i32, alpha: f64): void {
  const stride = (<usize>n) << 3
  const x0 = rowAt(x, n, i)
  const x1 = x0 + stride
  const x2 = x1 + stride
  const x3 = x2 + stride
  const y0 = rowAt(y, n, j)
  const y1 = y0 + stride
  let a00 = f64x2.splat(0)
  let a01 = f64x2.splat(0)
  let a10 = f64x2.splat(0)
  let a11 = f64x2.splat(0)
  let a20 = f64x2.splat(0)
  let a21 = f64x2.splat(0)
  let a30 = f64x2.splat(0)
  let a31 = f64x2.splat(0)
  let k = from
  for (; k + 2 <= to; k += 2) {
    const o = <usize>k << 3
    const b0 = v128.load(y0 + o)
    const b1 = v128.load(y1 + o)
    let v = v128.load(x0 + o)
    a00 = f64x2.add(a00, f64x2.mul(v, b0))
    a01 = f64x2.add(a01, f64x2.mul(v, b1))
    v = v128.load(x1 + o)
    a10 = f64x2.add(a10, f64x2.mul(v, b0))
    a11 = f64x2.add(a11, f64x2.mul(v, b1))
    v = v128.load(x2 + o)
    a20 = f64x2.add(a20, f64x2.mul(v, b0))
    a21 = f64x2.add(a21, f64x2.mul(v, b1))
    v = v128.load(x3 + o)
    a30 = f64x2.add(a30, f64x2.mul(v, b0))
    a31 = f64x2.add(a31, f64x2.mul(v, b1))
  }
  let s00 = hsum(a00)
  let s01 = hsum(a01)
  let s10 = hsum(a10)
  let s11 = hsum(a11)
  let s20 = hsum(a20)
  let s21 = hsum(a21)
  let s30 = hsum(a30)
  let s31 = hsum(a31)
  if (k < to) {
    const o = <usize>k << 3
    const b0 = load<f64>(y0 + o)
    const b1 = load<f64>(y1 + o)
    s00 += load<f64>(x0 + o) * b0
    s01 += load<f64>(x0 + o) * b1
    s10 += load<f64>(x1 + o) * b0
    s11 += load<f64>(x1 + o) * b1
    s20 += load<f64>(x2 + o) * b0
    s21 += load<f64>(x2 + o) * b1
    s30 += load<f64>(x3 + o) * b0
    s31 += load<f64>(x3 + o) * b1
  }
  const c0 = el(c, n, i, j)
  const c1 = c0 + stride
  const c2 = c1 + stride
  const c3 = c2 + stride
  store<f64>(c0, load<f64>(c0) + alpha * s00)
  store<f64>(c0, load<f64>(c0, 8) + alpha * s01, 8)
  store<f64>(c1, load<f64>(c1) + alpha * s10)
  store<f64>(c1, load<f64>(c1, 8) + alpha * s11, 8)
  store<f64>(c2, load<f64>(c2) + alpha * s20)
  store<f64>(c2, load<f64>(c2, 8) + alpha * s21, 8)
  store<f64>(c3, load<f64>(c3) + alpha * s30)
  store<f64>(c3, load<f64>(c3, 8) + alpha * s31, 8)
}

@inline
function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1)
}

/** The pivot that failed in the last cholPanel call (not positive). */
let badPivot: f64 = 0

export function lastPivot(): f64 {
  return badPivot
}

/**
 * Rows [p0, p1) of the Cholesky factor, in place in the lower triangle of `a` (rows above p0 already hold L):
 * for each earlier block J of `panel` columns, A[P][J] -= L[P][0:j0] L[J][0:j0]ᵀ (gemmNT), then the entries of
 * the block by dot products over [j0, j); then the diagonal block the same way with square roots.
 * Returns -1, or the row whose pivot was not positive (lastPivot() gives it).
 */
export function cholPanel(a: usize, n: i32, p0: i32, p1: i32, panel: i32): i32 {
  for (let j0 = 0; j0 < p0; j0 += panel) {
    const j1 = min(p0, j0 + panel)
    gemmNT(a, a, a, n, p0, p1, j0, j1, 0, j0, -1)
    for (let i = p0; i < p1; i++) {
      const li = rowAt(a, n, i)
      for (let j = j0; j < j1; j++) {
        const lj = rowAt(a, n, j)
        const p = li + (<usize>j << 3)
        store<f64>(p, (load<f64>(p) - dot(li, lj, j0, j)) / load<f64>(lj + (<usize>j << 3)))
      }
    }
  }
  gemmNT(a, a, a, n, p0, p1, p0, p1, 0, p0, -1)
  for (let i = p0; i < p1; i++) {
    const li = rowAt(a, n, i)
    for (let j = p0; j <= i; j++) {
      const lj = rowAt(a, n, j)
      const p = li + (<usize>j << 3)
      const s = load<f64>(p) - dot(li, lj, p0, j)
      if (i != j) {
        store<f64>(p, s / load<f64>(lj + (<usize>j << 3)))
      } else {
        if (!(s > 0)) {
          badPivot = s
          return i
        }
        store<f64>(p, Math.sqrt(s))
      }
    }
  }
  return -1
}

/**
 * Rows [c0, c1) of Zᵀ = (L⁻¹)ᵀ (upper triangular; `zt` zero on entry): Zᵀ[c][c] = 1 / L[c][c] and, for i > c,
 * Zᵀ[c][i] = -(Zᵀ_c · L_i over k in [c, i)) / L[i][i]. Rows of Zᵀ do not depend on each other; along a row,
 * for each block I of `panel` columns from c0 on, the part over k < i0 is one gemmNT and the rest dot products.
 */
export function trinvPanel(l: usize, zt: usize, n: i32, c0: i32, c1: i32, panel: i32): void {
  for (let i0 = c0; i0 < n; i0 += panel) {
    const i1 = min(n, i0 + panel)
    gemmNT(zt, zt, l, n, c0, c1, i0, i1, c0, i0, 1)
    for (let i = i0; i < i1; i++) {
      const li = rowAt(l, n, i)
      const inv = 1 / load<f64>(li + (<usize>i << 3))
      for (let c = c0; c < c1; c++) {
        if (i < c) continue
        const zc = rowAt(zt, n, c)
        const p = zc + (<usize>i << 3)
        store<f64>(p, i == c ? inv : -(load<f64>(p) + dot(zc, li, i0, i)) * inv)
      }
    }
  }
}

/**
 * Rows [r0, r1) of the lower triangle of Zᵀ Z into `out` (its entries there are overwritten):
 * out[r][b] = Zᵀ_r · Zᵀ_b over k in [r, n) for b <= r. Zᵀ rows are zero left of their diagonal, so every block
 * of the panel sums over k from r0; entries right of the diagonal inside the diagonal block are written too.
 */
export function gramPanel(zt: usize, out: usize, n: i32, r0: i32, r1: i32): void {
  for (let r = r0; r < r1; r++) memory.fill(rowAt(out, n, r), 0, (<usize>r1) << 3)
  gemmNT(out, zt, zt, n, r0, r1, 0, r1, r0, n, 1)
}
