import { FEATURES, type CandidateList } from './candidates.js'
import { affine } from './serving.js'

/** The re-ranker's network as typed arrays (row-major [in, out] weights, as tfjs stores them). */
export interface FrozenScorer {
  dims: number
  hidden: number
  sideDims: number
  fields: number
  /** Items x dims: id embedding + content projection (content projection only for never-played items). */
  itemVecs: Float32Array
  /** Items x dims: the content projection alone (what a never-played track gets). */
  coldVecs: Float32Array
  histEmb: Float32Array
  sideEmb: Float32Array[]
  wu: Float32Array
  bu: Float32Array
  w1: Float32Array
  b1: Float32Array
  w2: Float32Array
  b2: Float32Array
  w3: Float32Array
  b3: Float32Array
}

/** The user vector: tanh([mean history embedding, side embeddings] · wu + bu); history capped at `cap` items. */
export function userVector(s: FrozenScorer, history: ArrayLike<number>, codes: ArrayLike<number>, cap: number): Float32Array {
  const d = s.dims
  const x = new Float32Array(d + s.fields * s.sideDims)
  const n = Math.min(history.length, cap)
  for (let h = 0; h < n; h++) for (let k = 0; k < d; k++) x[k] += s.histEmb[history[h] * d + k] / n
  for (let f = 0; f < s.fields; f++) x.set(s.sideEmb[f].subarray(codes[f] * s.sideDims, (codes[f] + 1) * s.sideDims), d + f * s.sideDims)
  const u = affine(x, s.wu, x.length, d)
  for (let k = 0; k < d; k++) u[k] = Math.tanh(u[k] + s.bu[k])
  return u
}

/** The network's score of every candidate of a list for the user vector `u`. */
export function scoreList(s: FrozenScorer, list: CandidateList, u: Float32Array): Float32Array {
  const d = s.dims
  const out = new Float32Array(list.items.length)
  const x = new Float32Array(FEATURES + d)
  for (let c = 0; c < list.items.length; c++) {
    x.set(list.feats.subarray(c * FEATURES, (c + 1) * FEATURES))
    const base = list.items[c] * d
    for (let k = 0; k < d; k++) x[FEATURES + k] = u[k] * s.itemVecs[base + k]
    const h1 = reluAffine(x, s.w1, s.b1, x.length, s.hidden)
    const h2 = reluAffine(h1, s.w2, s.b2, s.hidden, s.hidden)
    let score = s.b3[0]
    for (let k = 0; k < s.hidden; k++) score += h2[k] * s.w3[k]
    out[c] = score
  }
  return out
}

function reluAffine(x: Float32Array, w: Float32Array, b: Float32Array, inDims: number, outDims: number): Float32Array {
  const z = affine(x, w, inDims, outDims)
  for (let o = 0; o < outDims; o++) z[o] = Math.max(0, z[o] + b[o])
  return z
}
