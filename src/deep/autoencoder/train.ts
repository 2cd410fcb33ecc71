import * as tf from '@tensorflow/tfjs-core'
import { SegueError } from '../../core/errors.js'
import { fitModel, shuffledBatches, type FitResult, type TrainOptions } from '../trainer.js'
import { AUTOENCODER_DEFAULTS, AutoencoderNet, type AutoencoderConfig } from './model.js'

/** The rows to train on: n x dims row-major, and a group key per row (rows sharing a key share a split side). */
export interface AutoencoderData {
  rows: Float32Array
  dims: number
  groupKeys: readonly string[]
}

export interface AutoencoderTrained {
  net: AutoencoderNet
  config: AutoencoderConfig
  result: FitResult
  split: { train: Int32Array; validation: Int32Array }
}

/** Loop settings the caller decides (checkpoints, Ctrl-C, progress); the rest comes from the config. */
export type LoopOptions = Pick<TrainOptions, 'checkpointDir' | 'resume' | 'signal' | 'onEpoch' | 'progress' | 'patience' | 'plateau' | 'clipNorm'>

/** Trains an autoencoder on `data`; the returned net holds the weights of the best validation epoch. */
export async function trainAutoencoder(data: AutoencoderData, config: Partial<AutoencoderConfig> = {}, loop: LoopOptions = {}): Promise<AutoencoderTrained> {
  const cfg = resolveAutoencoderConfig(config)
  const n = data.rows.length / data.dims
  if (!Number.isInteger(n) || n !== data.groupKeys.length) {
    throw new SegueError('E_BAD_ARGUMENT', `autoencoder: ${data.rows.length} values are not ${data.groupKeys.length} rows of ${data.dims} dims`)
  }
  const split = splitByGroup(data.groupKeys, cfg.validationShare, cfg.seed)
  if (split.train.length === 0 || split.validation.length === 0) {
    throw new SegueError('E_BAD_ARGUMENT', `autoencoder: ${n} rows leave no training or no validation rows at validationShare ${cfg.validationShare}`)
  }
  const net = AutoencoderNet.create(data.dims, cfg)
  const validation = validationTensor(data, split.validation)
  try {
    const result = await fitModel({
      name: 'autoencoder',
      model: {
        variables: () => net.weights,
        loss: (idx: Int32Array) => net.loss(gatherRows(data, idx, split.train)),
        validate: () => validate(net, validation),
      },
      batches: (epoch) => shuffledBatches(split.train.length, cfg.batchSize, cfg.seed, epoch),
      samplesOf: (idx) => idx.length,
      options: { ...loop, epochs: cfg.epochs, learningRate: cfg.learningRate, batchSize: cfg.batchSize, seed: cfg.seed },
    })
    return { net, config: cfg, result, split }
  } catch (err) {
    net.dispose()
    throw err
  } finally {
    validation.dispose()
  }
}

export function resolveAutoencoderConfig(partial: Partial<AutoencoderConfig>): AutoencoderConfig {
  const cfg = { ...AUTOENCODER_DEFAULTS, ...definedOnly(partial) }
  for (const key of ['hidden', 'dim', 'epochs', 'batchSize'] as const) {
    if (!Number.isInteger(cfg[key]) || cfg[key] < 1) throw new SegueError('E_BAD_ARGUMENT', `autoencoder: ${key} must be a whole number >= 1, got ${cfg[key]}`)
  }
  if (!(cfg.validationShare > 0 && cfg.validationShare < 1)) throw new SegueError('E_BAD_ARGUMENT', `autoencoder: validationShare must be between 0 and 1, got ${cfg.validationShare}`)
  if (!(cfg.learningRate > 0)) throw new SegueError('E_BAD_ARGUMENT', `autoencoder: learningRate must be > 0, got ${cfg.learningRate}`)
  return cfg
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}

/**
 * Rows whose group key hashes (with the seed) below `share` validate, the rest train: every release of a
 * recording falls on the same side, so validation measures tracks the net has not seen in any form.
 */
export function splitByGroup(keys: readonly string[], share: number, seed: number): { train: Int32Array; validation: Int32Array } {
  const train: number[] = []
  const validation: number[] = []
  keys.forEach((key, row) => (hashUnit(key, seed) < share ? validation : train).push(row))
  return { train: Int32Array.from(train), validation: Int32Array.from(validation) }
}

/** FNV-1a of the key mixed with the seed, mapped to [0, 1). */
function hashUnit(key: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b) >>> 0
  h ^= h >>> 13
  return (h >>> 0) / 4294967296
}

/** The rows `pick[idx[i]]` as one batch tensor. */
function gatherRows(data: AutoencoderData, idx: Int32Array, pick: Int32Array): tf.Tensor2D {
  const out = new Float32Array(idx.length * data.dims)
  for (let i = 0; i < idx.length; i++) {
    const row = pick[idx[i]]
    out.set(data.rows.subarray(row * data.dims, (row + 1) * data.dims), i * data.dims)
  }
  return tf.tensor2d(out, [idx.length, data.dims])
}

function validationTensor(data: AutoencoderData, rows: Int32Array): tf.Tensor2D {
  return tf.keep(gatherRows(data, Int32Array.from(rows.keys()), rows))
}

/** Validation loss (MSE) and metric: mean cosine between each held-out vector and its reconstruction. */
function validate(net: AutoencoderNet, x: tf.Tensor2D): { loss: number; metric: number } {
  return tf.tidy(() => {
    const recon = net.decode(net.encode(x))
    const loss = tf.mean(tf.squaredDifference(recon, x))
    const dot = tf.sum(tf.mul(recon, x), 1)
    const norms = tf.mul(tf.norm(recon, 'euclidean', 1), tf.norm(x, 'euclidean', 1))
    const cosine = tf.mean(tf.div(dot, tf.maximum(norms, 1e-12)))
    return { loss: loss.dataSync()[0], metric: cosine.dataSync()[0] }
  })
}
