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
  const chol = cholesky(confidenceGram(gram, y, k, items, conf), k)
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
