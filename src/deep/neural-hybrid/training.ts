import * as tf from '@tensorflow/tfjs-core'
import { SegueError } from '../../core/errors.js'
import { Rng } from '../../core/rng.js'
import type { Interactions } from '../../data/interactions.js'
import { ndcgAt } from '../../eval/metrics.js'
import { initBackend } from '../backend.js'
import { fitModel, type EpochRecord, type TrainableModel } from '../trainer.js'
import { assemble, epochBatches, holdOut, listsOf, negative, type ListConfig, type UserItems } from './batches.js'
import { listNetLoss, softIlsPenalty } from './losses.js'
import { batchInputs, buildNetwork, disposeNetwork, listDiversity, listScores, towerForward, trainableVariables, withContent, type ListBatch, type Network, type Tower, type TowerStats } from './network.js'
import type { NeuralHybridOptions } from './options.js'
import { foldNorm, type FrozenTower } from './serving.js'
import type { DenseSide } from './side.js'

/** Users need this many plays before some are held out for validation (fewer would leave too little to learn). */
const MIN_ITEMS_TO_VALIDATE = 5
/** Sampled negatives per validation list: NDCG@10 over 100 negatives, the usual sampled protocol. */
const VALID_NEGATIVES = 100
/** Lists whose moments become the BatchNorm statistics for inference (and in-sample validation lists). */
const CALIBRATION_LISTS = 512
const VALID_K = 10
/** Validation lists per batch when every item is a candidate (each list is then catalogue-wide). */
const FULL_VALID_LISTS = 256

/** What a trained network leaves for serving. */
export interface Frozen {
  userEmb: Float32Array
  histEmb: Float32Array
  sideEmb: Float32Array[]
  user: FrozenTower
  /** Items x dims; items nobody played are scored from content alone. */
  itemVecs: Float32Array
  itemBias: Float32Array
}

export interface TrainOutcome {
  frozen: Frozen
  history: EpochRecord[]
  stoppedBy: string
}

export interface TrainRun {
  seed: number
  signal?: AbortSignal
  onEpoch?: (e: EpochRecord) => void
  checkpointDir?: string
  resume?: boolean
  progress?: boolean
}

export async function trainNetwork(data: Interactions, side: DenseSide, o: NeuralHybridOptions, run: TrainRun): Promise<TrainOutcome> {
  await initBackend()
  const rng = new Rng(run.seed)
  const m = data.matrix
  const split = holdOut(m, o.validation, MIN_ITEMS_TO_VALIDATE, rng)
  const seen = Array.from({ length: m.rows }, (_, u) => Int32Array.from(m.indices.subarray(m.indptr[u], m.indptr[u + 1])))
  const users: UserItems = { items: split.train, seen, itemCount: m.cols, userCodes: side.userCodes }
  const cfg: ListConfig = { ...o, fields: side.fields.length }
  const net = buildNetwork(rng, m.rows, m.cols, side, o.dims, o.hidden, o.sideDims)
  try {
    const calibration = assemble(sampleLists(users, cfg, rng, CALIBRATION_LISTS), users, cfg, rng, true)
    const valid = validationBatches(users, split.valid, cfg, rng) ?? [assemble(sampleLists(users, cfg, rng, CALIBRATION_LISTS), users, cfg, rng, false)]
    const model = trainable(net, o, valid, calibration)
    const result = await fitModel({
      name: 'neural-hybrid',
      model,
      batches: (epoch) => epochBatches(users, cfg, run.seed, epoch),
      samplesOf: (b) => b.lists,
      options: {
        epochs: o.epochs,
        learningRate: o.learningRate,
        batchSize: o.batch,
        patience: o.patience,
        clipNorm: o.clipNorm,
        seed: run.seed,
        signal: run.signal,
        onEpoch: run.onEpoch,
        progress: run.progress ?? false,
        checkpointDir: run.checkpointDir,
        resume: run.resume,
      },
    })
    if (result.stoppedBy === 'interrupted') throw new SegueError('E_INTERRUPTED', `neural-hybrid: fit interrupted after ${result.history.length} epochs; the best checkpoint is kept`)
    return { frozen: freeze(net, calibration, m), history: result.history, stoppedBy: result.stoppedBy }
  } finally {
    disposeNetwork(net)
  }
}

/** The training loss of a batch: ListNet plus the weighted soft-ILS penalty (and L2 on the id rows used). */
export function batchLoss(net: Network, o: NeuralHybridOptions, b: ListBatch, stats?: { user: TowerStats; item: TowerStats }): tf.Scalar {
  const { scores, idSquares } = batchScores(net, b, stats)
  let loss = objective(net, o, b, scores)
  if (o.l2 > 0) loss = tf.add(loss, tf.mul(o.l2 / b.lists, tf.addN(idSquares))) as tf.Scalar
  return loss
}

function batchScores(net: Network, b: ListBatch, stats?: { user: TowerStats; item: TowerStats }): { scores: tf.Tensor2D; idSquares: tf.Scalar[] } {
  const x = batchInputs(net, b)
  const u = towerForward(net.user, x.userInput, stats?.user)
  const v = towerForward(net.item, x.itemInput, stats?.item)
  return { scores: listScores(b, u, v, x.bias), idSquares: x.idSquares }
}

function objective(net: Network, o: NeuralHybridOptions, b: ListBatch, scores: tf.Tensor2D): tf.Scalar {
  const loss = listNetLoss(scores, tf.tensor2d(b.targets, [b.lists, b.candidates]))
  if (!(o.ilsWeight > 0 && net.diversity.shape[1]! > 0)) return loss
  return tf.add(loss, tf.mul(o.ilsWeight, softIlsPenalty(scores, listDiversity(net, b), o.ilsTemperature))) as tf.Scalar
}

function trainable(net: Network, o: NeuralHybridOptions, valid: ListBatch[], calibration: ListBatch): TrainableModel<ListBatch> {
  return {
    variables: () => trainableVariables(net),
    loss: (b) => batchLoss(net, o, b),
    validate: () => {
      const stats = measureStats(net, calibration)
      try {
        let loss = 0
        let ndcg = 0
        let lists = 0
        for (const b of valid) {
          const r = tidyKeep(() => {
            const { scores } = batchScores(net, b, stats)
            return { loss: objective(net, o, b, scores).dataSync()[0], ndcg: sampledNdcg(b, scores.dataSync()) }
          })
          loss += r.loss * b.lists
          ndcg += r.ndcg
          lists += b.lists
        }
        return { loss: loss / lists, metric: ndcg / lists }
      } finally {
        disposeStats(stats)
      }
    },
  }
}

/** Sum over the batch's lists of NDCG@10 of the positives among their candidates. */
function sampledNdcg(b: ListBatch, scores: ArrayLike<number>): number {
  let sum = 0
  for (let r = 0; r < b.lists; r++) {
    const idx = topK(scores, r * b.candidates, b.candidates, VALID_K)
    const relevant = new Set<number>()
    for (let c = 0; c < b.candidates; c++) if (b.targets[r * b.candidates + c] > 0) relevant.add(c)
    sum += ndcgAt(idx, relevant, VALID_K)
  }
  return sum
}

/**
 * The k best of scores[offset, offset + n) by score, ties to the lower position: the first k of a stable sort,
 * without sorting a catalogue-wide list.
 */
export function topK(scores: ArrayLike<number>, offset: number, n: number, k: number): number[] {
  const top: number[] = []
  for (let c = 0; c < n; c++) {
    const s = scores[offset + c]
    if (top.length === k) {
      if (!(s > scores[offset + top[k - 1]])) continue
      top.pop()
    }
    let at = top.length
    while (at > 0 && s > scores[offset + top[at - 1]]) at--
    top.splice(at, 0, c)
  }
  return top
}

/** One list per validation user: the held-out items, fixed negatives, the training items as history. */
function validationBatches(u: UserItems, valid: Int32Array[], cfg: ListConfig, rng: Rng): ListBatch[] | undefined {
  const vcfg = cfg.negatives === 0 ? cfg : { ...cfg, negatives: VALID_NEGATIVES }
  const lists = valid.flatMap((items, user) => {
    if (items.length === 0) return []
    const chunk = items.subarray(0, cfg.positives)
    const negatives = Array.from({ length: VALID_NEGATIVES + cfg.positives - chunk.length }, () => negative(u.seen[user], u.itemCount, rng))
    return [{ user, chunk, rest: u.items[user], negatives }]
  })
  if (lists.length === 0) return undefined
  const out: ListBatch[] = []
  const size = cfg.negatives === 0 ? FULL_VALID_LISTS : CALIBRATION_LISTS
  for (let s = 0; s < lists.length; s += size) out.push(assemble(lists.slice(s, s + size), u, vcfg, rng, false))
  return out
}

/** Up to n training lists drawn at random (a user's first positives chunk, the rest as history). */
function sampleLists(u: UserItems, cfg: ListConfig, rng: Rng, n: number): { user: number; chunk: Int32Array; rest: Int32Array }[] {
  const active = u.items.flatMap((row, user) => (row.length > 0 ? [user] : []))
  if (active.length === 0) throw new SegueError('E_BAD_ARGUMENT', 'neural-hybrid: no user has any interaction to learn from')
  const count = Math.min(n, listsOf(u, cfg.positives))
  return Array.from({ length: count }, () => {
    const user = active[rng.int(active.length)]
    const row = u.items[user]
    const at = rng.int(row.length)
    const chunk = row.subarray(at, Math.min(row.length, at + cfg.positives))
    const rest = Int32Array.from([...row.subarray(0, at), ...row.subarray(at + chunk.length)])
    return { user, chunk, rest }
  })
}

/** BatchNorm statistics of both towers on the calibration batch (train-mode moments, kept). */
function measureStats(net: Network, b: ListBatch): { user: TowerStats; item: TowerStats } {
  return tidyKeep(() => {
    const x = batchInputs(net, b)
    const grab = (t: Tower, input: tf.Tensor2D): TowerStats => {
      const got: tf.Tensor1D[] = []
      towerForward(t, input, undefined, (mean, variance) => got.push(tf.keep(mean), tf.keep(variance)))
      return { m1: got[0], v1: got[1], m2: got[2], v2: got[3] }
    }
    return { user: grab(net.user, x.userInput), item: grab(net.item, x.itemInput) }
  })
}

/** tf.tidy for a result that is not a TensorContainer: tensors meant to survive are tf.keep'd inside. */
function tidyKeep<T>(fn: () => T): T {
  let out: T | undefined
  tf.tidy(() => {
    out = fn()
  })
  return out as T
}

function disposeStats(s: { user: TowerStats; item: TowerStats }): void {
  for (const t of [s.user, s.item]) tf.dispose([t.m1, t.v1, t.m2, t.v2])
}

/** Typed-array copies for serving: the user tower, embeddings, and every item's vector precomputed. */
function freeze(net: Network, calibration: ListBatch, m: Interactions['matrix']): Frozen {
  const stats = measureStats(net, calibration)
  try {
    const played = new Float32Array(m.cols)
    for (let p = 0; p < m.indices.length; p++) played[m.indices[p]] = 1
    const { itemVecs, itemBias } = tidyKeep(() => {
      const keep = tf.expandDims(tf.tensor1d(played), 1)
      const all = tf.range(0, m.cols, 1, 'int32') as tf.Tensor1D
      const input = withContent(net, tf.mul(net.itemEmb, keep) as tf.Tensor2D, all)
      const vecs = towerForward(net.item, input, stats.item)
      return { itemVecs: vecs.dataSync() as Float32Array, itemBias: tf.mul(tf.reshape(net.itemBias, [-1]), tf.tensor1d(played)).dataSync() as Float32Array }
    })
    return {
      userEmb: copy(net.userEmb),
      histEmb: copy(net.histEmb),
      sideEmb: net.sideEmb.map(copy),
      user: frozenTower(net.user, stats.user),
      itemVecs: Float32Array.from(itemVecs),
      itemBias: Float32Array.from(itemBias),
    }
  } finally {
    disposeStats(stats)
  }
}

/** A copy that outlives the tensor (the WASM backend's views go with its memory). */
function copy(x: tf.Tensor): Float32Array {
  return Float32Array.from(x.dataSync() as Float32Array)
}

function frozenTower(t: Tower, s: TowerStats): FrozenTower {
  const read = copy
  const n1 = foldNorm(read(t.g1), read(t.b1), read(s.m1), read(s.v1))
  const n2 = foldNorm(read(t.g2), read(t.b2), read(s.m2), read(s.v2))
  const [input, hidden] = t.w1.shape
  return { input: input!, hidden: hidden!, output: t.wo.shape[1]!, w1: read(t.w1), scale1: n1.scale, shift1: n1.shift, w2: read(t.w2), scale2: n2.scale, shift2: n2.shift, w3: read(t.w3), b3: read(t.b3), wo: read(t.wo), bo: read(t.bo) }
}
