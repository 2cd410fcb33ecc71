import * as tf from '@tensorflow/tfjs-core'
import { SegueError } from '../../core/errors.js'
import { Rng } from '../../core/rng.js'
import type { Engine } from '../../engine.js'
import { describeBackend, initBackend } from '../backend.js'
import { embeddingKey, embeddingsPath, loadTrackEmbeddings, saveTrackEmbeddings, type EmbeddingModule, type TrackEmbeddings } from '../embeddings.js'
import type { DeepTrainContext, DeepTrainResult } from '../registry.js'
import { fitModel, type TrainOptions } from '../trainer.js'
import type { Track } from '../../core/track.js'
import { DEFAULT_TRACK_TRANSFORMER, maskRows, TrackTransformer, type MaskedBatch, type TrackTransformerConfig } from './model.js'
import { fitTokenizer, tokenize } from './tokens.js'

export const TRANSFORMER_MODEL = 'transformer'

/** How the track Transformer trains; the model's shape is in TrackTransformerConfig. */
export interface TransformerTrainConfig extends TrackTransformerConfig {
  epochs: number
  learningRate: number
  batchSize: number
  /**
   * Tracks drawn (seeded, new each epoch) for one epoch: 20k of the 90k keeps an epoch near a minute on a
   * busy 2-core machine, and every token of the vocabulary is still met many times per epoch.
   */
  tracksPerEpoch: number
  /** Held-out tracks whose masked-token loss decides early stopping. */
  validationTracks: number
}

export const TRANSFORMER_TRAIN_DEFAULTS: Omit<TransformerTrainConfig, keyof TrackTransformerConfig> = {
  epochs: 8, learningRate: 2e-3, batchSize: 256, tracksPerEpoch: 20_000, validationTracks: 2_000,
}

const TUNABLE = ['dModel', 'heads', 'layers', 'dropout', 'maskRate', 'epochs', 'learningRate', 'batchSize', 'tracksPerEpoch'] as const

export const transformerEmbeddings: EmbeddingModule = {
  async load(engine: Engine): Promise<TrackEmbeddings | null> {
    const cat = await engine.catalogue()
    return loadTrackEmbeddings(embeddingsPath(engine.home, TRANSFORMER_MODEL), cat.version)?.embeddings ?? null
  },
  train: trainTransformerEmbeddings,
}

/** `segue train --model transformer`: trains on a sample, embeds every track, saves (not when interrupted). */
export async function trainTransformerEmbeddings(ctx: DeepTrainContext): Promise<DeepTrainResult & { embeddings: TrackEmbeddings }> {
  const backend = await initBackend()
  const cat = await ctx.engine.catalogue({ signal: ctx.signal })
  const config = configFrom(ctx)
  const { model, tokenizer, tokens, result, trainCount } = await trainOnTracks(cat.tracks, config, {
    checkpointDir: ctx.checkpointDir, resume: ctx.resume, signal: ctx.signal, progress: ctx.progress,
  })
  try {
    const embeddings: TrackEmbeddings = {
      model: TRANSFORMER_MODEL,
      key: embeddingKey(cat.version, TRANSFORMER_MODEL, { config, vocab: tokenizer.vocabSize }),
      catalogueVersion: cat.version,
      dim: config.dModel,
      count: cat.tracks.length,
      vectors: model.embed(tokens),
    }
    const path = embeddingsPath(ctx.engine.home, TRANSFORMER_MODEL)
    const interrupted = result.stoppedBy === 'interrupted'
    if (!interrupted) saveTrackEmbeddings(path, embeddings, { config, vocabSize: tokenizer.vocabSize, best: result.best, history: result.history })
    return {
      ...result,
      model: TRANSFORMER_MODEL,
      backend: describeBackend(backend),
      saved: interrupted ? [] : [path],
      summary: { tracks: cat.tracks.length, vocab: tokenizer.vocabSize, embeddingDims: config.dModel, trainTracks: trainCount, validationLoss: result.best.valLoss },
      embeddings,
    }
  } finally {
    model.dispose()
  }
}

/** Fits the tokenizer on `tracks` and trains the model through fitModel; the caller disposes the model. */
export async function trainOnTracks(tracks: readonly Track[], config: TransformerTrainConfig, fit: Partial<TrainOptions> = {}) {
  const tokenizer = fitTokenizer(tracks)
  const tokens = tokenize(tokenizer, tracks)
  const model = new TrackTransformer(tokenizer.vocabSize, config)
  const { train, validation } = holdOut(tracks.length, config.validationTracks, config.seed)
  const valBatch = maskRows(tokens, validation, config.maskRate, new Rng(config.seed + 1))
  model.validator = () => ({ loss: tf.tidy(() => model.loss(valBatch, false).dataSync()[0]) })
  try {
    const result = await fitModel<MaskedBatch>({
      name: TRANSFORMER_MODEL,
      model,
      batches: (epoch) => epochBatches(tokens, train, config, epoch),
      samplesOf: (b) => b.size,
      options: { ...fit, epochs: config.epochs, learningRate: config.learningRate, seed: config.seed, batchSize: config.batchSize },
    })
    return { model, tokenizer, tokens, result, trainCount: train.length }
  } catch (err) {
    model.dispose()
    throw err
  }
}

/** Validation rows (every n-th after a seeded shuffle) and the rest. */
function holdOut(count: number, validationTracks: number, seed: number): { train: Int32Array; validation: Int32Array } {
  const order = Int32Array.from({ length: count }, (_, i) => i)
  const rng = new Rng(seed)
  for (let i = count - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    ;[order[i], order[j]] = [order[j], order[i]]
  }
  const v = Math.min(validationTracks, Math.floor(count / 5))
  return { validation: order.slice(0, v), train: order.slice(v) }
}

function* epochBatches(tokens: Int32Array, train: Int32Array, config: TransformerTrainConfig, epoch: number): Generator<MaskedBatch> {
  const rng = new Rng((config.seed * 7919 + epoch) >>> 0)
  const take = Math.min(config.tracksPerEpoch, train.length)
  const rows = new Int32Array(take)
  for (let i = 0; i < take; i++) rows[i] = train[rng.int(train.length)]
  for (let at = 0; at < take; at += config.batchSize) yield maskRows(tokens, rows.subarray(at, at + config.batchSize), config.maskRate, rng)
}

function configFrom(ctx: DeepTrainContext): TransformerTrainConfig {
  const cfg: TransformerTrainConfig = { ...DEFAULT_TRACK_TRANSFORMER, ...TRANSFORMER_TRAIN_DEFAULTS, seed: ctx.seed }
  if (ctx.epochs !== undefined) cfg.epochs = ctx.epochs
  for (const [name, value] of Object.entries(ctx.params)) {
    if (!(TUNABLE as readonly string[]).includes(name)) {
      throw new SegueError('E_BAD_ARGUMENT', `transformer: unknown parameter '${name}'; expected one of ${TUNABLE.join(', ')}`)
    }
    if (typeof value !== 'number') throw new SegueError('E_BAD_ARGUMENT', `transformer: ${name} must be a number, got '${value}'`)
    cfg[name as (typeof TUNABLE)[number]] = value
  }
  return cfg
}

/** The DeepTrainer the deep-model registry runs. */
export async function trainTransformerCommand(ctx: DeepTrainContext): Promise<DeepTrainResult> {
  const { embeddings: _vectors, ...result } = await trainTransformerEmbeddings(ctx)
  return result
}
