import { selectTopN } from '../rerank/select.js'
import type { BprSession, CgJob, MfKernel, RowOrder, TopBlock } from './mf-kernel.js'

/**
 * The plain-TypeScript backend: the same algorithms as the WASM one, on the caller's arrays directly (so it also
 * works on SharedArrayBuffer views, which BPR's Hogwild threads rely on).
 */
export class TsMfKernel implements MfKernel {
  readonly backend = 'ts' as const
  private y: Float32Array = new Float32Array(0)
  private rows = 0
  private k = 0

  setFixed(y: Float32Array, rows: number, k: number): void {
    this.y = y
    this.rows = rows
    this.k = k
  }

  gram(from = 0, to = this.rows): Float32Array {
    const { y, k } = this
    const acc = new Float64Array(k * k)
    for (let r = from; r < to; r++) {
      const o = r * k
      for (let a = 0; a < k; a++) {
        const ya = y[o + a]
        for (let b = 0; b < k; b++) acc[a * k + b] += ya * y[o + b]
      }
    }
    return Float32Array.from(acc)
  }

  cgSolve(job: CgJob, g: Float32Array, steps: number): void {
    const k = this.k
    const scratch = new Float32Array(3 * k)
    for (let r = 0; r + 1 < job.indptr.length; r++) {
      cgRow(job.x, r * k, this.y, job.indices, job.conf, job.indptr[r], job.indptr[r + 1], k, g, steps, scratch)
    }
  }

  scores(u: Float32Array, m: number): Float32Array {
    const { y, rows, k } = this
    const out = new Float32Array(m * rows)
    for (let a = 0; a < m; a++) for (let b = 0; b < rows; b++) out[a * rows + b] = dotAt(u, a * k, y, b * k, k)
    return out
  }

  /** Scores every row (no early stop) and selects with selectTopN, in item-id space when rows are reordered. */
  recommend(u: Float32Array, m: number, seenPtr: Int32Array, seen: Int32Array, top: number, order?: RowOrder): TopBlock {
    const out: TopBlock = { items: new Int32Array(m * top), scores: new Float32Array(m * top), counts: new Int32Array(m) }
    for (let a = 0; a < m; a++) {
      const rowScores = this.scores(u.subarray(a * this.k, (a + 1) * this.k), 1)
      const exclude = seen.subarray(seenPtr[a], seenPtr[a + 1])
      const best = order
        ? selectTopN(unpermute(rowScores, order.perm), { n: top, exclude: exclude.map((r) => order.perm[r]) })
        : selectTopN(rowScores, { n: top, exclude })
      out.counts[a] = best.length
      best.forEach((s, i) => {
        out.items[a * top + i] = s.item
        out.scores[a * top + i] = s.score
      })
    }
    return out
  }

  bpr(u: Float32Array, v: Float32Array, bias: Float32Array, k: number): BprSession {
    return {
      steps: (triples, count, lr, reg) => bprSteps(u, v, bias, k, triples, count, lr, reg),
      finish: () => {},
    }
  }
}

function unpermute(scores: Float32Array, perm: Int32Array): Float32Array {
  const out = new Float32Array(scores.length)
  for (let r = 0; r < scores.length; r++) out[perm[r]] = scores[r]
  return out
}

function dotAt(a: Float32Array, ao: number, b: Float32Array, bo: number, k: number): number {
  let s = 0
  for (let d = 0; d < k; d++) s += a[ao + d] * b[bo + d]
  return s
}

function axpyAt(alpha: number, x: Float32Array, xo: number, y: Float32Array, yo: number, k: number): void {
  for (let d = 0; d < k; d++) y[yo + d] += alpha * x[xo + d]
}

/** G (k x k) · v (k values at vo) into out. */
function gemvAt(g: Float32Array, v: Float32Array, vo: number, k: number, out: Float32Array, oo: number): void {
  for (let a = 0; a < k; a++) out[oo + a] = dotAt(g, a * k, v, vo, k)
}

// The conjugate-gradient loop of implicit's ALS: r = b - A x, then `steps` CG steps with A p computed as
// G p + Σ (c - 1)(y·p) y, never forming A.
function cgRow(
  x: Float32Array, xo: number, y: Float32Array, indices: Int32Array, conf: Float32Array, p0: number, p1: number,
  k: number, g: Float32Array, steps: number, scratch: Float32Array,
): void {
  const res = 0, p = k, ap = 2 * k
  gemvAt(g, x, xo, k, scratch, res)
  for (let d = 0; d < k; d++) scratch[res + d] = -scratch[res + d]
  for (let e = p0; e < p1; e++) {
    const yo = indices[e] * k
    const c = conf[e]
    axpyAt(c - (c - 1) * dotAt(y, yo, x, xo, k), y, yo, scratch, res, k)
  }
  scratch.copyWithin(p, res, res + k)
  let rsOld = dotAt(scratch, res, scratch, res, k)
  for (let it = 0; it < steps && rsOld >= 1e-20; it++) {
    gemvAt(g, scratch, p, k, scratch, ap)
    for (let e = p0; e < p1; e++) {
      const yo = indices[e] * k
      axpyAt((conf[e] - 1) * dotAt(y, yo, scratch, p, k), y, yo, scratch, ap, k)
    }
    const alpha = rsOld / dotAt(scratch, p, scratch, ap, k)
    axpyAt(alpha, scratch, p, x, xo, k)
    axpyAt(-alpha, scratch, ap, scratch, res, k)
    const rsNew = dotAt(scratch, res, scratch, res, k)
    if (rsNew < 1e-20) return
    const beta = rsNew / rsOld
    for (let d = 0; d < k; d++) scratch[p + d] = scratch[res + d] + beta * scratch[p + d]
    rsOld = rsNew
  }
}

// Rendle's update with an item bias; all three vectors move from the old values.
function bprSteps(
  u: Float32Array, v: Float32Array, bias: Float32Array, k: number, triples: Int32Array, count: number, lr: number, reg: number,
): number {
  let logLik = 0
  const decay = 1 - lr * reg
  for (let s = 0; s < count; s++) {
    const uo = triples[3 * s] * k
    const i = triples[3 * s + 1]
    const j = triples[3 * s + 2]
    const io = i * k, jo = j * k
    let x = bias[i] - bias[j]
    for (let d = 0; d < k; d++) x += u[uo + d] * (v[io + d] - v[jo + d])
    const z = 1 / (1 + Math.exp(x))
    logLik -= Math.log1p(Math.exp(-x))
    const zlr = z * lr
    for (let d = 0; d < k; d++) {
      const uOld = u[uo + d]
      u[uo + d] = decay * uOld + zlr * (v[io + d] - v[jo + d])
      v[io + d] = decay * v[io + d] + zlr * uOld
      v[jo + d] = decay * v[jo + d] - zlr * uOld
    }
    bias[i] += lr * (z - reg * bias[i])
    bias[j] += lr * (-z - reg * bias[j])
  }
  return logLik
}
