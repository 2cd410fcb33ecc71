/** BatchNorm's variance floor (Keras's default), shared by training and serving. */
export const BN_EPSILON = 1e-3

/**
 * A tower frozen for inference as typed arrays: the same maths as network.ts's towerForward with the
 * BatchNorm statistics measured after training. Row-major weights [in, out], as tfjs stores them.
 */
export interface FrozenTower {
  input: number
  hidden: number
  output: number
  w1: Float32Array
  /** BatchNorm folded to z * scale + shift (scale = g / sqrt(v + eps), shift = b - m * scale). */
  scale1: Float32Array
  shift1: Float32Array
  w2: Float32Array
  scale2: Float32Array
  shift2: Float32Array
  w3: Float32Array
  b3: Float32Array
  wo: Float32Array
  bo: Float32Array
}

export function foldNorm(g: Float32Array, b: Float32Array, m: Float32Array, v: Float32Array): { scale: Float32Array; shift: Float32Array } {
  const scale = Float32Array.from(g, (gi, k) => gi / Math.sqrt(v[k] + BN_EPSILON))
  const shift = Float32Array.from(b, (bi, k) => bi - m[k] * scale[k])
  return { scale, shift }
}

/** One input row through the tower. */
export function forward(t: FrozenTower, x: Float32Array): Float32Array {
  const h0 = affine(x, t.w1, t.input, t.hidden)
  normRelu(h0, t.scale1, t.shift1)
  const inner = affine(h0, t.w2, t.hidden, t.hidden)
  normRelu(inner, t.scale2, t.shift2)
  const add = affine(inner, t.w3, t.hidden, t.hidden)
  for (let k = 0; k < t.hidden; k++) h0[k] += add[k] + t.b3[k]
  const out = affine(h0, t.wo, t.hidden, t.output)
  for (let k = 0; k < t.output; k++) out[k] += t.bo[k]
  return out
}

/** x (inDims) times w (inDims x outDims, row-major), skipping zero inputs; shared by both serving paths. */
export function affine(x: Float32Array, w: Float32Array, inDims: number, outDims: number): Float32Array {
  const out = new Float32Array(outDims)
  for (let i = 0; i < inDims; i++) {
    const xi = x[i]
    if (xi === 0) continue
    const row = i * outDims
    for (let o = 0; o < outDims; o++) out[o] += xi * w[row + o]
  }
  return out
}

function normRelu(z: Float32Array, scale: Float32Array, shift: Float32Array): void {
  for (let k = 0; k < z.length; k++) z[k] = Math.max(0, z[k] * scale[k] + shift[k])
}

/** Item vectors (items x dims) dotted with one user vector, plus the item biases. */
export function scoreItems(itemVecs: Float32Array, bias: Float32Array, user: Float32Array, out = new Float32Array(bias.length)): Float32Array {
  const d = user.length
  for (let i = 0; i < bias.length; i++) {
    let s = bias[i]
    const base = i * d
    for (let k = 0; k < d; k++) s += itemVecs[base + k] * user[k]
    out[i] = s
  }
  return out
}

/** Scores of some candidates only (the re-ranking path). */
export function scoreCandidates(itemVecs: Float32Array, bias: Float32Array, user: Float32Array, candidates: ArrayLike<number>): Float32Array {
  const d = user.length
  const out = new Float32Array(candidates.length)
  for (let c = 0; c < candidates.length; c++) {
    const i = candidates[c]
    let s = bias[i]
    for (let k = 0; k < d; k++) s += itemVecs[i * d + k] * user[k]
    out[c] = s
  }
  return out
}
