// Matrix-factorisation kernels, WebAssembly SIMD (f32x4): the hot loops of ALS (Gram matrix, conjugate-gradient
// solve per row), of BPR (one SGD step per sampled triple) and of batch scoring (U·Vᵀ, then top-n per user).
//
// Factor matrices are row-major (rows x k floats). Vector loads need no alignment in WebAssembly, so a row may
// start anywhere; the last k % 4 dimensions are handled one at a time.
//
// Memory is managed by the caller (stub runtime, nothing here allocates): it places every array above
// heapBase() and passes addresses. All arrays are f32 or i32.

export function heapBase(): usize {
  return __heap_base
}

@inline
function at(base: usize, i: i32): usize {
  return base + (<usize>i << 2)
}

/** Sum of the four lanes. */
@inline
function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3))
}

// Inlined into the CG and BPR loops, which call it once per entry.
@inline
export function dot(a: usize, b: usize, k: i32): f32 {
  let acc0 = f32x4.splat(0)
  let acc1 = f32x4.splat(0)
  let d = 0
  // Two accumulators so consecutive adds do not wait on each other.
  for (; d + 8 <= k; d += 8) {
    acc0 = f32x4.add(acc0, f32x4.mul(v128.load(at(a, d)), v128.load(at(b, d))))
    acc1 = f32x4.add(acc1, f32x4.mul(v128.load(at(a, d), 16), v128.load(at(b, d), 16)))
  }
  for (; d + 4 <= k; d += 4) acc0 = f32x4.add(acc0, f32x4.mul(v128.load(at(a, d)), v128.load(at(b, d))))
  let s = hsum(f32x4.add(acc0, acc1))
  for (; d < k; d++) s += load<f32>(at(a, d)) * load<f32>(at(b, d))
  return s
}

/** y += alpha * x */
@inline
export function axpy(alpha: f32, x: usize, y: usize, k: i32): void {
  const va = f32x4.splat(alpha)
  let d = 0
  for (; d + 4 <= k; d += 4) v128.store(at(y, d), f32x4.add(v128.load(at(y, d)), f32x4.mul(va, v128.load(at(x, d)))))
  for (; d < k; d++) store<f32>(at(y, d), load<f32>(at(y, d)) + alpha * load<f32>(at(x, d)))
}

/** out (k x k) += Σ over rows of y yᵀ. */
export function gram(y: usize, rows: i32, k: i32, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const row = y + (<usize>(r * k) << 2)
    for (let a = 0; a < k; a++) axpy(load<f32>(at(row, a)), row, out + (<usize>(a * k) << 2), k)
  }
}

/** out (k) = G (k x k, symmetric) · x */
function gemv(g: usize, x: usize, k: i32, out: usize): void {
  for (let a = 0; a < k; a++) store<f32>(at(out, a), dot(g + (<usize>(a * k) << 2), x, k))
}

/**
 * A few conjugate-gradient steps on (G + Σ_i (c_i - 1) y_i y_iᵀ) x = Σ_i c_i y_i for each of `rows` rows,
 * warm-started from x (Takács et al.; the form `implicit` uses). G is YᵀY + λI of the fixed side. Row r's
 * entries are indices/conf[indptr[r] .. indptr[r + 1]); `scratch` holds 3k floats.
 */
export function cgSolve(
  x: usize, y: usize, indptr: usize, indices: usize, conf: usize, rows: i32, k: i32, g: usize, steps: i32, scratch: usize,
): void {
  const res = scratch
  const p = scratch + (<usize>k << 2)
  const ap = p + (<usize>k << 2)
  touchedTo = load<i32>(indptr)
  touchEnd = load<i32>(at(indptr, rows))
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>(r * k) << 2)
    const p0 = load<i32>(at(indptr, r))
    const p1 = load<i32>(at(indptr, r + 1))
    residual(xr, y, indices, conf, p0, p1, k, g, res)
    cgRow(xr, y, indices, conf, p0, p1, k, g, steps, res, p, ap)
  }
}

/** Where touched words go, so the optimiser keeps the loads. */
let touchSolveSink: i32 = 0
/** Entries of the current cgSolve whose fixed rows have been touched: [start, touchedTo) of [start, touchEnd). */
let touchedTo: i32 = 0
let touchEnd: i32 = 0
/** How far (in entries) the touches run ahead of the residual pass, and how many entries one batch touches. */
const TOUCH_AHEAD = 64
const TOUCH_BATCH = 32

/** Keeps the touched entries at least TOUCH_AHEAD ahead of entry e (across rows: a job's entries are contiguous). */
@inline
function touchAhead(y: usize, indices: usize, e: i32, k: i32): void {
  if (e + TOUCH_AHEAD >= touchedTo && touchedTo < touchEnd) {
    const to = min(touchEnd, touchedTo + TOUCH_BATCH)
    touchSolveSink ^= touchRows(y, indices, touchedTo, to, k)
    touchedTo = to
  }
}

/**
 * Reads one word per 64-byte line of the fixed rows of entries [p0, p1). Issued back to back, these loads
 * bring the rows in together (most are cache misses at scale); the solve's own loads, spread among its
 * arithmetic, would wait for one miss after another. No arithmetic changes, so results are unchanged.
 */
@inline
function touchRows(y: usize, indices: usize, p0: i32, p1: i32, k: i32): i32 {
  let s = 0
  const bytes = <usize>k << 2
  for (let e = p0; e < p1; e++) {
    const yi = y + (<usize>(load<i32>(at(indices, e)) * k) << 2)
    for (let b: usize = 0; b < bytes; b += 64) s ^= load<i32>(yi + b)
    s ^= load<i32>(yi + bytes - 4)
  }
  return s
}

/** res = b - A x, the starting residual. */
function residual(xr: usize, y: usize, indices: usize, conf: usize, p0: i32, p1: i32, k: i32, g: usize, res: usize): void {
  gemv(g, xr, k, res)
  for (let d = 0; d < k; d++) store<f32>(at(res, d), -load<f32>(at(res, d)))
  for (let e = p0; e < p1; e++) {
    touchAhead(y, indices, e, k)
    const yi = y + (<usize>(load<i32>(at(indices, e)) * k) << 2)
    const c = load<f32>(at(conf, e))
    axpy(c - (c - 1) * dot(yi, xr, k), yi, res, k)
  }
}

function cgRow(
  xr: usize, y: usize, indices: usize, conf: usize, p0: i32, p1: i32, k: i32, g: usize, steps: i32, res: usize, p: usize, ap: usize,
): void {
  memory.copy(p, res, <usize>k << 2)
  let rsOld = dot(res, res, k)
  if (rsOld < 1e-20) return
  for (let it = 0; it < steps; it++) {
    gemv(g, p, k, ap)
    for (let e = p0; e < p1; e++) {
      const yi = y + (<usize>(load<i32>(at(indices, e)) * k) << 2)
      const c = load<f32>(at(conf, e))
      axpy((c - 1) * dot(yi, p, k), yi, ap, k)
    }
    const alpha = rsOld / dot(p, ap, k)
    axpy(alpha, p, xr, k)
    axpy(-alpha, ap, res, k)
    const rsNew = dot(res, res, k)
    if (rsNew < 1e-20) return
    const beta = rsNew / rsOld
    // p = res + beta p
    const vb = f32x4.splat(beta)
    let d = 0
    for (; d + 4 <= k; d += 4) v128.store(at(p, d), f32x4.add(v128.load(at(res, d)), f32x4.mul(vb, v128.load(at(p, d)))))
    for (; d < k; d++) store<f32>(at(p, d), load<f32>(at(res, d)) + beta * load<f32>(at(p, d)))
    rsOld = rsNew
  }
}

/**
 * BPR SGD over `count` sampled triples (u, i, j) at `triples` (3 i32 each): raises x_uij = u·(i - j) + b_i - b_j
 * (Rendle 2009). Returns Σ ln σ(x_uij) before each step, for progress reporting.
 */
export function bprSteps(u: usize, v: usize, bias: usize, triples: usize, count: i32, k: i32, lr: f32, reg: f32, diff: usize): f64 {
  let logLik: f64 = 0
  for (let s = 0; s < count; s++) {
    const t = triples + (<usize>(s * 3) << 2)
    logLik += bprOne(u, v, bias, load<i32>(t), load<i32>(t, 4), load<i32>(t, 8), k, lr, reg, diff)
  }
  return logLik
}

/** One SGD step on the triple (user, i, j); returns ln σ(x_uij) before it. */
@inline
function bprOne(u: usize, v: usize, bias: usize, user: i32, i: i32, j: i32, k: i32, lr: f32, reg: f32, diff: usize): f64 {
  const ur = u + (<usize>(user * k) << 2)
  const vi = v + (<usize>(i * k) << 2)
  const vj = v + (<usize>(j * k) << 2)
  // diff = v_i - v_j, kept so the item updates below read the old values.
  subInto(vi, vj, diff, k)
  const x = dot(ur, diff, k) + load<f32>(at(bias, i)) - load<f32>(at(bias, j))
  const z: f32 = 1 / (1 + Mathf.exp(x))
  bprUpdate(ur, vi, vj, diff, k, z * lr, lr, reg)
  store<f32>(at(bias, i), load<f32>(at(bias, i)) + lr * (z - reg * load<f32>(at(bias, i))))
  store<f32>(at(bias, j), load<f32>(at(bias, j)) + lr * (-z - reg * load<f32>(at(bias, j))))
  // ln σ(x) = ln(1 - z), one f32 log; where σ underflows, ln σ(x) ≈ x.
  const sig: f32 = 1 - z
  return sig > 0 ? <f64>Mathf.log(sig) : <f64>x
}

let rngState: u32 = 0

/** mulberry32, as src/core/rng.ts: uniform in [0, 1). */
@inline
function nextRandom(): f64 {
  rngState += 0x6d2b79f5
  let t = rngState
  t = (t ^ (t >>> 15)) * (t | 1)
  t ^= t + (t ^ (t >>> 7)) * (t | 61)
  return <f64>(t ^ (t >>> 14)) / 4294967296.0
}

/**
 * `count` BPR steps with the sampling done here too: (u, i) uniform over the observed entries (pairs holds each
 * entry's user and item side by side, so a draw costs one cache miss, not two), j uniform over items, redrawn up to 8 times while u has played it. Several threads may run this
 * at once on one shared memory (Hogwild): updates then race, which SGD tolerates. Returns Σ ln σ(x_uij).
 */
export function bprEpoch(
  u: usize, v: usize, bias: usize, indptr: usize, indices: usize, pairs: usize, nnz: i32, items: i32, count: i32,
  k: i32, lr: f32, reg: f32, seed: u32, diff: usize,
): f64 {
  rngState = seed
  let logLik: f64 = 0
  let s = 0
  // Four samples are drawn (in the same order, from the same random stream, as one at a time) and the rows they
  // update are read once before any update, so their cache misses overlap instead of queueing one after another.
  for (; s + 4 <= count; s += 4) {
    const p0 = drawPair(pairs, nnz), j0 = drawNegative(indptr, indices, p0, items)
    const p1 = drawPair(pairs, nnz), j1 = drawNegative(indptr, indices, p1, items)
    const p2 = drawPair(pairs, nnz), j2 = drawNegative(indptr, indices, p2, items)
    const p3 = drawPair(pairs, nnz), j3 = drawNegative(indptr, indices, p3, items)
    touchSink += touch(u, v, p0, j0, k) + touch(u, v, p1, j1, k) + touch(u, v, p2, j2, k) + touch(u, v, p3, j3, k)
    logLik += step(u, v, bias, p0, j0, k, lr, reg, diff) + step(u, v, bias, p1, j1, k, lr, reg, diff)
    logLik += step(u, v, bias, p2, j2, k, lr, reg, diff) + step(u, v, bias, p3, j3, k, lr, reg, diff)
  }
  for (; s < count; s++) {
    const p = drawPair(pairs, nnz)
    logLik += step(u, v, bias, p, drawNegative(indptr, indices, p, items), k, lr, reg, diff)
  }
  return logLik
}

/** Where touched values go, so the optimiser keeps the loads. */
let touchSink: f32 = 0

/** The address of a uniformly drawn (user, item) entry. */
@inline
function drawPair(pairs: usize, nnz: i32): usize {
  return pairs + (<usize>(<i32>(nextRandom() * nnz)) << 3)
}

/** An item the pair's user has not played, or -1 when eight draws all hit played items. */
@inline
function drawNegative(indptr: usize, indices: usize, pair: usize, items: i32): i32 {
  const user = load<i32>(pair)
  const p0 = load<i32>(at(indptr, user))
  const p1 = load<i32>(at(indptr, user + 1))
  let j = -1
  for (let tries = 0; tries < 8 && j < 0; tries++) {
    const cand = <i32>(nextRandom() * items)
    if (!rowHas(indices, p0, p1, cand)) j = cand
  }
  return j
}

/** Reads the first and last float of the three rows a sample updates. */
@inline
function touch(u: usize, v: usize, pair: usize, j: i32, k: i32): f32 {
  const last = <usize>(k - 1) << 2
  const ur = u + (<usize>(load<i32>(pair) * k) << 2)
  const vi = v + (<usize>(load<i32>(pair, 4) * k) << 2)
  const vj = v + (<usize>(max(j, 0) * k) << 2)
  return load<f32>(ur) + load<f32>(ur + last) + load<f32>(vi) + load<f32>(vi + last) + load<f32>(vj) + load<f32>(vj + last)
}

@inline
function step(u: usize, v: usize, bias: usize, pair: usize, j: i32, k: i32, lr: f32, reg: f32, diff: usize): f64 {
  return j >= 0 ? bprOne(u, v, bias, load<i32>(pair), load<i32>(pair, 4), j, k, lr, reg, diff) : 0
}

function rowHas(indices: usize, p0: i32, p1: i32, col: i32): bool {
  let lo = p0
  let hi = p1 - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const c = load<i32>(at(indices, mid))
    if (c < col) lo = mid + 1
    else if (c > col) hi = mid - 1
    else return true
  }
  return false
}

@inline
function subInto(a: usize, b: usize, out: usize, k: i32): void {
  let d = 0
  for (; d + 4 <= k; d += 4) v128.store(at(out, d), f32x4.sub(v128.load(at(a, d)), v128.load(at(b, d))))
  for (; d < k; d++) store<f32>(at(out, d), load<f32>(at(a, d)) - load<f32>(at(b, d)))
}

// u += lr (z (v_i - v_j) - reg u); v_i += lr (z u - reg v_i); v_j += lr (-z u - reg v_j), all from the old u.
function bprUpdate(ur: usize, vi: usize, vj: usize, diff: usize, k: i32, zlr: f32, lr: f32, reg: f32): void {
  const vz = f32x4.splat(zlr)
  const vd = f32x4.splat(1 - lr * reg)
  let d = 0
  for (; d + 4 <= k; d += 4) {
    const uo = v128.load(at(ur, d))
    v128.store(at(ur, d), f32x4.add(f32x4.mul(vd, uo), f32x4.mul(vz, v128.load(at(diff, d)))))
    const zu = f32x4.mul(vz, uo)
    v128.store(at(vi, d), f32x4.add(f32x4.mul(vd, v128.load(at(vi, d))), zu))
    v128.store(at(vj, d), f32x4.sub(f32x4.mul(vd, v128.load(at(vj, d))), zu))
  }
  const sd: f32 = 1 - lr * reg
  for (; d < k; d++) {
    const uo = load<f32>(at(ur, d))
    store<f32>(at(ur, d), sd * uo + zlr * load<f32>(at(diff, d)))
    store<f32>(at(vi, d), sd * load<f32>(at(vi, d)) + zlr * uo)
    store<f32>(at(vj, d), sd * load<f32>(at(vj, d)) - zlr * uo)
  }
}

/**
 * out (m x n) = U (m x k) · Vᵀ (V: n x k), in tiles of 4 users x 2 items so each loaded vector feeds several
 * products: per four dimensions, 6 loads for 8 multiply-adds.
 */
export function scoreBlock(u: usize, m: i32, v: usize, n: i32, k: i32, out: usize): void {
  const k4 = k & ~3
  let a = 0
  for (; a + 4 <= m; a += 4) {
    let b = 0
    for (; b + 2 <= n; b += 2) tile4x2(u, a, v, b, n, k, k4, out)
    for (; b < n; b++) for (let q = a; q < a + 4; q++) store<f32>(at(out, q * n + b), dotRows(u, q, v, b, k))
  }
  for (; a < m; a++) for (let b = 0; b < n; b++) store<f32>(at(out, a * n + b), dotRows(u, a, v, b, k))
}

// One accumulator, summed as tile4x2 sums, so a score is bit-identical whichever path computed it.
@inline
function dotRows(u: usize, a: i32, v: usize, b: i32, k: i32): f32 {
  const ua = u + (<usize>(a * k) << 2)
  const vb = v + (<usize>(b * k) << 2)
  const k4 = k & ~3
  let acc = f32x4.splat(0)
  for (let d = 0; d < k4; d += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(at(ua, d)), v128.load(at(vb, d))))
  return hsum(acc) + tailDot(ua, vb, k4, k)
}

function tile4x2(u: usize, a: i32, v: usize, b: i32, n: i32, k: i32, k4: i32, out: usize): void {
  const u0 = u + (<usize>(a * k) << 2)
  const u1 = u0 + (<usize>k << 2)
  const u2 = u1 + (<usize>k << 2)
  const u3 = u2 + (<usize>k << 2)
  const v0 = v + (<usize>(b * k) << 2)
  const v1 = v0 + (<usize>k << 2)
  let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s10 = f32x4.splat(0), s11 = f32x4.splat(0)
  let s20 = f32x4.splat(0), s21 = f32x4.splat(0), s30 = f32x4.splat(0), s31 = f32x4.splat(0)
  for (let d = 0; d < k4; d += 4) {
    const off = <usize>d << 2
    const x0 = v128.load(v0 + off)
    const x1 = v128.load(v1 + off)
    const w0 = v128.load(u0 + off)
    s00 = f32x4.add(s00, f32x4.mul(w0, x0))
    s01 = f32x4.add(s01, f32x4.mul(w0, x1))
    const w1 = v128.load(u1 + off)
    s10 = f32x4.add(s10, f32x4.mul(w1, x0))
    s11 = f32x4.add(s11, f32x4.mul(w1, x1))
    const w2 = v128.load(u2 + off)
    s20 = f32x4.add(s20, f32x4.mul(w2, x0))
    s21 = f32x4.add(s21, f32x4.mul(w2, x1))
    const w3 = v128.load(u3 + off)
    s30 = f32x4.add(s30, f32x4.mul(w3, x0))
    s31 = f32x4.add(s31, f32x4.mul(w3, x1))
  }
  const o = out + (<usize>(a * n + b) << 2)
  const row = <usize>n << 2
  store<f32>(o, hsum(s00) + tailDot(u0, v0, k4, k))
  store<f32>(o, hsum(s01) + tailDot(u0, v1, k4, k), 4)
  store<f32>(o + row, hsum(s10) + tailDot(u1, v0, k4, k))
  store<f32>(o + row, hsum(s11) + tailDot(u1, v1, k4, k), 4)
  store<f32>(o + 2 * row, hsum(s20) + tailDot(u2, v0, k4, k))
  store<f32>(o + 2 * row, hsum(s21) + tailDot(u2, v1, k4, k), 4)
  store<f32>(o + 3 * row, hsum(s30) + tailDot(u3, v0, k4, k))
  store<f32>(o + 3 * row, hsum(s31) + tailDot(u3, v1, k4, k), 4)
}

@inline
function tailDot(a: usize, b: usize, from: i32, k: i32): f32 {
  let s: f32 = 0
  for (let d = from; d < k; d++) s += load<f32>(at(a, d)) * load<f32>(at(b, d))
  return s
}

/**
 * Merges n scores into a min-heap of the best `top` so far (count entries held in heapItems/heapScores) and
 * returns the new count. Score q belongs to item base + q, or to perm[base + q] when `perm` is not 0 (rows stored
 * in another order): ties go to the lower item id either way. Excluded items must already hold -Inf. Four
 * scores are compared against the heap's root at once, so most of the scan is one vector compare per four.
 */
export function topMerge(scores: usize, n: i32, base: i32, perm: usize, top: i32, heapItems: usize, heapScores: usize, count: i32): i32 {
  let thr: f32 = count == top ? load<f32>(heapScores) : -Infinity
  let vthr = f32x4.splat(thr)
  let i = 0
  for (; i + 4 <= n; i += 4) {
    // >= rather than >: an equal score may still win its tie on item id.
    if (!v128.any_true(f32x4.ge(v128.load(at(scores, i)), vthr))) continue
    for (let q = i; q < i + 4; q++) count = consider(scores, q, base, perm, top, heapItems, heapScores, count)
    thr = count == top ? load<f32>(heapScores) : -Infinity
    vthr = f32x4.splat(thr)
  }
  for (; i < n; i++) count = consider(scores, i, base, perm, top, heapItems, heapScores, count)
  return count
}

@inline
function consider(scores: usize, q: i32, base: i32, perm: usize, top: i32, heapItems: usize, heapScores: usize, count: i32): i32 {
  const s = load<f32>(at(scores, q))
  if (!(s > -Infinity)) return count
  const item = perm ? load<i32>(at(perm, base + q)) : base + q
  if (count == top && !worse(load<f32>(heapScores), load<i32>(heapItems), s, item)) return count
  return offer(heapItems, heapScores, count, top, item, s)
}

// Heap order: the root is the worst kept entry (lowest score; among equal scores the higher item, which
// arrived later and so loses the tie).
@inline
function worse(sa: f32, ia: i32, sb: f32, ib: i32): bool {
  return sa < sb || (sa == sb && ia > ib)
}

function offer(items: usize, scores: usize, count: i32, top: i32, item: i32, s: f32): i32 {
  if (count < top) {
    let c = count
    while (c > 0) {
      const parent = (c - 1) >> 1
      const ps = load<f32>(at(scores, parent))
      const pi = load<i32>(at(items, parent))
      if (!worse(s, item, ps, pi)) break
      store<f32>(at(scores, c), ps)
      store<i32>(at(items, c), pi)
      c = parent
    }
    store<f32>(at(scores, c), s)
    store<i32>(at(items, c), item)
    return count + 1
  }
  siftDown(items, scores, count, item, s)
  return count
}

function siftDown(items: usize, scores: usize, size: i32, item: i32, s: f32): void {
  let c = 0
  while (true) {
    let child = 2 * c + 1
    if (child >= size) break
    let cs = load<f32>(at(scores, child))
    let ci = load<i32>(at(items, child))
    if (child + 1 < size) {
      const rs = load<f32>(at(scores, child + 1))
      const ri = load<i32>(at(items, child + 1))
      if (worse(rs, ri, cs, ci)) {
        child++
        cs = rs
        ci = ri
      }
    }
    if (!worse(cs, ci, s, item)) break
    store<f32>(at(scores, c), cs)
    store<i32>(at(items, c), ci)
    c = child
  }
  store<f32>(at(scores, c), s)
  store<i32>(at(items, c), item)
}

/** Heap sort: repeatedly moves the worst to the end, leaving the entries best first. */
export function sortHeap(items: usize, scores: usize, count: i32): void {
  for (let end = count - 1; end > 0; end--) {
    const s = load<f32>(at(scores, end))
    const it = load<i32>(at(items, end))
    store<f32>(at(scores, end), load<f32>(scores))
    store<i32>(at(items, end), load<i32>(items))
    siftDown(items, scores, end, it, s)
  }
}

/**
 * Scores users [0, m) against all n rows of V and keeps each one's top `top` (heaps at outItems/outScores, `top`
 * slots per user; outCounts says how many are filled), leaving out the rows listed in `seen` (sorted, CSR over
 * the m users: seenPtr[a] .. seenPtr[a + 1]). Rows go in chunks of `chunk`, so one chunk of V stays in cache
 * while every user of the block is scored against it. `scores` is scratch of m x chunk floats; `cursor` of m i32.
 *
 * When `norms` is not 0, V's rows are sorted by norm, largest first (norms[r] = |v_r|, one past the end too)
 * and perm[r] is row r's item id. Then u·v <= |u| |v| bounds every row not yet scanned, and the scan stops once
 * that bound is below every user's current top-th score: exact, and usually after a small share of the rows.
 */
export function recommendBlock(
  u: usize, m: i32, v: usize, n: i32, k: i32, chunk: i32, scores: usize, seenPtr: usize, seen: usize, cursor: usize,
  top: i32, outItems: usize, outScores: usize, outCounts: usize, perm: usize, norms: usize, userNorms: usize,
): void {
  memory.copy(cursor, seenPtr, <usize>m << 2)
  memory.fill(outCounts, 0, <usize>m << 2)
  if (norms) for (let a = 0; a < m; a++) store<f32>(at(userNorms, a), Mathf.sqrt(dotRows(u, a, u, a, k)))
  for (let c0 = 0; c0 < n; c0 += chunk) {
    const c1 = min(n, c0 + chunk)
    const width = c1 - c0
    scoreBlock(u, m, v + (<usize>(c0 * k) << 2), width, k, scores)
    for (let a = 0; a < m; a++) {
      const row = scores + (<usize>(a * width) << 2)
      maskSeen(row, c0, c1, seen, at(cursor, a), load<i32>(at(seenPtr, a + 1)))
      const o = <usize>(a * top) << 2
      store<i32>(at(outCounts, a), topMerge(row, width, c0, perm, top, outItems + o, outScores + o, load<i32>(at(outCounts, a))))
    }
    if (norms && c1 < n && allBounded(m, top, outScores, outCounts, userNorms, load<f32>(at(norms, c1)))) break
  }
  for (let a = 0; a < m; a++) {
    const o = <usize>(a * top) << 2
    sortHeap(outItems + o, outScores + o, load<i32>(at(outCounts, a)))
  }
}

/** Whether no remaining row (norm at most `rest`) can enter any user's full heap. */
function allBounded(m: i32, top: i32, outScores: usize, outCounts: usize, userNorms: usize, rest: f32): bool {
  for (let a = 0; a < m; a++) {
    if (load<i32>(at(outCounts, a)) < top) return false
    // A small margin covers rounding in the f32 dot products, so pruning never drops a true top item.
    const bound = load<f32>(at(userNorms, a)) * rest * 1.0001 + 1e-6
    if (bound >= load<f32>(outScores + (<usize>(a * top) << 2))) return false
  }
  return true
}

/** Sets to -Inf the seen rows that fall in [c0, c1), advancing the user's cursor through its sorted list. */
@inline
function maskSeen(row: usize, c0: i32, c1: i32, seen: usize, cur: usize, end: i32): void {
  let e = load<i32>(cur)
  while (e < end) {
    const item = load<i32>(at(seen, e))
    if (item >= c1) break
    store<f32>(at(row, item - c0), -Infinity)
    e++
  }
  store<i32>(cur, e)
}
