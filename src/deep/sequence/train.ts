import * as tf from '@tensorflow/tfjs-core'
import { loadArtifact, saveArtifact, type Blob } from '../../core/artifact.js'
import { SegueError } from '../../core/errors.js'
import { Rng } from '../../core/rng.js'
import { fitModel, shuffledBatches, type FitResult, type TrainOptions } from '../trainer.js'
import { leftPad, type LeaveLastOut } from './data.js'
import { buildQueries, evaluateSasRec, type Query } from './evaluate.js'
import { SasRec, type SasRecOptions, type SequenceBatch } from './model.js'

/** How SASRec is trained (model shape in SasRecOptions). */
export interface SequenceTrainOptions extends Partial<SasRecOptions> {
  epochs?: number
  learningRate?: number
  batchSize?: number
  /** Validation queries per epoch (evenly spread over the sequences). */
  validationQueries?: number
  train?: Partial<Omit<TrainOptions, 'epochs' | 'learningRate' | 'seed' | 'batchSize'>>
}

/**
 * Chosen on MovieLens 100K and the MPD sample's validation items (bench/sequence.bench.ts): 1e-3 is the paper's
 * rate; 128 sequences a batch keeps the WASM matmuls large enough; 200 epochs is a cap early stopping ends first.
 */
export const SEQUENCE_TRAIN_DEFAULTS = { epochs: 200, learningRate: 1e-3, batchSize: 128, validationQueries: 1000 }

/** Trains SASRec on the split's training prefixes; early stopping watches the validation items' cross-entropy. */
export async function trainSasRec(split: LeaveLastOut, opts: SequenceTrainOptions = {}): Promise<{ model: SasRec; fit: FitResult }> {
  const { epochs, learningRate, batchSize, validationQueries } = { ...SEQUENCE_TRAIN_DEFAULTS, ...opts }
  const model = new SasRec(split.data.items.length, opts)
  const seed = model.opts.seed
  const trainable = split.train.map((_, s) => s).filter((s) => split.train[s].length >= 2)
  if (trainable.length === 0) throw new SegueError('E_BAD_ARGUMENT', 'no sequence has 4 or more items: nothing to learn the next item from')
  const queries = buildQueries(split, 'valid', { maxQueries: validationQueries, seed })
  model.validator = () => validation(model, queries)
  const fit = await fitModel<SequenceBatch>({
    name: 'sequence',
    model,
    batches: (epoch) => epochBatches(model, split, trainable, batchSize, epoch),
    samplesOf: (b) => b.size,
    options: { ...opts.train, epochs, learningRate, seed, batchSize },
  })
  return { model, fit }
}

function* epochBatches(model: SasRec, split: LeaveLastOut, trainable: number[], batchSize: number, epoch: number): Generator<SequenceBatch> {
  const { maxLen, negatives, seed } = model.opts
  const rng = new Rng((seed * 31 + epoch) >>> 0)
  for (const idx of shuffledBatches(trainable.length, batchSize, seed, epoch)) {
    const inputs = new Int32Array(idx.length * maxLen)
    const targets = new Int32Array(idx.length * maxLen)
    idx.forEach((k, i) => {
      const seq = split.train[trainable[k]]
      leftPad(seq.subarray(0, seq.length - 1), maxLen, inputs.subarray(i * maxLen, (i + 1) * maxLen))
      leftPad(seq.subarray(1), maxLen, targets.subarray(i * maxLen, (i + 1) * maxLen))
    })
    const neg = model.fullSoftmax ? new Int32Array(0) : Int32Array.from({ length: negatives }, () => 1 + rng.int(model.itemCount))
    yield { size: idx.length, inputs, targets, negatives: neg }
  }
}

/** Mean cross-entropy of the validation items over all items, and full-ranking NDCG@10 as the metric. */
function validation(model: SasRec, queries: readonly Query[]): { loss: number; metric: number } {
  let nll = 0
  for (let at = 0; at < queries.length; at += 256) {
    const chunk = queries.slice(at, at + 256)
    model.scoreNext(chunk.map((q) => q.history)).forEach((scores, i) => {
      nll += logSumExp(scores) - scores[chunk[i].target]
    })
  }
  return { loss: nll / Math.max(1, queries.length), metric: evaluateSasRec(model, queries).full.ndcg }
}

function logSumExp(x: Float32Array): number {
  let max = -Infinity
  for (let i = 0; i < x.length; i++) if (x[i] > max) max = x[i]
  let sum = 0
  for (let i = 0; i < x.length; i++) sum += Math.exp(x[i] - max)
  return max + Math.log(sum)
}

// ---- artifact ----

export const SEQUENCE_ARTIFACT = { kind: 'sequence-sasrec', version: 1 } as const

/** Saves the model with its vocabulary (raw item ids) under `key` (what it was trained from). */
export function saveSasRec(path: string, model: SasRec, items: readonly string[], key: string, meta: Record<string, unknown> = {}): void {
  const blobs: Record<string, Blob> = {}
  model.variables().forEach((v, i) => (blobs[`w${i}`] = v.dataSync() as Float32Array))
  saveArtifact(path, { ...SEQUENCE_ARTIFACT, key, meta: { ...meta, options: model.opts, items } }, blobs)
}

/** A saved model, ready to score; its vocabulary maps raw ids to item numbers (index + 1). */
export function loadSasRec(path: string): { model: SasRec; items: string[]; key: string; meta: Record<string, unknown> } {
  const { header, blobs } = loadArtifact(path, SEQUENCE_ARTIFACT)
  const items = header.meta.items as string[]
  const model = new SasRec(items.length, header.meta.options as SasRecOptions)
  model.variables().forEach((v, i) => {
    const values = blobs[`w${i}`] as Float32Array | undefined
    if (!values || values.length !== v.size) throw new SegueError('E_ARTIFACT_CORRUPT', `${path}: weight ${i} is missing or has the wrong size`)
    v.assign(tf.tensor(values, v.shape))
  })
  return { model, items, key: header.key, meta: header.meta }
}
