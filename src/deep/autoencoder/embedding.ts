import { SegueError } from '../../core/errors.js'
import type { Engine } from '../../engine.js'
import { describeBackend, initBackend } from '../backend.js'
import { denseRows, embeddingKey, embeddingsPath, loadTrackEmbeddings, saveTrackEmbeddings, type EmbeddingModule, type TrackEmbeddings } from '../embeddings.js'
import type { DeepTrainContext, DeepTrainResult } from '../registry.js'
import type { AutoencoderConfig } from './model.js'
import { resolveAutoencoderConfig, trainAutoencoder } from './train.js'

export const AUTOENCODER_MODEL = 'autoencoder'

/** Settings `--param key=value` may change (the rest come from the CLI's own options). */
const TUNABLE = ['hidden', 'dim', 'batchSize', 'learningRate', 'validationShare'] as const

/** The autoencoder as an embedding model: trained over the engine's fitted feature vectors. */
export const autoencoderEmbeddings: EmbeddingModule = {
  async load(engine: Engine): Promise<TrackEmbeddings | null> {
    const cat = await engine.catalogue()
    return loadTrackEmbeddings(embeddingsPath(engine.home, AUTOENCODER_MODEL), cat.version)?.embeddings ?? null
  },
  train: trainAutoencoderEmbeddings,
}

/** `segue train --model autoencoder`: trains, embeds every track and saves the embeddings (not when interrupted). */
export async function trainAutoencoderEmbeddings(ctx: DeepTrainContext): Promise<DeepTrainResult & { embeddings: TrackEmbeddings }> {
  const backend = await initBackend()
  const cat = await ctx.engine.catalogue({ signal: ctx.signal })
  const rows = denseRows(cat)
  const config = configFrom(ctx)
  const trained = await trainAutoencoder({ rows, dims: cat.dims, groupKeys: cat.dupKeys }, config, {
    checkpointDir: ctx.checkpointDir, resume: ctx.resume, signal: ctx.signal, progress: ctx.progress,
  })
  try {
    const embeddings: TrackEmbeddings = {
      model: AUTOENCODER_MODEL,
      key: embeddingKey(cat.version, AUTOENCODER_MODEL, { config: trained.config, inputDims: cat.dims }),
      catalogueVersion: cat.version,
      dim: trained.config.dim,
      count: cat.tracks.length,
      vectors: trained.net.embed(rows),
    }
    const path = embeddingsPath(ctx.engine.home, AUTOENCODER_MODEL)
    const interrupted = trained.result.stoppedBy === 'interrupted'
    if (!interrupted) {
      const weights = Object.fromEntries(trained.net.toArrays().map((w, i) => [`w${i}`, w]))
      const meta = { config: trained.config, inputDims: cat.dims, best: trained.result.best, history: trained.result.history }
      saveTrackEmbeddings(path, embeddings, meta, weights)
    }
    return {
      ...trained.result,
      model: AUTOENCODER_MODEL,
      backend: describeBackend(backend),
      saved: interrupted ? [] : [path],
      summary: {
        tracks: cat.tracks.length, inputDims: cat.dims, embeddingDims: trained.config.dim, hidden: trained.config.hidden,
        trainRows: trained.split.train.length, validationRows: trained.split.validation.length,
        validationLoss: trained.result.best.valLoss, meanCosine: trained.result.best.metric,
      },
      embeddings,
    }
  } finally {
    trained.net.dispose()
  }
}

/** The DeepTrainer the deep-model registry runs. */
export async function trainAutoencoderCommand(ctx: DeepTrainContext): Promise<DeepTrainResult> {
  const { embeddings: _vectors, ...result } = await trainAutoencoderEmbeddings(ctx)
  return result
}

function configFrom(ctx: DeepTrainContext): Partial<AutoencoderConfig> {
  const cfg: Partial<AutoencoderConfig> = { seed: ctx.seed, epochs: ctx.epochs }
  for (const [name, value] of Object.entries(ctx.params)) {
    if (!(TUNABLE as readonly string[]).includes(name)) {
      throw new SegueError('E_BAD_ARGUMENT', `autoencoder: unknown parameter '${name}'; expected one of ${TUNABLE.join(', ')}`)
    }
    if (typeof value !== 'number') throw new SegueError('E_BAD_ARGUMENT', `autoencoder: ${name} must be a number, got '${value}'`)
    cfg[name as (typeof TUNABLE)[number]] = value
  }
  return resolveAutoencoderConfig(cfg)
}
