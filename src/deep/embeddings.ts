import { createHash } from 'node:crypto'
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { loadArtifact, saveArtifact, type Blob } from '../core/artifact.js'
import { SegueError } from '../core/errors.js'
import type { LongWorkOptions } from '../core/progress.js'
import type { Track } from '../core/track.js'
import type { CatalogueView, Engine, SimilarItem, SimilarOptions, SimilarResult } from '../engine.js'
import { createHnswIndex, loadHnswArtifact, saveHnswArtifact } from '../index/hnsw.js'
import type { VectorIndex } from '../index/types.js'
import { filteredNeighbours } from '../similar/similar.js'
import type { DeepTrainContext, DeepTrainResult } from './registry.js'

/**
 * Track-embedding models for similar-track search (`similar --model <name>`, the API's `?model=`): each maps
 * the catalogue to one dense vector per track, saved as an artifact keyed by catalogue version and config
 * (`<home>/deep/<model>/embeddings.art`), and searched through the project's HNSW index, saved beside it.
 * To add a model: one line in EMBEDDING_MODELS pointing at a module that exports an EmbeddingModule.
 */

/** One vector per catalogue row (row-major, `count x dim`), in the engine catalogue's row order. */
export interface TrackEmbeddings {
  model: string
  /** What the vectors were built from (catalogue version, model, config hash); the index is keyed by it too. */
  key: string
  /** The catalogue version the rows follow. */
  catalogueVersion: string
  dim: number
  count: number
  vectors: Float32Array
}

export interface EmbeddingModule {
  /** Saved embeddings for the engine's current catalogue; null when none are saved for it. */
  load(engine: Engine): Promise<TrackEmbeddings | null>
  /** Trains, saves and returns the embeddings (the `segue train --model <name>` path). */
  train(ctx: DeepTrainContext): Promise<DeepTrainResult & { embeddings: TrackEmbeddings }>
}

interface EmbeddingEntry {
  description: string
  module: () => Promise<EmbeddingModule>
}

const EMBEDDING_MODELS: Record<string, EmbeddingEntry> = {
  autoencoder: {
    description: 'dense autoencoder over the fitted feature vectors',
    module: async () => (await import('./autoencoder/embedding.js')).autoencoderEmbeddings,
  },
  transformer: {
    description: 'Transformer over feature-group tokens (binned audio, genres, artist), masked-token trained',
    module: async () => (await import('./transformer/embedding.js')).transformerEmbeddings,
  },
}

/** The default similar-track model: the fitted pipeline's own vectors. */
export const FEATURES_MODEL = 'features'

/** The similar-track models: 'features' (the default pipeline's vectors) and every embedding model. */
export function similarModelNames(): string[] {
  return [FEATURES_MODEL, ...Object.keys(EMBEDDING_MODELS)]
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

/** Whether a file's embeddings follow the catalogue, by path and modification time: a listing stays cheap. */
const trainedCache = new Map<string, { mtimeMs: number; version: string; trained: boolean }>()

/**
 * The embedding models with saved embeddings for the engine's catalogue (what the app may offer as a
 * similar-track choice). A model's artifact is read once per change of its file, not on every call.
 */
export async function trainedEmbeddingModels(engine: Engine): Promise<string[]> {
  const version = (await engine.catalogue()).version
  const names: string[] = []
  for (const name of embeddingModelNames()) {
    const path = embeddingsPath(engine.home, name)
    if (!existsSync(path)) continue
    const mtimeMs = statSync(path).mtimeMs
    let seen = trainedCache.get(path)
    if (!seen || seen.mtimeMs !== mtimeMs || seen.version !== version) {
      seen = { mtimeMs, version, trained: (await (await embeddingModule(name))!.load(engine)) !== null }
      trainedCache.set(path, seen)
    }
    if (seen.trained) names.push(name)
  }
  return names
}

// ---- artifacts ----

export const EMBEDDINGS_ARTIFACT = { kind: 'track-embeddings', version: 1 } as const

/** Where a model's embeddings live in a segue home. */
export function embeddingsPath(home: string, model: string): string {
  return join(home, 'deep', model, 'embeddings.art')
}

/** "<catalogue version>:<model>:<12 hex of the config's hash>": what an artifact and its index are keyed by. */
export function embeddingKey(catalogueVersion: string, model: string, config: unknown): string {
  const hash = createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 12)
  return `${catalogueVersion}:${model}:${hash}`
}

/** Saves embeddings (and any model blobs, e.g. weights to encode new tracks) atomically. */
export function saveTrackEmbeddings(path: string, emb: TrackEmbeddings, meta: Record<string, unknown>, blobs: Record<string, Blob> = {}): void {
  const header = { ...EMBEDDINGS_ARTIFACT, key: emb.key, meta: { ...meta, model: emb.model, catalogueVersion: emb.catalogueVersion, dim: emb.dim, count: emb.count } }
  saveArtifact(path, header, { ...blobs, vectors: emb.vectors })
}

/**
 * The embeddings saved at `path` when they follow `catalogueVersion` (any config), else null (none saved, or
 * saved for another catalogue: train again). Damage throws E_ARTIFACT_CORRUPT.
 */
export function loadTrackEmbeddings(path: string, catalogueVersion: string): LoadedEmbeddings | null {
  if (!existsSync(path)) return null
  // A server asks on every request: the file is read again only when it changed (a new `segue train`).
  const { mtimeMs, size } = statSync(path)
  const stamp = `${mtimeMs}|${size}|${catalogueVersion}`
  const cached = loadedEmbeddings.get(path)
  if (cached?.stamp === stamp) return cached.loaded
  const loaded = readTrackEmbeddings(path, catalogueVersion)
  loadedEmbeddings.set(path, { stamp, loaded })
  return loaded
}

type LoadedEmbeddings = { embeddings: TrackEmbeddings; meta: Record<string, unknown>; blobs: Record<string, Blob> }
/** The last embeddings read from each path, with the file's stamp when read. */
const loadedEmbeddings = new Map<string, { stamp: string; loaded: LoadedEmbeddings | null }>()

function readTrackEmbeddings(path: string, catalogueVersion: string): LoadedEmbeddings | null {
  const { header, blobs } = loadArtifact(path, EMBEDDINGS_ARTIFACT)
  const meta = header.meta
  if (meta.catalogueVersion !== catalogueVersion) return null
  const vectors = blobs.vectors as Float32Array
  const embeddings = { model: String(meta.model), key: header.key, catalogueVersion, dim: Number(meta.dim), count: Number(meta.count), vectors }
  if (vectors.length !== embeddings.dim * embeddings.count) throw new SegueError('E_ARTIFACT_CORRUPT', `${path}: ${vectors.length} values are not ${embeddings.count} x ${embeddings.dim}`)
  return { embeddings, meta, blobs }
}

// ---- index and search ----

/** Indexes kept per process, by home and embedding key: a server answers many requests from one index. */
const indexes = new Map<string, Promise<{ embeddings: TrackEmbeddings; index: VectorIndex }>>()

/**
 * The saved embeddings of `model` for the engine's catalogue with their HNSW index (loaded when saved under
 * the same key, else built and saved). Throws E_NOT_FOUND when the model has no embeddings for this catalogue.
 */
export async function embeddingSearch(engine: Engine, model: string, work: LongWorkOptions = {}): Promise<{ embeddings: TrackEmbeddings; index: VectorIndex }> {
  const mod = await embeddingModule(model)
  if (!mod) throw new SegueError('E_BAD_ARGUMENT', `unknown similar-track model '${model}'; expected one of ${similarModelNames().join(', ')}`)
  const embeddings = await mod.load(engine)
  if (!embeddings) {
    throw new SegueError('E_NOT_FOUND', `no ${model} embeddings for this catalogue yet; train them with \`segue train --model ${model}\``)
  }
  const cacheKey = `${engine.home}|${embeddings.key}`
  let entry = indexes.get(cacheKey)
  if (!entry) {
    entry = openIndex(engine.home, embeddings, work)
    indexes.set(cacheKey, entry)
    entry.catch(() => indexes.delete(cacheKey))
  }
  return entry
}

async function openIndex(home: string, embeddings: TrackEmbeddings, work: LongWorkOptions): Promise<{ embeddings: TrackEmbeddings; index: VectorIndex }> {
  const path = join(home, 'deep', embeddings.model, 'hnsw-cosine.art')
  const saved = loadHnswArtifact(path, embeddings.key)
  if (saved) return { embeddings, index: saved }
  const index = await createHnswIndex(embeddings.vectors, embeddings.dim, 'cosine', work)
  saveHnswArtifact(path, index, embeddings.key)
  return { embeddings, index }
}

export interface ModelSimilarOptions extends SimilarOptions {
  /** 'features' (default) or an embedding model's name. */
  model?: string
  /** When given, only rows it accepts (a mood filter, say). */
  accept?: (row: number) => boolean
}

/** Similar tracks by any model: the default pipeline through the engine, an embedding model through its index. */
export async function similarByModel(engine: Engine, ref: string, opts: ModelSimilarOptions = {}, work: LongWorkOptions = {}): Promise<SimilarResult & { model: string }> {
  const model = opts.model ?? FEATURES_MODEL
  if (model === FEATURES_MODEL) return { ...(await engine.similar(ref, opts, work)), model }
  const k = opts.k ?? 10
  if (!Number.isInteger(k) || k < 1) throw new SegueError('E_BAD_ARGUMENT', `k must be a whole number >= 1, got ${k}`)
  const { embeddings, index } = await embeddingSearch(engine, model, work)
  const { track: seed, resolvedBy } = await engine.resolveTrack(ref)
  const cat = await engine.catalogue(work)
  const row = cat.rowOf.get(seed.id)
  if (row === undefined) throw new SegueError('E_NOT_FOUND', `track '${seed.id}' is not in the loaded catalogue`)
  const query = embeddings.vectors.subarray(row * embeddings.dim, (row + 1) * embeddings.dim)
  const filters = { excludeSeedArtist: opts.excludeSeedArtist ?? false, collapseDuplicates: opts.collapseDuplicates ?? true, genres: opts.genres ?? [], accept: opts.accept }
  const hits = filteredNeighbours(index, cat.tracks, cat.dupKeys, row, query, k, filters, index.size, cat.rowOf)
  const items = hits.map((h) => describe(cat, seed, cat.tracks[h.index], h.distance, opts.explainTop ?? 3))
  return { seed, resolvedBy, mode: 'ann', metric: 'cosine', items, model }
}

function describe(cat: CatalogueView, seed: Track, t: Track, distance: number, top: number): SimilarItem {
  const seedGenres = new Set(seed.genres)
  return { track: t, distance, score: Math.max(0, 1 - distance), because: cat.explain(seed, t, top), sharedGenres: t.genres.filter((g) => seedGenres.has(g)) }
}

/** The catalogue's feature vectors as one dense n x dims matrix, filled from the sparse rows. */
export function denseRows(cat: CatalogueView): Float32Array {
  const { indptr, cols, vals } = cat.sparse
  const out = new Float32Array(cat.tracks.length * cat.dims)
  for (let r = 0; r < cat.tracks.length; r++) {
    for (let j = indptr[r]; j < indptr[r + 1]; j++) out[r * cat.dims + cols[j]] = vals[j]
  }
  return out
}
