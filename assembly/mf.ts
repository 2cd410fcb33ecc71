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

/** Rows of y per block of gram(): 64 rows of 64 floats (16 KiB) stay in L1 while the block is summed. */
const GRAM_BLOCK = 64

/**
 * out (k x k) += Σ over rows of y yᵀ. Each element is summed over the rows in order, exactly as adding y_r y_rᵀ
 * row by row would (so bit-identical to that); only the upper triangle (from each row's 4-aligned column) is
 * summed, in registers over a block of rows, and the rest copied from it: y_r[a] y_r[b] = y_r[b] y_r[a].
 */
export function gram(y: usize, rows: i32, k: i32, out: usize): void {
  const row = <usize>k << 2
  for (let r0 = 0; r0 < rows; r0 += GRAM_BLOCK) {
    const n = min(GRAM_BLOCK, rows - r0)
    const block = y + <usize>r0 * row
    for (let a = 0; a < k; a++) {
      const oa = out + <usize>a * row
      let d = a & ~3
      for (; d + 16 <= k; d += 16) gramSlice4(block, n, row, a, d, oa)
      for (; d + 4 <= k; d += 4) {
        let s0 = v128.load(at(oa, d))
        for (let r = 0; r < n; r++) {
          const yr = block + <usize>r * row
          s0 = f32x4.add(s0, f32x4.mul(f32x4.splat(load<f32>(at(yr, a))), v128.load(at(yr, d))))
        }
        v128.store(at(oa, d), s0)
      }
      for (; d < k; d++) {
        let s = load<f32>(at(oa, d))
        for (let r = 0; r < n; r++) {
          const yr = block + <usize>r * row
          s += load<f32>(at(yr, a)) * load<f32>(at(yr, d))
        }
        store<f32>(at(oa, d), s)
      }
    }
  }
  for (let a = 0; a < k; a++) for (let b = 0; b < (a & ~3); b++) store<f32>(at(out + <usize>a * row, b), load<f32>(at(out + <usize>b * row, a)))
}

/** out_a[d .. d + 16) += Σ over the block's n rows of y_r[a] y_r[d .. d + 16), four accumulators in registers. */
function gramSlice4(block: usize, n: i32, row: usize, a: i32, d: i32, oa: usize): void {
  const o = at(oa, d)
  let s0 = v128.load(o), s1 = v128.load(o, 16), s2 = v128.load(o, 32), s3 = v128.load(o, 48)
  let yr = block
  const off = <usize>d << 2
  for (let r = 0; r < n; r++) {
    const c = f32x4.splat(load<f32>(at(yr, a)))
    const ys = yr + off
    s0 = f32x4.add(s0, f32x4.mul(c, v128.load(ys)))
    s1 = f32x4.add(s1, f32x4.mul(c, v128.load(ys, 16)))
    s2 = f32x4.add(s2, f32x4.mul(c, v128.load(ys, 32)))
    s3 = f32x4.add(s3, f32x4.mul(c, v128.load(ys, 48)))
    yr += row
  }
  v128.store(o, s0)
  v128.store(o, s1, 16)
  v128.store(o, s2, 32)
  v128.store(o, s3, 48)
}

/** out (k) = G (k x k, symmetric) · x, three rows of G at a time (each output summed exactly as dot() sums it). */
function gemv(g: usize, x: usize, k: i32, out: usize): void {
  const row = <usize>k << 2
  let a = 0
  for (; a + 3 <= k; a += 3) dots3(g + <usize>a * row, g + <usize>(a + 1) * row, g + <usize>(a + 2) * row, x, k, at(out, a))
  for (; a < k; a++) store<f32>(at(out, a), dot(g + <usize>a * row, x, k))
}

/**
 * Three dot products with one vector b, stored at out[0..3): each summed in exactly dot()'s order (two chains,
 * then the lanes, then the scalar tail), so bit-identical to three dot() calls; interleaved, the six chains keep
 * the adders busy where one dot waits on its own previous add. (Three, not four: eight accumulators and their
 * operands overflow x64's sixteen vector registers and V8 spills one chain to the stack.)
 */
@inline
function dots3(a0: usize, a1: usize, a2: usize, b: usize, k: i32, out: usize): void {
  let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s10 = f32x4.splat(0), s11 = f32x4.splat(0)
  let s20 = f32x4.splat(0), s21 = f32x4.splat(0)
  let d = 0
  for (; d + 8 <= k; d += 8) {
    const o = <usize>d << 2
    const b0 = v128.load(b + o)
    const b1 = v128.load(b + o, 16)
    s00 = f32x4.add(s00, f32x4.mul(v128.load(a0 + o), b0))
    s01 = f32x4.add(s01, f32x4.mul(v128.load(a0 + o, 16), b1))
    s10 = f32x4.add(s10, f32x4.mul(v128.load(a1 + o), b0))
    s11 = f32x4.add(s11, f32x4.mul(v128.load(a1 + o, 16), b1))
    s20 = f32x4.add(s20, f32x4.mul(v128.load(a2 + o), b0))
    s21 = f32x4.add(s21, f32x4.mul(v128.load(a2 + o, 16), b1))
  }
  for (; d + 4 <= k; d += 4) {
    const o = <usize>d << 2
    const b0 = v128.load(b + o)
    s00 = f32x4.add(s00, f32x4.mul(v128.load(a0 + o), b0))
    s10 = f32x4.add(s10, f32x4.mul(v128.load(a1 + o), b0))
    s20 = f32x4.add(s20, f32x4.mul(v128.load(a2 + o), b0))
  }
  let t0 = hsum(f32x4.add(s00, s01)), t1 = hsum(f32x4.add(s10, s11)), t2 = hsum(f32x4.add(s20, s21))
  for (; d < k; d++) {
    const bd = load<f32>(at(b, d))
    t0 += load<f32>(at(a0, d)) * bd
    t1 += load<f32>(at(a1, d)) * bd
    t2 += load<f32>(at(a2, d)) * bd
  }
  store<f32>(out, t0)
  store<f32>(out, t1, 4)
  store<f32>(out, t2, 8)
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
    // The residual pass's touches run on through the job's entries; a long row's steps touch its own again.
    const jobTouchedTo = touchedTo
    const jobTouchEnd = touchEnd
    touchSteps = p1 - p0 > LONG_ROW
    cgRow(xr, y, indices, conf, p0, p1, k, g, steps, res, p, ap)
    touchedTo = jobTouchedTo
    touchEnd = jobTouchEnd
  }
}

/** Where touched words go, so the optimiser keeps the loads. */
let touchSolveSink: i32 = 0
/** Entries of the current cgSolve whose fixed rows have been touched: [start, touchedTo) of [start, touchEnd). */
let touchedTo: i32 = 0
let touchEnd: i32 = 0
/**
 * Rows with more entries than this (256 KiB of fixed rows at k = 64, half of L2) outgrow the cache between one
 * pass over their entries and the next, so the CG steps touch ahead too, not only the residual pass; popular
 * items have such rows on the item side.
 */
const LONG_ROW = 1024
/** Whether the CG steps of the current row touch ahead (set per row by cgSolve). */
let touchSteps = false
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

/**
 * Entries per chunk of a row's pass over its entries: the chunk's coefficients are formed first, then added
 * into the output a slice of dimensions at a time, the slice held in registers; the chunk's fixed rows
 * (16 KiB at k = 64) stay in L1 from the first loop to the last.
 */
const CHUNK = 64
/** The current chunk's coefficients (one thread per instance: cgSolve does not run on shared memory). */
const coefs = memory.data(CHUNK * 4, 16)
/** The two kinds of pass: the residual's c - (c - 1) y·v, the CG step's (c - 1) y·v. */
const PASS_RESIDUAL = 0
const PASS_STEP = 1

/**
 * out += Σ_e coef_e y_e over entries [p0, p1), where coef_e is formed from y_e·v as `pass` says: the same sums,
 * in the same order per output element, as one axpy(coef_e, y_e, out) per entry, so bit-identical to that.
 */
@inline
function entriesPass(pass: i32, y: usize, indices: usize, conf: usize, p0: i32, p1: i32, k: i32, v: usize, out: usize): void {
  const row = <usize>k << 2
  for (let c0 = p0; c0 < p1; c0 += CHUNK) {
    const n = min(CHUNK, p1 - c0)
    let i = 0
    for (; i + 3 <= n; i += 3) {
      const e = c0 + i
      if (pass == PASS_RESIDUAL || touchSteps) touchAhead(y, indices, e + 2, k)
      const y0 = y + <usize>load<i32>(at(indices, e)) * row
      const y1 = y + <usize>load<i32>(at(indices, e + 1)) * row
      const y2 = y + <usize>load<i32>(at(indices, e + 2)) * row
      dots3(y0, y1, y2, v, k, at(coefs, i))
    }
    for (; i < n; i++) {
      if (pass == PASS_RESIDUAL || touchSteps) touchAhead(y, indices, c0 + i, k)
      store<f32>(at(coefs, i), dot(y + <usize>load<i32>(at(indices, c0 + i)) * row, v, k))
    }
    for (i = 0; i < n; i++) {
      const c = load<f32>(at(conf, c0 + i))
      const yv = load<f32>(at(coefs, i))
      store<f32>(at(coefs, i), pass == PASS_RESIDUAL ? c - (c - 1) * yv : (c - 1) * yv)
    }
    let d = 0
    for (; d + 32 <= k; d += 32) addSlice8(y, indices, c0, n, row, <usize>d << 2, at(out, d))
    for (; d + 4 <= k; d += 4) addSlice1(y, indices, c0, n, row, <usize>d << 2, at(out, d))
    for (; d < k; d++) {
      let s = load<f32>(at(out, d))
      for (i = 0; i < n; i++) s += load<f32>(at(coefs, i)) * load<f32>(y + <usize>load<i32>(at(indices, c0 + i)) * row + (<usize>d << 2))
      store<f32>(at(out, d), s)
    }
  }
}

/** out[0..32) += Σ over the chunk's n entries of coef_i · y_i[d .. d + 32) (byte offset `off`), in registers. */
function addSlice8(y: usize, indices: usize, c0: i32, n: i32, row: usize, off: usize, out: usize): void {
  let s0 = v128.load(out), s1 = v128.load(out, 16), s2 = v128.load(out, 32), s3 = v128.load(out, 48)
  let s4 = v128.load(out, 64), s5 = v128.load(out, 80), s6 = v128.load(out, 96), s7 = v128.load(out, 112)
  for (let i = 0; i < n; i++) {
    const yi = y + <usize>load<i32>(at(indices, c0 + i)) * row + off
    const c = f32x4.splat(load<f32>(at(coefs, i)))
    s0 = f32x4.add(s0, f32x4.mul(c, v128.load(yi)))
    s1 = f32x4.add(s1, f32x4.mul(c, v128.load(yi, 16)))
    s2 = f32x4.add(s2, f32x4.mul(c, v128.load(yi, 32)))
    s3 = f32x4.add(s3, f32x4.mul(c, v128.load(yi, 48)))
    s4 = f32x4.add(s4, f32x4.mul(c, v128.load(yi, 64)))
    s5 = f32x4.add(s5, f32x4.mul(c, v128.load(yi, 80)))
    s6 = f32x4.add(s6, f32x4.mul(c, v128.load(yi, 96)))
    s7 = f32x4.add(s7, f32x4.mul(c, v128.load(yi, 112)))
  }
  v128.store(out, s0)
  v128.store(out, s1, 16)
  v128.store(out, s2, 32)
  v128.store(out, s3, 48)
  v128.store(out, s4, 64)
  v128.store(out, s5, 80)
  v128.store(out, s6, 96)
  v128.store(out, s7, 112)
}

/** addSlice8 for one vector of four dimensions. */
function addSlice1(y: usize, indices: usize, c0: i32, n: i32, row: usize, off: usize, out: usize): void {
  let s0 = v128.load(out)
  for (let i = 0; i < n; i++) {
    const yi = y + <usize>load<i32>(at(indices, c0 + i)) * row + off
    s0 = f32x4.add(s0, f32x4.mul(f32x4.splat(load<f32>(at(coefs, i))), v128.load(yi)))
  }
  v128.store(out, s0)
}

/** res = b - A x, the starting residual. */
function residual(xr: usize, y: usize, indices: usize, conf: usize, p0: i32, p1: i32, k: i32, g: usize, res: usize): void {
  gemv(g, xr, k, res)
  for (let d = 0; d < k; d++) store<f32>(at(res, d), -load<f32>(at(res, d)))
  entriesPass(PASS_RESIDUAL, y, indices, conf, p0, p1, k, xr, res)
}

function cgRow(
  xr: usize, y: usize, indices: usize, conf: usize, p0: i32, p1: i32, k: i32, g: usize, steps: i32, res: usize, p: usize, ap: usize,
): void {
  memory.copy(p, res, <usize>k << 2)
  let rsOld = dot(res, res, k)
  if (rsOld < 1e-20) return
  for (let it = 0; it < steps; it++) {
    gemv(g, p, k, ap)
    if (touchSteps) {
      touchedTo = p0
      touchEnd = p1
    }
    entriesPass(PASS_STEP, y, indices, conf, p0, p1, k, p, ap)
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
