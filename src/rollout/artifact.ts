import { decodeArtifact } from '../core/artifact.js'
import { SegueError } from '../core/errors.js'
import { TRAINED_ARTIFACT, type TrainedModel } from '../listening/trained.js'
import { SAVED_MODEL_LOADERS } from '../models/registry.js'
import type { ListeningData } from '../listening/source.js'

/** What a trained-model artifact (the file saveTrained writes) says about itself. */
export interface TrainedArtifactInfo {
  /** The model's registry name (als, item-knn...). */
  model: string
  params: Record<string, unknown>
  /** dataKey of the listening data it learnt from: a server can serve it only over that very data. */
  dataKey: string
  modelKind: string
}

interface TrainedHeaderMeta { name: string; params: Record<string, unknown>; modelKind: string; modelVersion: number; modelMeta: Record<string, unknown> }

/** Reads the header of a trained-model artifact; E_ARTIFACT_CORRUPT when the bytes are damaged or not one. */
export function describeTrained(bytes: Uint8Array, source: string): TrainedArtifactInfo {
  return infoOf(decodeArtifact(bytes, TRAINED_ARTIFACT, source, { copy: false }).header)
}

/**
 * The model in a trained-model artifact, ready to serve over `listening` (whose dataKey is `listeningKey`).
 * The artifact holds dense ids only, so it is refused (E_BAD_ARGUMENT) when it learnt from other listening data.
 */
export function trainedFromBytes(bytes: Uint8Array, listening: ListeningData, listeningKey: string, source: string): TrainedModel {
  // Loaders copy what they keep, so the blobs may stay views of the bytes.
  const art = decodeArtifact(bytes, TRAINED_ARTIFACT, source, { copy: false })
  const info = infoOf(art.header)
  if (info.dataKey !== listeningKey) {
    throw new SegueError('E_BAD_ARGUMENT', `${source} was trained on other listening data (${info.dataKey}) than this server serves (${listeningKey}: ${listening.source})`)
  }
  const load = Object.hasOwn(SAVED_MODEL_LOADERS, info.modelKind) ? SAVED_MODEL_LOADERS[info.modelKind] : undefined
  if (!load) throw new SegueError('E_ARTIFACT_VERSION', `${source}: a ${info.modelKind} model cannot be loaded from an artifact (it is refitted at start instead)`)
  const m = art.header.meta as unknown as TrainedHeaderMeta
  const model = load({ kind: m.modelKind, version: m.modelVersion, meta: m.modelMeta, blobs: art.blobs })
  return { name: info.model, params: info.params, model, listening, origin: 'loaded' }
}

function infoOf(header: { key: string; meta: Record<string, unknown> }): TrainedArtifactInfo {
  const m = header.meta as Partial<TrainedHeaderMeta>
  // saveTrained's key is `${name}:${JSON.stringify(params)}:${dataKey}`; the data key is the part after the last colon.
  const dataKey = header.key.slice(header.key.lastIndexOf(':') + 1)
  if (typeof m.name !== 'string' || typeof m.modelKind !== 'string' || !dataKey) {
    throw new SegueError('E_ARTIFACT_CORRUPT', 'the artifact header lacks the model name, kind or data key')
  }
  return { model: m.name, params: m.params ?? {}, dataKey, modelKind: m.modelKind }
}
