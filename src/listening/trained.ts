import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { decodeArtifact, encodeArtifact, writeFileAtomic, type Blob } from '../core/artifact.js'
import { SegueError, isSegueError } from '../core/errors.js'
import type { Interactions } from '../data/interactions.js'
import { SAVED_MODEL_LOADERS, createModel } from '../models/registry.js'
import type { FitOptions, FitReport, Recommender } from '../models/types.js'
import type { ListeningData } from './source.js'

const KIND = 'segue-trained-model'
const VERSION = 1
/** The header saveTrained writes: what a reader of its bytes from elsewhere (src/rollout) expects. */
export const TRAINED_ARTIFACT = { kind: KIND, version: VERSION } as const

/** A fitted model with the data it learnt from, ready to recommend with raw ids. */
export interface TrainedModel {
  name: string
  params: Record<string, unknown>
  model: Recommender
  listening: ListeningData
  /** How the model came to be: fitted now, loaded from its artifact, or refitted (no loader for its kind). */
  origin: 'fitted' | 'loaded' | 'refitted'
  fit?: FitReport
}

/** A content hash of interactions: a saved model is only reused for the very data it learnt from. */
export function dataKey(data: Interactions): string {
  const h = createHash('sha256')
  for (const a of [data.matrix.indptr, data.matrix.indices, data.matrix.data]) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
  h.update(data.users.rawIds().join('\n')).update('\0').update(data.items.rawIds().join('\n'))
  return h.digest('hex').slice(0, 32)
}

export async function trainModel(name: string, params: Record<string, unknown>, listening: ListeningData, fit: FitOptions = {}): Promise<TrainedModel> {
  const model = createModel(name, params)
  const report = await model.fit(listening.data, fit)
  return { name, params, model, listening, origin: 'fitted', fit: report }
}

export function saveTrained(path: string, t: TrainedModel): void {
  writeFileAtomic(path, encodeTrained(t))
}

/** The bytes saveTrained writes: a checksummed artifact keyed by name, parameters and data (a worker publishes these). */
export function encodeTrained(t: TrainedModel): Uint8Array {
  const art = t.model.save()
  const header = {
    kind: KIND,
    version: VERSION,
    key: modelKey(t.name, t.params, t.listening.data),
    meta: { name: t.name, params: t.params, modelKind: art.kind, modelVersion: art.version, modelMeta: art.meta },
  }
  return encodeArtifact(header, art.blobs as Record<string, Blob>)
}

/**
 * The saved model for this data and these parameters when there is one (refitted when its kind has no
 * loader), else a fresh fit that is then saved. A damaged artifact is reported through `warn` and rebuilt.
 */
export async function loadOrTrain(
  path: string,
  name: string,
  params: Record<string, unknown>,
  listening: ListeningData,
  fit: FitOptions & { warn?: (m: string) => void } = {},
): Promise<TrainedModel> {
  const saved = readSaved(path, modelKey(name, params, listening.data), fit.warn)
  const load = saved && Object.hasOwn(SAVED_MODEL_LOADERS, saved.kind) ? SAVED_MODEL_LOADERS[saved.kind] : undefined
  if (saved && load) return { name, params, model: load(saved), listening, origin: 'loaded' }
  const t = await trainModel(name, params, listening, fit)
  saveTrained(path, t)
  return saved ? { ...t, origin: 'refitted' } : t
}

function readSaved(path: string, key: string, warn?: (m: string) => void) {
  if (!existsSync(path)) return null
  try {
    // Blobs as views of the file's bytes (no second copy): loaders copy what they keep into their own arrays.
    const art = decodeArtifact(readFileSync(path), { kind: KIND, version: VERSION }, path, { copy: false })
    if (art.header.key !== key) return null
    const m = art.header.meta as { modelKind: string; modelVersion: number; modelMeta: Record<string, unknown> }
    return { kind: m.modelKind, version: m.modelVersion, meta: m.modelMeta, blobs: art.blobs }
  } catch (err) {
    if (!isSegueError(err) || (err.code !== 'E_ARTIFACT_CORRUPT' && err.code !== 'E_ARTIFACT_VERSION')) throw err
    warn?.(`${err.message}; retraining`)
    return null
  }
}

function modelKey(name: string, params: Record<string, unknown>, data: Interactions): string {
  return `${name}:${JSON.stringify(params)}:${dataKey(data)}`
}

/** The dense id of a raw user id, or a clear error naming it. */
export function denseUser(t: TrainedModel, raw: string): number {
  const d = t.listening.data.users.dense(raw)
  if (d === undefined) throw new SegueError('E_NOT_FOUND', `unknown user '${raw}' in ${t.listening.source}`)
  return d
}
