import type { Engine } from '../engine.js'
import type { EpochRecord, FitResult } from './trainer.js'

/**
 * The deep models `segue train --model <name>` can train. Each entry loads its trainer lazily, so listing the
 * names (for --help and option choices) does not load TensorFlow.js. To add a model: one line in DEEP_MODELS.
 */

/** What a deep trainer gets from the CLI (or a test, or a bench). */
export interface DeepTrainContext {
  /** The catalogue, its fitted feature pipeline and the home folder (artifacts go under `engine.home`). */
  engine: Engine
  /** Listening data for models trained on listens (the CLI's --listens; undefined means the bundled default). */
  listens?: string
  /** Overrides the model's default epoch count. */
  epochs?: number
  /** Continue from the model's last checkpoint when there is one. */
  resume: boolean
  seed: number
  /** Folder for this model's checkpoints (`<home>/deep/<name>/checkpoints` from the CLI). */
  checkpointDir: string
  signal?: AbortSignal
  /** Per-epoch lines on stderr. */
  progress: boolean
  /** Model-specific settings from --param key=value. */
  params: Record<string, number | string | boolean>
}

/** What a deep trainer returns: the trainer's result plus where the model was saved and a few facts. */
export interface DeepTrainResult extends FitResult {
  model: string
  /** "wasm (SIMD, 1 thread)" or the CPU fallback with its reason. */
  backend: string
  /** The saved artifact(s). */
  saved: string[]
  /** Facts worth printing (sizes, dimensions, final metrics). */
  summary: Record<string, unknown>
}

export type DeepTrainer = (ctx: DeepTrainContext) => Promise<DeepTrainResult>

interface DeepModelEntry {
  description: string
  load: () => Promise<DeepTrainer>
}

const DEEP_MODELS: Record<string, DeepModelEntry> = {
  // name: { description: '...', load: async () => (await import('./<folder>/train.js')).<trainer> },
  autoencoder: {
    description: 'track embeddings: dense autoencoder over the fitted feature vectors (for similar --model autoencoder)',
    load: async () => (await import('./autoencoder/embedding.js')).trainAutoencoderCommand,
  },
  'neural-hybrid': {
    description: 'personal recommendations: a network re-ranking EASE\'s candidates with side inputs and content (--listens: MovieLens 100K demographics/genres, HetRec tags)',
    load: async () => (await import('./neural-hybrid/command.js')).trainNeuralHybridCommand,
  },
  sequence: {
    description: 'next track: SASRec over playlist order or timed plays (--listens; default the MPD sample), for "Up next"',
    load: async () => (await import('./sequence/command.js')).trainSequenceCommand,
  },
  transformer: {
    description: 'track embeddings: Transformer over binned audio, genre and artist tokens, masked-token trained (for similar --model transformer)',
    load: async () => (await import('./transformer/embedding.js')).trainTransformerCommand,
  },
}

/** Names of the deep models, in registration order. */
export function deepModelNames(): string[] {
  return Object.keys(DEEP_MODELS)
}

export function isDeepModel(name: string): boolean {
  return Object.hasOwn(DEEP_MODELS, name)
}

export function deepModelDescription(name: string): string | undefined {
  return DEEP_MODELS[name]?.description
}

/** The trainer of a deep model (loads its module, and with it TensorFlow.js). */
export async function deepTrainer(name: string): Promise<DeepTrainer | undefined> {
  return isDeepModel(name) ? DEEP_MODELS[name].load() : undefined
}

export type { EpochRecord }
