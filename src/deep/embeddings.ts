import type { Engine } from '../engine.js'
import type { DeepTrainContext, DeepTrainResult } from './registry.js'

/**
 * Track-embedding models for similar-track search (`similar --model <name>`, the API's `?model=`): each maps
 * the catalogue to one dense vector per track, saved as an artifact keyed by catalogue version and config,
 * and searched through an HNSW index (src/deep/embedding-index.ts). To add a model: one line in
 * EMBEDDING_MODELS pointing at a module that exports `load` and `train`.
 */

/** One vector per catalogue row (row-major, `count x dim`), in the engine catalogue's row order. */
export interface TrackEmbeddings {
  model: string
  /** What the vectors were built from (catalogue version + model config); the index is keyed by it too. */
  key: string
  dim: number
  count: number
  vectors: Float32Array
}

export interface EmbeddingModule {
  /** Saved embeddings for the engine's current catalogue and the default config; null when none are saved. */
  load(engine: Engine): Promise<TrackEmbeddings | null>
  /** Trains, saves and returns the embeddings (the `segue train --model <name>` path). */
  train(ctx: DeepTrainContext): Promise<DeepTrainResult & { embeddings: TrackEmbeddings }>
}

interface EmbeddingEntry {
  description: string
  module: () => Promise<EmbeddingModule>
}

const EMBEDDING_MODELS: Record<string, EmbeddingEntry> = {
  // name: { description: '...', module: async () => (await import('./<folder>/embedding.js')).<module> },
}

/** The similar-track models: 'features' (the default pipeline's vectors) and every embedding model. */
export function similarModelNames(): string[] {
  return ['features', ...Object.keys(EMBEDDING_MODELS)]
}

export function embeddingModelNames(): string[] {
  return Object.keys(EMBEDDING_MODELS)
}

export function isEmbeddingModel(name: string): boolean {
  return Object.hasOwn(EMBEDDING_MODELS, name)
}

export async function embeddingModule(name: string): Promise<EmbeddingModule | undefined> {
  return isEmbeddingModel(name) ? EMBEDDING_MODELS[name].module() : undefined
}
