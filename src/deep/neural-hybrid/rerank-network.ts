import * as tf from '@tensorflow/tfjs-core'
import { SegueError } from '../../core/errors.js'
import { Rng } from '../../core/rng.js'
import { ndcgAt } from '../../eval/metrics.js'
import { constantVariable, glorotVariable, initBackend, uniqueName } from '../backend.js'
import { fitModel, type EpochRecord } from '../trainer.js'
import { FEATURES, HISTORY_FEATURES, type CandidateList } from './candidates.js'
import { listNetLoss } from './losses.js'
import { rows } from './network.js'
import type { RerankOptions } from './rerank-options.js'
import type { FrozenScorer } from './rerank-serving.js'
import type { SideField } from './side.js'

/**
 * The re-ranker's network, for training (serving runs the same maths on typed arrays, rerank-serving.ts):
 *
 *   user u = [mean of the history's embeddings, side-field embeddings] -> Linear -> tanh         (dims)
 *   item v = item-id embedding (dropped at random) + content -> Linear                          (dims)
 *   score  = MLP([the candidate's FEATURES, u ⊙ v]): Linear -> ReLU -> Linear -> ReLU -> Linear  (1)
 *
 * trained with ListNet's top-one loss over each listener's candidate list, the held-out plays as targets.
 */
export interface TrainingList extends CandidateList {
  user: number
  /** Candidate positions that are held-out plays. */
  positives: Int32Array
  /** Every held-out play of the listener (for NDCG, which also counts the ones the candidates missed). */
  relevant: Set<number>
  history: Int32Array
  codes: Int32Array
}

export interface ScorerShape {
  items: number
  fields: SideField[]
  contentDims: number
  content: Float32Array
}

interface Net {
  itemEmb: tf.Variable
  histEmb: tf.Variable
  sideEmb: tf.Variable[]
  wc?: tf.Variable
  wu: tf.Variable
  bu: tf.Variable
  w1: tf.Variable
  b1: tf.Variable
  w2: tf.Variable
  b2: tf.Variable
  w3: tf.Variable
  b3: tf.Variable
  content?: tf.Tensor2D
}

interface Batch {
  lists: number
  candidates: number
  feats: Float32Array
  items: Int32Array
  keep: Float32Array
  mask: Float32Array
  targets: Float32Array
  history: Int32Array
  historyWeight: Float32Array
  codes: Int32Array[]
}

/** Embeddings start small: the scorer reads the features first and learns the embeddings' part slowly. */
const EMBED_SCALE = 0.05
/** Added to padded candidates' scores: far below any real one, still finite in float32. */
const PAD = -1e9
const K = 10

export interface RerankTrainRun {
  seed: number
  signal?: AbortSignal
  onEpoch?: (e: EpochRecord) => void
  checkpointDir?: string
  resume?: boolean
  progress?: boolean
}

export async function trainScorer(shape: ScorerShape, train: TrainingList[], valid: TrainingList[], o: RerankOptions, run: RerankTrainRun): Promise<{ scorer: FrozenScorer; history: EpochRecord[]; stoppedBy: string; classicNdcg: number; bestNdcg: number }> {
  await initBackend()
  const rng = new Rng(run.seed)
  const net = build(rng, shape, o)
  try {
    const validBatches = chunk(valid.length > 0 ? valid : train, o.batch).map((ls) => assemble(ls, shape, o, undefined))
    const validLists = valid.length > 0 ? valid : train
    const classic = classicNdcg(validLists)
    if (run.progress) process.stderr.write(`neural-hybrid: validation NDCG@10 of the classic order ${classic.toFixed(4)}\n`)
    const result = await fitModel({
      name: 'neural-hybrid',
      model: {
        variables: () => variables(net),
        loss: (b: Batch) => batchLoss(net, b, o),
        validate: () => {
          const ndcg = validationNdcg(net, validBatches, validLists)
          return { loss: 1 - ndcg, metric: ndcg }
        },
      },
      batches: (epoch) => epochBatches(train, shape, o, run.seed, epoch),
      samplesOf: (b) => b.lists,
      options: {
        epochs: o.epochs, learningRate: o.learningRate, batchSize: o.batch, patience: o.patience, clipNorm: o.clipNorm, seed: run.seed,
        signal: run.signal, onEpoch: run.onEpoch, progress: run.progress ?? false, checkpointDir: run.checkpointDir, resume: run.resume,
      },
    })
    if (result.stoppedBy === 'interrupted') throw new SegueError('E_INTERRUPTED', `neural-hybrid: fit interrupted after ${result.history.length} epochs; the best checkpoint is kept`)
    return { scorer: freeze(net, shape, o), history: result.history, stoppedBy: result.stoppedBy, classicNdcg: classic, bestNdcg: result.best.metric ?? 0 }
  } finally {
    for (const v of variables(net)) v.dispose()
    net.content?.dispose()
  }
}

function build(rng: Rng, s: ScorerShape, o: RerankOptions): Net {
  const embed = (n: number, w: number, p: string) => tf.variable(tf.tensor2d(gaussian(rng, n * w), [n, w]), true, uniqueName(p))
  const userIn = o.dims + s.fields.length * o.sideDims
  return {
    itemEmb: embed(s.items, o.dims, 'nhr_item'),
    histEmb: embed(s.items, o.dims, 'nhr_hist'),
    sideEmb: s.fields.map((f) => embed(f.size, o.sideDims, 'nhr_side')),
    wc: s.contentDims > 0 ? glorotVariable(rng, s.contentDims, o.dims, uniqueName('nhr_wc')) : undefined,
    wu: glorotVariable(rng, userIn, o.dims, uniqueName('nhr_wu')),
    bu: constantVariable(o.dims, uniqueName('nhr_bu')),
    w1: glorotVariable(rng, FEATURES + o.dims, o.hidden, uniqueName('nhr_w1')),
    b1: constantVariable(o.hidden, uniqueName('nhr_b1')),
    w2: glorotVariable(rng, o.hidden, o.hidden, uniqueName('nhr_w2')),
    b2: constantVariable(o.hidden, uniqueName('nhr_b2')),
    w3: glorotVariable(rng, o.hidden, 1, uniqueName('nhr_w3')),
    b3: constantVariable(1, uniqueName('nhr_b3')),
    content: s.contentDims > 0 ? tf.tensor2d(s.content, [s.items, s.contentDims]) : undefined,
  }
}

function variables(n: Net): tf.Variable[] {
  return [n.itemEmb, n.histEmb, ...n.sideEmb, ...(n.wc ? [n.wc] : []), n.wu, n.bu, n.w1, n.b1, n.w2, n.b2, n.w3, n.b3]
}

/** Scores [lists, candidates] of a batch, and the id rows used (for L2). */
function forward(net: Net, b: Batch): { scores: tf.Tensor2D; idRows: tf.Tensor[] } {
  const H = b.history.length / b.lists
  const hRows = rows(net.histEmb, tf.tensor1d(b.history, 'int32'))
  const hist = tf.sum(tf.mul(tf.reshape(hRows, [b.lists, H, -1]), tf.tensor3d(b.historyWeight, [b.lists, H, 1])), 1)
  const sides = net.sideEmb.map((emb, f) => rows(emb, tf.tensor1d(b.codes[f], 'int32')))
  const u = tf.tanh(tf.add(tf.matMul(tf.concat([hist, ...sides], 1) as tf.Tensor2D, net.wu), net.bu))
  const items = tf.tensor1d(b.items, 'int32')
  const iRows = tf.mul(rows(net.itemEmb, items), tf.expandDims(tf.tensor1d(b.keep), 1))
  const v = net.wc && net.content ? tf.add(iRows, tf.matMul(tf.gather(net.content, items), net.wc)) : iRows
  const inter = tf.reshape(tf.mul(tf.expandDims(u, 1), tf.reshape(v, [b.lists, b.candidates, -1])), [b.lists * b.candidates, -1])
  const x = tf.concat([tf.tensor2d(b.feats, [b.lists * b.candidates, FEATURES]), inter], 1) as tf.Tensor2D
  const h1 = tf.relu(tf.add(tf.matMul(x, net.w1), net.b1))
  const h2 = tf.relu(tf.add(tf.matMul(h1, net.w2), net.b2))
  const s = tf.reshape(tf.add(tf.matMul(h2, net.w3), net.b3), [b.lists, b.candidates])
  return { scores: tf.add(s, tf.tensor2d(b.mask, [b.lists, b.candidates])) as tf.Tensor2D, idRows: [hRows, iRows] }
}

function batchLoss(net: Net, b: Batch, o: RerankOptions): tf.Scalar {
  const { scores, idRows } = forward(net, b)
  const loss = listNetLoss(scores, tf.tensor2d(b.targets, [b.lists, b.candidates]))
  if (o.l2 === 0) return loss
  return tf.add(loss, tf.mul(o.l2 / b.lists, tf.addN(idRows.map((r) => tf.sum(tf.square(r)))))) as tf.Scalar
}

/** Mean NDCG@10 of the re-ranked candidates against every held-out play (missed ones count against it). */
function validationNdcg(net: Net, batches: Batch[], lists: TrainingList[]): number {
  let sum = 0
  let at = 0
  for (const b of batches) {
    const scores = tf.tidy(() => forward(net, b).scores.dataSync() as Float32Array)
    for (let r = 0; r < b.lists; r++, at++) {
      const list = lists[at]
      const order = Array.from(list.items.keys()).sort((x, y) => scores[r * b.candidates + y] - scores[r * b.candidates + x] || x - y)
      sum += ndcgAt(order.map((c) => list.items[c]), list.relevant, K)
    }
  }
  return sum / Math.max(1, lists.length)
}

/** The same NDCG@10 for the classic stage's own order (feature 1, its rank), the figure the network must beat. */
export function classicNdcg(lists: TrainingList[]): number {
  let sum = 0
  for (const l of lists) {
    const order = Array.from(l.items.keys()).sort((x, y) => l.feats[y * FEATURES + 1] - l.feats[x * FEATURES + 1] || x - y)
    sum += ndcgAt(order.map((c) => l.items[c]), l.relevant, K)
  }
  return sum / Math.max(1, lists.length)
}

function* epochBatches(train: TrainingList[], s: ScorerShape, o: RerankOptions, seed: number, epoch: number): Generator<Batch> {
  const rng = new Rng(seed * 1_000_003 + epoch)
  const order = Array.from(train.keys())
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    ;[order[i], order[j]] = [order[j], order[i]]
  }
  for (const part of chunk(order, o.batch)) yield assemble(part.map((i) => train[i]), s, o, rng)
}

/** Padded tensors' data for some lists; with `rng`, the training dropouts are drawn. */
function assemble(lists: TrainingList[], s: ScorerShape, o: RerankOptions, rng: Rng | undefined): Batch {
  const L = lists.length
  const C = Math.max(...lists.map((l) => l.items.length))
  const H = o.historyCap
  const b: Batch = {
    lists: L, candidates: C, feats: new Float32Array(L * C * FEATURES), items: new Int32Array(L * C), keep: new Float32Array(L * C),
    mask: new Float32Array(L * C).fill(PAD), targets: new Float32Array(L * C), history: new Int32Array(L * H), historyWeight: new Float32Array(L * H),
    codes: s.fields.map(() => new Int32Array(L)),
  }
  lists.forEach((list, r) => {
    const blind = rng !== undefined && rng.next() < o.historyDropout
    b.feats.set(list.feats, r * C * FEATURES)
    if (blind) for (let c = 0; c < list.items.length; c++) for (const f of HISTORY_FEATURES) b.feats[(r * C + c) * FEATURES + f] = 0
    for (let c = 0; c < list.items.length; c++) {
      b.items[r * C + c] = list.items[c]
      b.keep[r * C + c] = rng !== undefined && rng.next() < o.itemDropout ? 0 : 1
      b.mask[r * C + c] = 0
    }
    for (const c of list.positives) b.targets[r * C + c] = 1 / list.positives.length
    const hist = blind ? [] : pickHistory(list.history, H, rng)
    hist.forEach((item, k) => {
      b.history[r * H + k] = item
      b.historyWeight[r * H + k] = 1 / hist.length
    })
    s.fields.forEach((_, f) => (b.codes[f][r] = list.codes[f]))
  })
  return b
}

/** Up to `cap` history items: all when they fit, else a random sample (the first `cap` without an rng). */
function pickHistory(history: Int32Array, cap: number, rng: Rng | undefined): number[] {
  const all = Array.from(history)
  if (all.length <= cap) return all
  if (!rng) return all.slice(0, cap)
  for (let i = 0; i < cap; i++) {
    const j = i + rng.int(all.length - i)
    ;[all[i], all[j]] = [all[j], all[i]]
  }
  return all.slice(0, cap)
}

function freeze(net: Net, s: ScorerShape, o: RerankOptions): FrozenScorer {
  const read = (t: tf.Tensor) => Float32Array.from(t.dataSync() as Float32Array)
  const itemVecs = tf.tidy(() => {
    const all = tf.range(0, s.items, 1, 'int32') as tf.Tensor1D
    return read(net.wc && net.content ? tf.add(net.itemEmb, tf.matMul(tf.gather(net.content, all), net.wc)) : net.itemEmb)
  })
  const coldVecs = tf.tidy(() => (net.wc && net.content ? read(tf.matMul(net.content, net.wc)) : new Float32Array(s.items * o.dims)))
  return {
    dims: o.dims, hidden: o.hidden, sideDims: o.sideDims, fields: s.fields.length,
    itemVecs, coldVecs, histEmb: read(net.histEmb), sideEmb: net.sideEmb.map(read),
    wu: read(net.wu), bu: read(net.bu), w1: read(net.w1), b1: read(net.b1), w2: read(net.w2), b2: read(net.b2), w3: read(net.w3), b3: read(net.b3),
  }
}

function chunk<T>(xs: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size))
  return out
}

function gaussian(rng: Rng, n: number): Float32Array {
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) out[i] = rng.normal() * EMBED_SCALE
  return out
}
