import * as tf from '@tensorflow/tfjs-core'
import { Rng } from '../../core/rng.js'
import { SegueError } from '../../core/errors.js'
import { glorotVariable, constantVariable, matMul, uniqueName } from '../backend.js'
import type { DenseSide } from './side.js'

/**
 * The neural hybrid's two towers in TensorFlow.js, for training. Serving runs the same maths on exported
 * typed arrays (serving.ts), so a fitted model answers synchronously with no backend.
 *
 * user: [user-id embedding (dropped at random), mean of the history's item embeddings, side-field embeddings]
 * item: [item-id embedding (dropped at random), content features]
 * each -> Linear -> BatchNorm -> ReLU -> residual block (Linear -> BatchNorm -> ReLU -> Linear, added) -> Linear
 * score = user · item + item bias (the bias dropped with the item id).
 */
export interface TowerShape {
  input: number
  hidden: number
  output: number
}

export interface Tower {
  w1: tf.Variable
  g1: tf.Variable
  b1: tf.Variable
  w2: tf.Variable
  g2: tf.Variable
  b2: tf.Variable
  w3: tf.Variable
  b3: tf.Variable
  wo: tf.Variable
  bo: tf.Variable
}

/** BatchNorm statistics for inference: one (mean, variance) per BatchNorm layer. */
export interface TowerStats {
  m1: tf.Tensor1D
  v1: tf.Tensor1D
  m2: tf.Tensor1D
  v2: tf.Tensor1D
}

import { BN_EPSILON } from './serving.js'

export interface Network {
  userEmb: tf.Variable
  histEmb: tf.Variable
  sideEmb: tf.Variable[]
  itemEmb: tf.Variable
  itemBias: tf.Variable
  user: Tower
  item: Tower
  /** Constant item content (items x contentDims) and diversity vectors (items x diversityDims). */
  content: tf.Tensor2D
  diversity: tf.Tensor2D
}

/** One optimiser step's worth of candidate lists (see batches.ts). */
export interface ListBatch {
  /** Every item is a candidate (slots unused; `mask` adds a large negative at the user's other played items). */
  full: boolean
  mask: Float32Array
  lists: number
  candidates: number
  users: Int32Array
  userKeep: Float32Array
  /** lists x historyCap item ids, padded; weights 1/length or 0 on padding. */
  history: Int32Array
  historyWeight: Float32Array
  historyCap: number
  /** lists x fields. */
  codes: Int32Array
  /** Distinct candidate items of the batch, and whether each keeps its id embedding. */
  unique: Int32Array
  itemKeep: Float32Array
  /** lists x candidates positions into `unique`. */
  slots: Int32Array
  /** lists x candidates, each row summing to 1 over its positives. */
  targets: Float32Array
}

export function buildNetwork(rng: Rng, users: number, items: number, side: DenseSide, dims: number, hidden: number, sideDims: number): Network {
  const embed = (rows: number, width: number, prefix: string) => tf.variable(tf.tensor2d(gaussian(rng, rows * width, EMBED_SCALE), [rows, width]), true, uniqueName(prefix))
  const sideEmb = side.fields.map((f) => embed(f.size, sideDims, 'nh_side'))
  const userIn = 2 * dims + side.fields.length * sideDims
  return {
    userEmb: embed(users, dims, 'nh_user'),
    histEmb: embed(items, dims, 'nh_hist'),
    sideEmb,
    itemEmb: embed(items, dims, 'nh_item'),
    itemBias: tf.variable(tf.zeros([items, 1]), true, uniqueName('nh_item_bias')),
    user: buildTower(rng, { input: userIn, hidden, output: dims }, 'nh_u'),
    item: buildTower(rng, { input: dims + side.contentDims, hidden, output: dims }, 'nh_i'),
    content: tf.tensor2d(side.content, [items, side.contentDims]),
    diversity: tf.tensor2d(side.diversity, [items, side.diversityDims]),
  }
}

/** Embeddings start small (N(0, 0.05²)): the towers' BatchNorm rescales them, and large starts slow ListNet. */
const EMBED_SCALE = 0.05

function buildTower(rng: Rng, s: TowerShape, prefix: string): Tower {
  const name = (k: string) => uniqueName(`${prefix}_${k}`)
  return {
    w1: glorotVariable(rng, s.input, s.hidden, name('w1')),
    g1: constantVariable(s.hidden, name('g1'), 1),
    b1: constantVariable(s.hidden, name('b1')),
    w2: glorotVariable(rng, s.hidden, s.hidden, name('w2')),
    g2: constantVariable(s.hidden, name('g2'), 1),
    b2: constantVariable(s.hidden, name('b2')),
    w3: glorotVariable(rng, s.hidden, s.hidden, name('w3')),
    b3: constantVariable(s.hidden, name('b3')),
    wo: glorotVariable(rng, s.hidden, s.output, name('wo')),
    bo: constantVariable(s.output, name('bo')),
  }
}

export function trainableVariables(net: Network): tf.Variable[] {
  const tower = (t: Tower) => [t.w1, t.g1, t.b1, t.w2, t.g2, t.b2, t.w3, t.b3, t.wo, t.bo]
  return [net.userEmb, net.histEmb, ...net.sideEmb, net.itemEmb, net.itemBias, ...tower(net.user), ...tower(net.item)]
}

export function disposeNetwork(net: Network): void {
  for (const v of trainableVariables(net)) v.dispose()
  net.content.dispose()
  net.diversity.dispose()
}

/**
 * A tower's forward pass. With `stats` the BatchNorm layers use them (inference); without, the batch's own
 * moments (training), which `collect` receives so inference statistics can be measured on a calibration batch.
 */
export function towerForward(t: Tower, x: tf.Tensor2D, stats?: TowerStats, collect?: (m: tf.Tensor1D, v: tf.Tensor1D) => void): tf.Tensor2D {
  const norm = (z: tf.Tensor2D, g: tf.Variable, b: tf.Variable, m?: tf.Tensor1D, v?: tf.Tensor1D) => {
    if (m && v) return tf.batchNorm(z, m, v, b as tf.Tensor1D, g as tf.Tensor1D, BN_EPSILON)
    if (!collect) return batchNormTrain(z, g as tf.Tensor1D, b as tf.Tensor1D)
    const mo = tf.moments(z, 0)
    collect(mo.mean as tf.Tensor1D, mo.variance as tf.Tensor1D)
    return tf.batchNorm(z, mo.mean as tf.Tensor1D, mo.variance as tf.Tensor1D, b as tf.Tensor1D, g as tf.Tensor1D, BN_EPSILON)
  }
  const h0 = tf.relu(norm(matMul(x, t.w1 as tf.Tensor2D), t.g1, t.b1, stats?.m1, stats?.v1))
  const inner = tf.relu(norm(matMul(h0 as tf.Tensor2D, t.w2 as tf.Tensor2D), t.g2, t.b2, stats?.m2, stats?.v2))
  const h1 = tf.add(h0, tf.add(matMul(inner as tf.Tensor2D, t.w3 as tf.Tensor2D), t.b3)) as tf.Tensor2D
  return tf.add(matMul(h1, t.wo as tf.Tensor2D), t.bo) as tf.Tensor2D
}

/**
 * BatchNorm on the batch's own moments (training), with the closed-form gradient through the mean and variance
 * (Ioffe & Szegedy 2015): dz = γ/(σN) (N dy − Σdy − x̂ Σ(dy x̂)). The same derivative tfjs builds from its
 * BatchNorm and moments gradients, in six kernels rather than about twenty (one of them a slow tile).
 */
export function batchNormTrain(z: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [zi, gi, bi] = args as tf.Tensor[]
    const { mean, variance } = tf.moments(zi, 0)
    const inv = tf.rsqrt(tf.add(variance, BN_EPSILON))
    ;(args[3] as tf.GradSaveFunc)([zi, mean, inv, gi])
    const value = tf.batchNorm(zi as tf.Tensor2D, mean as tf.Tensor1D, variance as tf.Tensor1D, bi as tf.Tensor1D, gi as tf.Tensor1D, BN_EPSILON)
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [zs, ms, is, gs] = saved
      const n = zs.shape[0]!
      const xhat = tf.mul(tf.sub(zs, ms), is)
      const dBeta = tf.sum(dy, 0)
      const dGamma = tf.sum(tf.mul(dy, xhat), 0)
      const centred = tf.sub(tf.sub(tf.mul(dy, n), dBeta), tf.mul(xhat, dGamma))
      return [tf.mul(centred, tf.div(tf.mul(gs, is), n)), dGamma, dBeta]
    }
    return { value, gradFunc }
  })
  return op(z, gamma, beta) as tf.Tensor2D
}

export interface BatchTensors {
  userInput: tf.Tensor2D
  itemInput: tf.Tensor2D
  bias: tf.Tensor1D
  /** Sums of squares of the id-embedding rows used (each use counted), for the L2 penalty. */
  idSquares: tf.Scalar[]
}

/**
 * The towers' inputs for a batch (ids gathered, dropout masks applied). A full batch's candidates are every
 * item in order (`unique` is 0..items-1), so its item rows are the tables themselves, not a gather of them.
 */
export function batchInputs(net: Network, b: ListBatch): BatchTensors {
  const keepU = tf.tensor2d(b.userKeep, [b.lists, 1])
  const uid = tf.mul(rows(net.userEmb, tf.tensor1d(b.users, 'int32')), keepU)
  const hist = pooledRows(net.histEmb, b.history, b.historyWeight, b.lists)
  const fields = net.sideEmb.map((emb, f) => rows(emb, tf.tensor1d(pick(b.codes, net.sideEmb.length, f), 'int32')))
  const userInput = tf.concat([uid, hist, ...fields], 1) as tf.Tensor2D
  const unique = tf.tensor1d(b.unique, 'int32')
  const keepI = tf.tensor1d(b.itemKeep)
  const iid = tf.mul(b.full ? net.itemEmb : rows(net.itemEmb, unique), tf.expandDims(keepI, 1)) as tf.Tensor2D
  const itemInput = b.full ? withAllContent(net, iid) : withContent(net, iid, unique)
  const bias = tf.mul(tf.reshape(b.full ? net.itemBias : rows(net.itemBias, unique), [-1]), keepI) as tf.Tensor1D
  const squares = (x: tf.Tensor) => tf.sum(tf.square(x)) as tf.Scalar
  return { userInput, itemInput, bias, idSquares: [squares(uid), slotSquares(net.histEmb, b.history), squares(iid), squares(bias)] }
}

/** Scores of each list's candidates: [lists, candidates]. */
export function listScores(b: ListBatch, userVec: tf.Tensor2D, itemVec: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D {
  if (b.full) return tf.add(tf.add(matMul(userVec, itemVec, true), bias), tf.tensor2d(b.mask, [b.lists, b.candidates])) as tf.Tensor2D
  const slots = tf.tensor1d(b.slots, 'int32')
  const v = tf.reshape(rows(itemVec, slots), [b.lists, b.candidates, -1])
  const dot = tf.sum(tf.mul(tf.expandDims(userVec, 1), v), 2)
  return tf.add(dot, tf.reshape(rows(tf.reshape(bias, [-1, 1]) as tf.Tensor2D, slots), [b.lists, b.candidates])) as tf.Tensor2D
}

/** Each list's candidates' diversity vectors: [lists, candidates, dims], or [items, dims] shared by full lists. */
export function listDiversity(net: Network, b: ListBatch): tf.Tensor3D | tf.Tensor2D {
  if (b.full) return net.diversity
  const items = tf.gather(tf.tensor1d(b.unique, 'int32'), tf.tensor1d(b.slots, 'int32'))
  return tf.reshape(tf.gather(net.diversity, items), [b.lists, b.candidates, -1]) as tf.Tensor3D
}

/** [id embedding, content] per item; id embedding alone when there is no content (tfjs cannot gather 0 columns). */
export function withContent(net: Network, ids: tf.Tensor2D, items: tf.Tensor1D): tf.Tensor2D {
  if (net.content.shape[1] === 0) return ids
  return tf.concat([ids, gatherRows(net.content, items)], 1) as tf.Tensor2D
}

/** withContent for every item in order. */
function withAllContent(net: Network, ids: tf.Tensor2D): tf.Tensor2D {
  return net.content.shape[1] === 0 ? ids : (tf.concat([ids, net.content], 1) as tf.Tensor2D)
}

/**
 * `table[ids]` with a gradient the WASM backend can compute: tf.gather's own gradient needs UnsortedSegmentSum,
 * which that backend lacks; scatterND sums the gradient rows of repeated ids the same way. The forward copy is
 * done in JS (gatherRows): the WASM backend's gather ran at about 5M floats/s, a tenth of a training step.
 */
export function rows(table: tf.Tensor2D | tf.Variable, ids: tf.Tensor1D): tf.Tensor2D {
  const fn = (t: tf.Tensor, i: tf.Tensor, save: (ts: tf.Tensor[]) => void) => {
    save([i])
    return {
      value: gatherRows(t as tf.Tensor2D, i as tf.Tensor1D) as tf.Tensor,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.scatterND(tf.reshape(saved[0], [-1, 1]), dy, t.shape), tf.zerosLike(saved[0])],
    }
  }
  const lookup = tf.customGrad(fn as unknown as Parameters<typeof tf.customGrad>[0])
  return lookup(table as tf.Tensor, ids) as tf.Tensor2D
}

/**
 * Σ_k weights[r, k] · table[ids[r, k]] for each list r: [lists, width], the history's weighted mean, computed in
 * JS both ways. The gather, broadcast mul and sum it replaces cost a slow WASM gather forward and a ones-filled
 * [lists, cap, width] tensor backward, every step. Padding slots carry weight 0 and add nothing.
 */
export function pooledRows(table: tf.Variable, ids: Int32Array, weights: Float32Array, lists: number): tf.Tensor2D {
  const [n, w] = table.shape as [number, number]
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const src = (args[0] as tf.Tensor).dataSync() as Float32Array
    const out = new Float32Array(lists * w)
    eachSlot(ids, weights, lists, n, (r, row, wt) => {
      for (let d = 0; d < w; d++) out[r * w + d] += wt * src[row * w + d]
    })
    const gradFunc = (dy: tf.Tensor): tf.Tensor => {
      const g = dy.dataSync() as Float32Array
      const grad = new Float32Array(n * w)
      eachSlot(ids, weights, lists, n, (r, row, wt) => {
        for (let d = 0; d < w; d++) grad[row * w + d] += wt * g[r * w + d]
      })
      return tf.tensor2d(grad, [n, w])
    }
    return { value: tf.tensor2d(out, [lists, w]), gradFunc }
  })
  return op(table) as tf.Tensor2D
}

function eachSlot(ids: Int32Array, weights: Float32Array, lists: number, n: number, fn: (r: number, row: number, weight: number) => void): void {
  const cap = ids.length / lists
  for (let r = 0; r < lists; r++) {
    for (let k = 0; k < cap; k++) {
      const wt = weights[r * cap + k]
      if (wt === 0) continue
      const row = ids[r * cap + k]
      if (!(row >= 0 && row < n)) throw new SegueError('E_BAD_ARGUMENT', `pooledRows: index ${row} is outside the table's ${n} rows`)
      fn(r, row, wt)
    }
  }
}

/** Σ over slots of ||table[ids[k]]||², padding slots included (as the gathered rows' L2 was): Σ_i count_i ||row_i||². */
function slotSquares(table: tf.Variable, ids: Int32Array): tf.Scalar {
  const counts = new Float32Array(table.shape[0]!)
  for (const i of ids) counts[i] += 1
  return tf.sum(tf.mul(tf.sum(tf.square(table), 1), tf.tensor1d(counts))) as tf.Scalar
}

/** `table[ids]` (rows), copied in JS; no gradient. */
export function gatherRows(table: tf.Tensor2D | tf.Tensor, ids: tf.Tensor1D): tf.Tensor2D {
  const [n, w] = table.shape as [number, number]
  const src = table.dataSync() as Float32Array
  const idx = ids.dataSync()
  const out = new Float32Array(idx.length * w)
  for (let r = 0; r < idx.length; r++) {
    const i = idx[r]
    if (!(i >= 0 && i < n)) throw new SegueError('E_BAD_ARGUMENT', `rows: index ${i} is outside the table's ${n} rows`)
    out.set(src.subarray(i * w, (i + 1) * w), r * w)
  }
  return tf.tensor2d(out, [idx.length, w])
}

function pick(codes: Int32Array, fields: number, f: number): Int32Array {
  const out = new Int32Array(codes.length / Math.max(fields, 1))
  for (let r = 0; r < out.length; r++) out[r] = codes[r * fields + f]
  return out
}

function gaussian(rng: Rng, n: number, scale: number): Float32Array {
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) out[i] = rng.normal() * scale
  return out
}
