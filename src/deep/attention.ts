import * as tf from '@tensorflow/tfjs-core'
import { uniqueName } from './backend.js'

/**
 * Transformer encoder blocks (Vaswani et al. 2017, "Attention is all you need") in tfjs-core ops, pre-norm as
 * SASRec uses it (Kang & McAuley 2018): x + Attn(LN(x)), then x + FFN(LN(x)), with a final layer norm. The
 * causal option lets position t attend to positions <= t only, which next-item prediction needs; a key mask
 * keeps padding out of every softmax.
 */
export interface TransformerConfig {
  /** Width of every token vector. */
  dModel: number
  /** Attention heads; dModel must divide by it. */
  heads: number
  /** Blocks stacked. */
  layers: number
  /** Hidden width of the position-wise feed-forward layer. */
  ffDim: number
  /** Dropout rate on attention weights and sub-layer outputs while training. */
  dropout: number
  /** True: position t sees positions <= t only. */
  causal: boolean
  /** Longest sequence (size of the learned positional table). */
  maxLen: number
  /** Seed of the initial weights and of dropout. */
  seed: number
}

/** A softmax logit that no weight survives: exp(-1e9) is 0 in float32. */
const MASKED_LOGIT = -1e9
/** Layer-norm epsilon, as in BERT and SASRec. */
const LN_EPSILON = 1e-6
/** Standard deviation of the initial weights (BERT's truncated normal 0.02 is too small for d <= 64 here). */
const INIT_STD = 0.05

interface Block {
  ln1: LayerNorm
  wq: tf.Variable; wk: tf.Variable; wv: tf.Variable; wo: tf.Variable
  ln2: LayerNorm
  w1: tf.Variable; b1: tf.Variable; w2: tf.Variable; b2: tf.Variable
}
interface LayerNorm { gamma: tf.Variable; beta: tf.Variable }

/** Options of one forward pass. */
export interface ApplyOptions {
  /** Dropout on (training) or off (inference). */
  training: boolean
  /** [batch, len], 1 for a real token, 0 for padding: padded keys get no attention and padded outputs are 0. */
  keyMask?: tf.Tensor2D
}

/** A stack of Transformer blocks with a learned positional table; its variables are trained by the caller. */
export class TransformerEncoder {
  readonly config: TransformerConfig
  readonly positions: tf.Variable
  private readonly blocks: Block[]
  private readonly finalNorm: LayerNorm
  private seedCounter: number

  constructor(config: TransformerConfig, name = 'encoder') {
    if (config.dModel % config.heads !== 0) throw new RangeError(`dModel ${config.dModel} must divide by heads ${config.heads}`)
    this.config = config
    this.seedCounter = config.seed
    this.positions = this.weight([config.maxLen, config.dModel], `${name}/pos`)
    this.blocks = Array.from({ length: config.layers }, (_, i) => this.block(`${name}/b${i}`))
    this.finalNorm = layerNorm(config.dModel, `${name}/ln`)
  }

  variables(): tf.Variable[] {
    const norm = (n: LayerNorm) => [n.gamma, n.beta]
    return [
      this.positions,
      ...this.blocks.flatMap((b) => [...norm(b.ln1), b.wq, b.wk, b.wv, b.wo, ...norm(b.ln2), b.w1, b.b1, b.w2, b.b2]),
      ...norm(this.finalNorm),
    ]
  }

  /** Adds positions (the last `len` rows align with the sequence's end) and runs every block: [B, L, d] -> [B, L, d]. */
  apply(x: tf.Tensor3D, opts: ApplyOptions): tf.Tensor3D {
    return tf.tidy(() => {
      const [, len] = x.shape
      if (len > this.config.maxLen) throw new RangeError(`sequence length ${len} exceeds maxLen ${this.config.maxLen}`)
      let h: tf.Tensor3D = tf.add(x, tf.slice(this.positions, [0, 0], [len, this.config.dModel]))
      h = this.dropout(h, opts.training)
      const mask = opts.keyMask ? tf.expandDims(opts.keyMask, 2) as tf.Tensor3D : null
      if (mask) h = tf.mul(h, mask)
      const bias = this.attentionBias(len, opts.keyMask)
      for (const b of this.blocks) {
        h = tf.add(h, this.attention(b, applyNorm(b.ln1, h), bias, opts.training))
        h = tf.add(h, this.feedForward(b, applyNorm(b.ln2, h), opts.training))
        if (mask) h = tf.mul(h, mask)
      }
      return applyNorm(this.finalNorm, h)
    })
  }

  /** Multi-head scaled dot-product self-attention: [B, L, d] -> [B, L, d]. */
  private attention(b: Block, x: tf.Tensor3D, bias: tf.Tensor | null, training: boolean): tf.Tensor3D {
    const [batch, len, d] = x.shape
    const { heads } = this.config
    const dh = d / heads
    const flat = tf.reshape(x, [batch * len, d]) as tf.Tensor2D
    const split = (w: tf.Variable) => tf.transpose(tf.reshape(tf.matMul(flat, w as tf.Tensor2D), [batch, len, heads, dh]), [0, 2, 1, 3]) as tf.Tensor4D
    const q = split(b.wq)
    const k = split(b.wk)
    const v = split(b.wv)
    let logits: tf.Tensor4D = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh))
    if (bias) logits = tf.add(logits, bias)
    const weights = this.dropout(tf.softmax(logits), training)
    const out = tf.reshape(tf.transpose(tf.matMul(weights, v), [0, 2, 1, 3]), [batch * len, d]) as tf.Tensor2D
    return this.dropout(tf.reshape(tf.matMul(out, b.wo as tf.Tensor2D), [batch, len, d]), training)
  }

  /** Position-wise feed-forward with ReLU (as SASRec): [B, L, d] -> [B, L, d]. */
  private feedForward(b: Block, x: tf.Tensor3D, training: boolean): tf.Tensor3D {
    const [batch, len, d] = x.shape
    const hidden = tf.relu(tf.add(tf.matMul(tf.reshape(x, [batch * len, d]) as tf.Tensor2D, b.w1 as tf.Tensor2D), b.b1))
    const out = tf.add(tf.matMul(this.dropout(hidden, training), b.w2 as tf.Tensor2D), b.b2)
    return this.dropout(tf.reshape(out, [batch, len, d]), training)
  }

  /** Additive logit bias [1 or B, 1, L, L]: MASKED_LOGIT on future keys (causal) and on padded keys. */
  private attentionBias(len: number, keyMask?: tf.Tensor2D): tf.Tensor | null {
    let allowed: tf.Tensor | null = null
    if (this.config.causal) allowed = tf.reshape(causalMask(len), [1, 1, len, len])
    if (keyMask) {
      const keys = tf.reshape(keyMask, [keyMask.shape[0], 1, 1, len])
      allowed = allowed ? tf.mul(allowed, keys) : keys
    }
    return allowed ? tf.mul(tf.sub(1, allowed), MASKED_LOGIT) : null
  }

  private dropout<T extends tf.Tensor>(x: T, training: boolean): T {
    if (!training || this.config.dropout <= 0) return x
    return tf.dropout(x, this.config.dropout, undefined, this.nextSeed()) as T
  }

  private block(name: string): Block {
    const { dModel: d, ffDim } = this.config
    return {
      ln1: layerNorm(d, `${name}/ln1`),
      wq: this.weight([d, d], `${name}/wq`), wk: this.weight([d, d], `${name}/wk`),
      wv: this.weight([d, d], `${name}/wv`), wo: this.weight([d, d], `${name}/wo`),
      ln2: layerNorm(d, `${name}/ln2`),
      w1: this.weight([d, ffDim], `${name}/w1`), b1: tf.variable(tf.zeros([ffDim]), true, uniqueName(`${name}/b1`)),
      w2: this.weight([ffDim, d], `${name}/w2`), b2: tf.variable(tf.zeros([d]), true, uniqueName(`${name}/b2`)),
    }
  }

  /** A seeded weight matrix (truncated normal), for this encoder or the model around it. */
  weight(shape: number[], name: string): tf.Variable {
    return tf.variable(tf.truncatedNormal(shape, 0, INIT_STD, 'float32', this.nextSeed()), true, uniqueName(name))
  }

  nextSeed(): number {
    this.seedCounter = (this.seedCounter * 1103515245 + 12345) % 2147483647
    return this.seedCounter
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose()
  }
}

/** [L, L] lower-triangular ones: row t may see columns 0..t. */
export function causalMask(len: number): tf.Tensor2D {
  return tf.linalg.bandPart(tf.ones([len, len]), -1, 0) as tf.Tensor2D
}

function layerNorm(d: number, name: string): LayerNorm {
  return { gamma: tf.variable(tf.ones([d]), true, uniqueName(`${name}/g`)), beta: tf.variable(tf.zeros([d]), true, uniqueName(`${name}/b`)) }
}

function applyNorm<T extends tf.Tensor>(n: LayerNorm, x: T): T {
  const { mean, variance } = tf.moments(x, -1, true)
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, LN_EPSILON))), n.gamma), n.beta) as T
}


/**
 * Rows of an embedding table, `table[ids]`, with a gradient the WASM backend can compute: tf.gather's own
 * gradient needs UnsortedSegmentSum, which that backend lacks; scatterND sums the rows of repeated ids the same way.
 */
export function embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor): tf.Tensor {
  const lookup = tf.customGrad(((t: tf.Tensor, i: tf.Tensor, save: (ts: tf.Tensor[]) => void) => {
    const width = t.shape[1] as number
    save([i])
    return {
      value: tf.reshape(tf.gather(t as tf.Tensor2D, tf.reshape(i, [-1])), [...i.shape, width]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
        tf.scatterND(tf.reshape(saved[0], [-1, 1]), tf.reshape(dy, [-1, width]), t.shape),
        tf.zerosLike(saved[0]),
      ],
    }
  }) as unknown as Parameters<typeof tf.customGrad>[0])
  return lookup(table, ids)
}
