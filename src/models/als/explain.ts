import type { Scored } from '../types.js'

/**
 * Which history items drove an ALS score. At the optimum x_u = A⁻¹ Σ_i c_i y_i with A = YᵀY + λI + Σ_i (c_i - 1)
 * y_i y_iᵀ, so the score of item j splits exactly into Σ_i c_i · (y_jᵀ A⁻¹ y_i): item i's share. This is the
 * decomposition `implicit` uses (through a Cholesky factor of A); here A is formed in f64 and factored once.
 * Training stops CG after a few steps, so the model's own score differs a little from the optimum's; that
 * remainder (`score` minus the shares) is spread over the items in proportion to their confidence, so the
 * shares always sum to the score the model reports.
 */
export function explainScore(
  gram: Float32Array, y: Float32Array, k: number, items: Int32Array, conf: Float32Array, target: number, top: number, score: number,
): Scored[] {
  return scoreExplainer(gram, y, k, items, conf)(target, top, score)
}

/**
 * explainScore for many targets of one user: A is formed and factored once, and each target then costs one
 * triangular solve pair and a dot product per history item.
 */
export function scoreExplainer(
  gram: Float32Array, y: Float32Array, k: number, items: Int32Array, conf: Float32Array,
): (target: number, top: number, score: number) => Scored[] {
  return explainerOf(explainBasis(gram, y, k, items, conf).chol, y, k, items, conf)
}

/** A history's A (see explainScore) as its Cholesky factor, with the history it was made from. */
export interface ExplainBasis {
  readonly items: Int32Array
  readonly conf: Float32Array
  /** Lower-triangular L (k x k, row-major) with L Lᵀ = A. */
  readonly chol: Float64Array
}

/** The factorisation scoreExplainer makes, for a caller to keep and update (explainerNear). */
export function explainBasis(gram: Float32Array, y: Float32Array, k: number, items: Int32Array, conf: Float32Array): ExplainBasis {
  return { items, conf, chol: cholesky(confidenceGram(gram, y, k, items, conf), k) }
}

/** Rank-one changes of a basis beyond which factorising afresh is cheaper (each costs ~2k², a factorisation k³/6). */
const NEAR_CHANGES = 4

/**
 * scoreExplainer for a history near `basis`'s (a listener's history and one request's seeds): A differs from the
 * basis's by (c_e - c'_e) y_e y_eᵀ for each item whose confidence differs, so its factor is the basis's updated
 * by one rank-one change per such item (O(k²) each) instead of formed and factored afresh (O(k³)). The same A up to
 * rounding: shares agree with scoreExplainer's to ~1e-12 relative (test/models/als-explain-near.test.ts). Falls
 * back to factorising afresh when many items differ or a downdate would lose definiteness.
 */
export function explainerNear(
  basis: ExplainBasis, gram: Float32Array, y: Float32Array, k: number, items: Int32Array, conf: Float32Array,
): (target: number, top: number, score: number) => Scored[] {
  const changes = confidenceChanges(basis, items, conf)
  let chol: Float64Array | undefined
  if (changes.length <= NEAR_CHANGES) {
    chol = basis.chol.slice()
    const v = new Float64Array(k)
    for (const [item, delta] of changes) {
      const scale = Math.sqrt(Math.abs(delta))
      for (let d = 0; d < k; d++) v[d] = scale * y[item * k + d]
      if (!rankOneChange(chol, v, k, delta > 0 ? 1 : -1)) {
        chol = undefined
        break
      }
    }
  }
  return explainerOf(chol ?? explainBasis(gram, y, k, items, conf).chol, y, k, items, conf)
}

/** (item, c - c_basis) for every item whose confidence differs between the basis and (items, conf); both sorted. */
function confidenceChanges(basis: ExplainBasis, items: Int32Array, conf: Float32Array): [number, number][] {
  const out: [number, number][] = []
  let i = 0, j = 0
  // An item absent from a history has confidence 1 there (its term (c - 1) is zero).
  while (i < basis.items.length || j < items.length) {
    const a = i < basis.items.length ? basis.items[i] : Infinity
    const b = j < items.length ? items[j] : Infinity
    if (a === b) {
      if (conf[j] !== basis.conf[i]) out.push([a, conf[j] - basis.conf[i]])
      i++
      j++
    } else if (a < b) out.push([a, 1 - basis.conf[i++]])
    else {
      out.push([b, conf[j] - 1])
      j++
    }
  }
  return out
}

/**
 * L := the factor of L Lᵀ + sign·v vᵀ, in place (v is overwritten), by the usual rotations. False when a downdate
 * would make a pivot non-positive (then L is spoilt and the caller factorises afresh).
 */
function rankOneChange(l: Float64Array, v: Float64Array, k: number, sign: 1 | -1): boolean {
  for (let c = 0; c < k; c++) {
    const lcc = l[c * k + c]
    const square = lcc * lcc + sign * v[c] * v[c]
    if (!(square > 0)) return false
    const r = Math.sqrt(square)
    const cos = r / lcc
    const sin = v[c] / lcc
    l[c * k + c] = r
    for (let i = c + 1; i < k; i++) {
      const lic = (l[i * k + c] + sign * sin * v[i]) / cos
      l[i * k + c] = lic
      v[i] = cos * v[i] - sin * lic
    }
  }
  return true
}

/** The explainer over a factor of A: per target, one triangular solve pair and a dot product per history item. */
function explainerOf(chol: Float64Array, y: Float32Array, k: number, items: Int32Array, conf: Float32Array): (target: number, top: number, score: number) => Scored[] {
  const parts = new Float64Array(items.length)
  return (target, top, score) => {
    const w = cholSolve(chol, y.subarray(target * k, target * k + k), k)
    let shares = 0, weight = 0
    for (let e = 0; e < items.length; e++) {
      let s = 0
      for (let d = 0; d < k; d++) s += w[d] * y[items[e] * k + d]
      parts[e] = conf[e] * s
      shares += parts[e]
      weight += conf[e]
    }
    if (weight > 0) for (let e = 0; e < items.length; e++) parts[e] += ((score - shares) * conf[e]) / weight
    return largestShares(items, parts, top)
  }
}

/** The `top` largest shares, largest first (ties: lower item first), by repeated scans: top is small (1 to 5). */
function largestShares(items: Int32Array, parts: Float64Array, top: number): Scored[] {
  const out: Scored[] = []
  const taken = new Uint8Array(items.length)
  for (let t = 0; t < Math.min(top, items.length); t++) {
    let best = -1
    for (let e = 0; e < items.length; e++) {
      if (taken[e]) continue
      if (best < 0 || parts[e] > parts[best] || (parts[e] === parts[best] && items[e] < items[best])) best = e
    }
    taken[best] = 1
    out.push({ item: items[best], score: parts[best] })
  }
  return out
}

/**
 * The lower triangle of A = G + Σ_e (c_e - 1) y_e y_eᵀ (the only part the Cholesky factorisation reads). Each
 * entry starts from G and adds the history's terms in history order, as adding the outer products one by one
 * would, so it is that sum bit for bit; but it runs over the history's factors gathered feature-major, keeping
 * the sum in a register instead of reading and writing A once per history item.
 */
function confidenceGram(gram: Float32Array, y: Float32Array, k: number, items: Int32Array, conf: Float32Array): Float64Array {
  const h = items.length
  const cols = new Float64Array(k * h)
  const scaled = new Float64Array(k * h)
  for (let e = 0; e < h; e++) {
    const c = conf[e] - 1
    for (let d = 0; d < k; d++) {
      const v = y[items[e] * k + d]
      cols[d * h + e] = v
      scaled[d * h + e] = c * v
    }
  }
  const a = new Float64Array(k * k)
  for (let r = 0; r < k; r++) {
    // Two entries of the row at a time, each its own sum in the same order: half the reads of scaled.
    let s = 0
    for (; s + 1 <= r; s += 2) {
      let s0 = gram[r * k + s], s1 = gram[r * k + s + 1]
      for (let e = 0, c0 = s * h, c1 = c0 + h, x = r * h; e < h; e++) {
        const v = scaled[x + e]
        s0 += v * cols[c0 + e]
        s1 += v * cols[c1 + e]
      }
      a[r * k + s] = s0
      a[r * k + s + 1] = s1
    }
    if (s === r) {
      let sum = gram[r * k + s]
      for (let e = 0; e < h; e++) sum += scaled[r * h + e] * cols[s * h + e]
      a[r * k + s] = sum
    }
  }
  return a
}

/** Solves A x = b for symmetric positive definite A (k x k, f64, row-major). */
export function solveSpd(a: Float64Array, b: ArrayLike<number>, k: number): Float64Array {
  return cholSolve(cholesky(a, k), b, k)
}

/** Lower-triangular L with L Lᵀ = A (A symmetric positive definite; tiny pivots are floored). */
function cholesky(a: Float64Array, k: number): Float64Array {
  const l = new Float64Array(k * k)
  for (let r = 0; r < k; r++) {
    for (let c = 0; c <= r; c++) {
      let s = a[r * k + c]
      for (let t = 0; t < c; t++) s -= l[r * k + t] * l[c * k + t]
      l[r * k + c] = r === c ? Math.sqrt(Math.max(s, 1e-12)) : s / l[c * k + c]
    }
  }
  return l
}

function cholSolve(l: Float64Array, b: ArrayLike<number>, k: number): Float64Array {
  const z = new Float64Array(k)
  for (let r = 0; r < k; r++) {
    let s = b[r]
    for (let t = 0; t < r; t++) s -= l[r * k + t] * z[t]
    z[r] = s / l[r * k + r]
  }
  for (let r = k - 1; r >= 0; r--) {
    let s = z[r]
    for (let t = r + 1; t < k; t++) s -= l[t * k + r] * z[t]
    z[r] = s / l[r * k + r]
  }
  return z
}
