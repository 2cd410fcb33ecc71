import * as tf from '@tensorflow/tfjs-core'
import { SegueError } from '../../core/errors.js'
import { TransformerEncoder, embeddingLookup } from '../attention.js'
import type { TrainableModel } from '../trainer.js'
import { leftPad } from './data.js'

/**
 * SASRec (Kang & McAuley 2018, "Self-Attentive Sequential Recommendation"): item embeddings plus learned
 * positions through causal Transformer blocks; the output at position t, dotted with the item table (shared
 * with the input), scores the item at t + 1. Trained on every position of every sequence at once. Two changes
 * from the paper, both common since: a softmax cross-entropy over the whole catalogue when it is small
 * (fullSoftmaxMax items) or over the target and shared sampled negatives when it is not, instead of one
 * negative per position with a binary loss.
 */
export interface SasRecOptions {
  /** Width of item and position vectors. */
  dModel: number
  heads: number
  layers: number
  /** Dropout on embeddings, attention and feed-forward outputs (the paper: 0.2 on ML-1M, 0.5 on sparse sets). */
  dropout: number
  /** Longest history the model reads (the paper: 200 on ML-1M, 50 elsewhere). */
  maxLen: number
  /** Negatives shared by a batch when the catalogue is too large for a full softmax. */
  negatives: number
  /** Catalogues up to this size train with a full softmax (default FULL_SOFTMAX_MAX). */
  fullSoftmaxMax: number
  seed: number
}

/**
 * Above this many items the loss samples negatives: a full softmax costs N x d per position, and on the WASM
 * backend the [positions x N] logits and their gradient dominated a batch (7 of 11 s at N = 1,682 under load).
 */
export const FULL_SOFTMAX_MAX = 1000

export const DEFAULT_SASREC: SasRecOptions = { dModel: 64, heads: 2, layers: 2, dropout: 0.2, maxLen: 50, negatives: 256, fullSoftmaxMax: FULL_SOFTMAX_MAX, seed: 42 }

/** A logit no item survives (padding, seen or accidental-hit items). */
const EXCLUDED = -1e9

/** Training batch: B sequences of maxLen inputs and next-item targets (0 = no loss), and shared negatives. */
export interface SequenceBatch {
  size: number
  inputs: Int32Array
  targets: Int32Array
  /** Item numbers for the sampled softmax; empty when the softmax is full. */
  negatives: Int32Array
}

export class SasRec implements TrainableModel<SequenceBatch> {
  readonly opts: SasRecOptions
  readonly itemCount: number
  readonly items: tf.Variable
  readonly encoder: TransformerEncoder
  /** Set by the trainer: the validation pass (loss and NDCG@10 on held-out items). */
  validator: () => { loss: number; metric?: number } = () => ({ loss: 0 })

  constructor(itemCount: number, opts: Partial<SasRecOptions> = {}) {
    this.opts = { ...DEFAULT_SASREC, ...opts }
    if (!(itemCount >= 1)) throw new SegueError('E_BAD_ARGUMENT', `sequence model needs at least one item, got ${itemCount}`)
    this.itemCount = itemCount
    const { dModel, heads, layers, dropout, maxLen, seed } = this.opts
    this.encoder = new TransformerEncoder({ dModel, heads, layers, ffDim: dModel, dropout, causal: true, maxLen, seed }, 'sasrec')
    this.items = this.encoder.weight([itemCount + 1, dModel], 'sasrec/items')
  }

  get fullSoftmax(): boolean {
    return this.itemCount <= this.opts.fullSoftmaxMax
  }

  variables(): tf.Variable[] {
    return [this.items, ...this.encoder.variables()]
  }

  validate(): { loss: number; metric?: number } {
    return this.validator()
  }

  /** Hidden states [B, L, d] of padded inputs [B * L]. */
  hidden(inputs: Int32Array, batch: number, training: boolean): tf.Tensor3D {
    const len = inputs.length / batch
    const ids = tf.tensor2d(inputs, [batch, len], 'int32')
    const x = tf.mul(embeddingLookup(this.items as tf.Tensor2D, ids), Math.sqrt(this.opts.dModel)) as tf.Tensor3D
    const keyMask = tf.cast(tf.notEqual(ids, 0), 'float32') as tf.Tensor2D
    return this.encoder.apply(x, { training, keyMask })
  }

  loss(b: SequenceBatch): tf.Scalar {
    const d = this.opts.dModel
    const h = tf.reshape(this.hidden(b.inputs, b.size, true), [-1, d]) as tf.Tensor2D
    const targets = tf.tensor1d(b.targets, 'int32')
    const weight = tf.cast(tf.notEqual(targets, 0), 'float32')
    const nll = this.fullSoftmax ? this.fullNll(h, targets) : this.sampledNll(h, targets, b.negatives)
    return tf.div(tf.sum(tf.mul(nll, weight)), tf.maximum(tf.sum(weight), 1)) as tf.Scalar
  }

  /** -log softmax over every item (padding excluded) at each position: [M]. */
  private fullNll(h: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
    const logits = tf.add(tf.matMul(h, tf.transpose(this.items)), this.padBias())
    const logp = tf.logSoftmax(logits)
    return tf.neg(tf.sum(tf.mul(logp, tf.oneHot(targets, this.itemCount + 1)), -1)) as tf.Tensor1D
  }

  /** -log softmax over [target, shared negatives] at each position; a negative equal to the target is left out: [M]. */
  private sampledNll(h: tf.Tensor2D, targets: tf.Tensor1D, negatives: Int32Array): tf.Tensor1D {
    const table = this.items as tf.Tensor2D
    const pos = tf.sum(tf.mul(h, embeddingLookup(table, targets)), -1, true)
    const negIds = tf.tensor1d(negatives, 'int32')
    const clash = tf.equal(tf.expandDims(targets, 1), tf.expandDims(negIds, 0))
    const neg = tf.add(tf.matMul(h, tf.transpose(embeddingLookup(table, negIds))), tf.mul(tf.cast(clash, 'float32'), EXCLUDED))
    const logp = tf.logSoftmax(tf.concat([pos, neg], 1))
    return tf.neg(tf.reshape(tf.slice(logp, [0, 0], [-1, 1]), [-1])) as tf.Tensor1D
  }

  private padBias(): tf.Tensor1D {
    return tf.concat([tf.tensor1d([EXCLUDED]), tf.zeros([this.itemCount])]) as tf.Tensor1D
  }

  /**
   * Scores of every item (index 0, padding, is -Infinity) for the next step after each history; histories
   * longer than maxLen are read from their last maxLen items.
   */
  scoreNext(histories: readonly ArrayLike<number>[]): Float32Array[] {
    const len = this.opts.maxLen
    const inputs = new Int32Array(histories.length * len)
    histories.forEach((hist, i) => leftPad(hist, len, inputs.subarray(i * len, (i + 1) * len)))
    const flat = tf.tidy(() => {
      const h = this.hidden(inputs, histories.length, false)
      const last = tf.reshape(tf.slice(h, [0, len - 1, 0], [-1, 1, -1]), [histories.length, this.opts.dModel]) as tf.Tensor2D
      return tf.matMul(last, tf.transpose(this.items)) // transposeB runs 4x slower on WASM
    })
    const all = flat.dataSync() as Float32Array
    flat.dispose()
    const n = this.itemCount + 1
    return histories.map((_, i) => {
      const row = all.slice(i * n, (i + 1) * n)
      row[0] = -Infinity
      return row
    })
  }

  dispose(): void {
    this.items.dispose()
    this.encoder.dispose()
  }
}
