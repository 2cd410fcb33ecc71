import * as tf from '@tensorflow/tfjs-core'
import { Rng } from '../../core/rng.js'
import { TransformerEncoder, embeddingLookup } from '../attention.js'
import { uniqueName } from '../backend.js'
import type { TrainableModel } from '../trainer.js'
import { MASK, PAD, SLOTS } from './tokens.js'

/**
 * Track embeddings by masked-token prediction (BERT's objective, Devlin et al. 2019, over feature groups as in
 * tabular Transformers such as TabTransformer): some slots of a track's tokens are replaced by MASK and the
 * encoder predicts them from the rest, so it learns which bins, genres and artists go together. A track's
 * embedding is the mean of its unmasked output vectors.
 *
 * The output layer is its own table (plus a bias), not tied to the input token table: tied (BERT's choice), the
 * model settled on each slot's marginal distribution and never used the other slots (a masked genre stayed at
 * chance when the artist decided it, with or without an output bias); untied, the same task is learned.
 */
export interface TrackTransformerConfig {
  dModel: number
  heads: number
  layers: number
  dropout: number
  /** Chance that a slot is masked (at least one slot per track always is). */
  maskRate: number
  seed: number
}

export const DEFAULT_TRACK_TRANSFORMER: TrackTransformerConfig = { dModel: 32, heads: 2, layers: 2, dropout: 0.1, maskRate: 0.2, seed: 42 }

/** Masked tokens and what was there (0 where nothing is predicted). */
export interface MaskedBatch {
  size: number
  inputs: Int32Array
  targets: Int32Array
}

export class TrackTransformer implements TrainableModel<MaskedBatch> {
  readonly config: TrackTransformerConfig
  readonly tokens: tf.Variable
  /** Output vectors of the vocabulary (logits = h . output[t] + outputBias[t]). */
  readonly output: tf.Variable
  readonly outputBias: tf.Variable
  readonly encoder: TransformerEncoder
  validator: () => { loss: number; metric?: number } = () => ({ loss: 0 })

  constructor(readonly vocabSize: number, config: Partial<TrackTransformerConfig> = {}) {
    this.config = { ...DEFAULT_TRACK_TRANSFORMER, ...config }
    const { dModel, heads, layers, dropout, seed } = this.config
    this.encoder = new TransformerEncoder({ dModel, heads, layers, ffDim: dModel * 2, dropout, causal: false, maxLen: SLOTS, seed }, 'track-transformer')
    this.tokens = this.encoder.weight([vocabSize, dModel], 'track-transformer/tokens')
    this.output = this.encoder.weight([vocabSize, dModel], 'track-transformer/output')
    this.outputBias = tf.variable(tf.zeros([vocabSize]), true, uniqueName('track-transformer/output-bias'))
  }

  variables(): tf.Variable[] {
    return [this.tokens, this.output, this.outputBias, ...this.encoder.variables()]
  }

  validate(): { loss: number; metric?: number } {
    return this.validator()
  }

  private encode(inputs: Int32Array, size: number, training: boolean): tf.Tensor3D {
    const ids = tf.tensor2d(inputs, [size, SLOTS], 'int32')
    const keyMask = tf.cast(tf.notEqual(ids, PAD), 'float32') as tf.Tensor2D
    return this.encoder.apply(embeddingLookup(this.tokens as tf.Tensor2D, ids) as tf.Tensor3D, { training, keyMask })
  }

  /**
   * Cross-entropy over the whole vocabulary at the masked slots only:
   * the [masked x vocabulary] logits are a fifth of what every slot would cost.
   */
  loss(b: MaskedBatch, training = true): tf.Scalar {
    const h = tf.reshape(this.encode(b.inputs, b.size, training), [-1, this.config.dModel]) as tf.Tensor2D
    const at: number[] = []
    const wanted: number[] = []
    b.targets.forEach((t, i) => {
      if (t === 0) return
      at.push(i)
      wanted.push(t)
    })
    const picked = embeddingLookup(h, tf.tensor1d(at, 'int32')) as tf.Tensor2D
    const logp = tf.logSoftmax(this.logits(picked))
    return tf.neg(tf.mean(tf.sum(tf.mul(logp, tf.oneHot(tf.tensor1d(wanted, 'int32'), this.vocabSize)), -1))) as tf.Scalar
  }

  /** The most likely token at every slot of `inputs` (size x SLOTS), e.g. to fill in MASKed slots. */
  predict(inputs: Int32Array, size: number): Int32Array {
    return tf.tidy(() => {
      const h = tf.reshape(this.encode(inputs, size, false), [-1, this.config.dModel]) as tf.Tensor2D
      return tf.argMax(this.logits(h), -1).dataSync() as Int32Array
    })
  }

  /** [n, dModel] output vectors -> [n, vocab] logits. */
  private logits(h: tf.Tensor2D): tf.Tensor2D {
    return tf.add(tf.matMul(h, this.output as tf.Tensor2D, false, true), this.outputBias)
  }

  /** Mean-pooled output vectors of unmasked tracks: count x dModel. */
  embed(tokens: Int32Array, batch = 2048): Float32Array {
    const count = tokens.length / SLOTS
    const d = this.config.dModel
    const out = new Float32Array(count * d)
    for (let at = 0; at < count; at += batch) {
      const size = Math.min(batch, count - at)
      const pooled = tf.tidy(() => {
        const inputs = tokens.subarray(at * SLOTS, (at + size) * SLOTS)
        const h = this.encode(inputs, size, false)
        const mask = tf.expandDims(tf.cast(tf.notEqual(tf.tensor2d(inputs, [size, SLOTS], 'int32'), PAD), 'float32'), 2)
        return tf.div(tf.sum(tf.mul(h, mask), 1), tf.sum(mask, 1))
      })
      out.set(pooled.dataSync() as Float32Array, at * d)
      pooled.dispose()
    }
    return out
  }

  dispose(): void {
    this.tokens.dispose()
    this.output.dispose()
    this.outputBias.dispose()
    this.encoder.dispose()
  }
}

/** Masks the given tracks' tokens (rows of `tokens`) with a seeded draw. */
export function maskRows(tokens: Int32Array, rows: ArrayLike<number>, rate: number, rng: Rng): MaskedBatch {
  const inputs = new Int32Array(rows.length * SLOTS)
  const targets = new Int32Array(rows.length * SLOTS)
  for (let i = 0; i < rows.length; i++) {
    const src = tokens.subarray(rows[i] * SLOTS, (rows[i] + 1) * SLOTS)
    inputs.set(src, i * SLOTS)
    let masked = 0
    for (let s = 0; s < SLOTS; s++) {
      if (src[s] === PAD || rng.next() >= rate) continue
      inputs[i * SLOTS + s] = MASK
      targets[i * SLOTS + s] = src[s]
      masked++
    }
    if (masked === 0) {
      const s = rng.int(SLOTS)
      if (src[s] !== PAD) {
        inputs[i * SLOTS + s] = MASK
        targets[i * SLOTS + s] = src[s]
      }
    }
  }
  return { size: rows.length, inputs, targets }
}
