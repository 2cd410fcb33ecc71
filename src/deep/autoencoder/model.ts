import * as tf from '@tensorflow/tfjs-core'
import { SegueError } from '../../core/errors.js'
import { Rng } from '../../core/rng.js'
import { constantVariable, dense, glorotVariable } from '../backend.js'

/**
 * A dense autoencoder over the fitted feature vectors: input -> hidden (ReLU) -> embedding (linear) ->
 * hidden (ReLU) -> reconstruction (linear), trained on mean squared reconstruction error. The embedding is the
 * track's learned vector for similar-track search; with the default pipeline (255 dims on the 114k catalogue)
 * it compresses about 8x.
 */
export interface AutoencoderConfig {
  /** Width of the two hidden layers. */
  hidden: number
  /** Embedding dimensions. */
  dim: number
  epochs: number
  batchSize: number
  learningRate: number
  /** Share of recordings held out for validation (split by recording, so re-releases never straddle it). */
  validationShare: number
  seed: number
}

/**
 * 128 hidden units and 32 dims: on the 114k catalogue the validation loss stops improving past 32 dims, and a
 * 256-row batch keeps the WASM matmuls large enough to run near their peak.
 */
export const AUTOENCODER_DEFAULTS: AutoencoderConfig = Object.freeze({
  hidden: 128,
  dim: 32,
  epochs: 30,
  batchSize: 256,
  learningRate: 1e-3,
  validationShare: 0.1,
  seed: 42,
})

/** Layer order of the saved weights: W1 b1 (encoder hidden), W2 b2 (embedding), W3 b3, W4 b4 (decoder). */
export class AutoencoderNet {
  private constructor(
    readonly inputDims: number,
    readonly hidden: number,
    readonly dim: number,
    readonly weights: tf.Variable[],
  ) {}

  /** Fresh Glorot-uniform weights from the seed; zero biases. */
  static create(inputDims: number, cfg: Pick<AutoencoderConfig, 'hidden' | 'dim' | 'seed'>): AutoencoderNet {
    const rng = new Rng(cfg.seed)
    const sizes: [number, number][] = [[inputDims, cfg.hidden], [cfg.hidden, cfg.dim], [cfg.dim, cfg.hidden], [cfg.hidden, inputDims]]
    const weights = sizes.flatMap(([a, b], i) => [glorotVariable(rng, a, b, `ae_w${i + 1}`), constantVariable(b, `ae_b${i + 1}`)])
    return new AutoencoderNet(inputDims, cfg.hidden, cfg.dim, weights)
  }

  /** Rebuilds a trained net from its saved arrays (in `weights` order). */
  static fromArrays(inputDims: number, hidden: number, dim: number, arrays: Float32Array[]): AutoencoderNet {
    const net = AutoencoderNet.create(inputDims, { hidden, dim, seed: 0 })
    if (arrays.length !== net.weights.length) throw new SegueError('E_ARTIFACT_CORRUPT', `autoencoder: expected ${net.weights.length} weight arrays, got ${arrays.length}`)
    net.weights.forEach((w, i) => {
      if (arrays[i].length !== w.size) throw new SegueError('E_ARTIFACT_CORRUPT', `autoencoder: weight ${i} has ${arrays[i].length} values, expected ${w.size}`)
      w.assign(tf.tensor(arrays[i], w.shape))
    })
    return net
  }

  encode(x: tf.Tensor2D): tf.Tensor2D {
    const [w1, b1, w2, b2] = this.weights
    return dense(dense(x, w1 as tf.Tensor2D, b1 as tf.Tensor1D, 'relu'), w2 as tf.Tensor2D, b2 as tf.Tensor1D)
  }

  decode(z: tf.Tensor2D): tf.Tensor2D {
    const [, , , , w3, b3, w4, b4] = this.weights
    return dense(dense(z, w3 as tf.Tensor2D, b3 as tf.Tensor1D, 'relu'), w4 as tf.Tensor2D, b4 as tf.Tensor1D)
  }

  /** Mean squared reconstruction error of a batch (mean over rows and dims). */
  loss(x: tf.Tensor2D): tf.Scalar {
    return tf.mean(tf.squaredDifference(this.decode(this.encode(x)), x)) as tf.Scalar
  }

  /** Embeddings of `rows` (row-major, rows x inputDims), computed in chunks to bound memory. */
  embed(rows: Float32Array, chunk = EMBED_CHUNK): Float32Array {
    const n = rows.length / this.inputDims
    const out = new Float32Array(n * this.dim)
    for (let start = 0; start < n; start += chunk) {
      const end = Math.min(n, start + chunk)
      const z = tf.tidy(() => this.encode(tf.tensor2d(rows.subarray(start * this.inputDims, end * this.inputDims), [end - start, this.inputDims])))
      out.set(z.dataSync() as Float32Array, start * this.dim)
      z.dispose()
    }
    return out
  }

  /** Copies of the weights, in layer order. */
  toArrays(): Float32Array[] {
    return this.weights.map((w) => Float32Array.from(w.dataSync() as Float32Array))
  }

  dispose(): void {
    for (const w of this.weights) w.dispose()
  }
}

/** Rows per inference step: large enough to keep the matmul efficient, small enough to stay in a few MB. */
const EMBED_CHUNK = 4096
