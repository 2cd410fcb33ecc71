import { readFileSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { SegueError, assertUnreachable } from '../core/errors.js'
import { type LongWorkOptions, throwIfAborted } from '../core/progress.js'
import { METRICS, type Metric, type Neighbour, type VectorIndex } from './types.js'
import { HNSW_BACKENDS, HNSW_QUANTIZATIONS, type HnswBackend, type HnswEngine, type HnswParams, type HnswQuantization, withTempPath } from './hnsw-backend.js'
import { HnswlibEngine } from './hnsw-hnswlib.js'
import { UsearchEngine } from './hnsw-usearch.js'

/** Options of createHnswIndex; every field has a default in HNSW_DEFAULTS. */
export interface HnswOptions extends LongWorkOptions {
  backend?: HnswBackend
  /** Graph degree. */
  M?: number
  /** usearch's name for M, accepted as an alias; M wins when both are given. */
  connectivity?: number
  efConstruction?: number
  /** Search candidate list length; can be changed later with setEf. */
  ef?: number
  /** Threads used to build (usearch only); 0 means every core. */
  threads?: number
  /** Seed of the level generator (hnswlib only). */
  seed?: number
  /** Stored vector precision (usearch only; default f32). Pair i8 with exact re-ranking (see rerank.ts). */
  quantization?: HnswQuantization
  /** Rows inserted between progress reports and abort checks. */
  chunkSize?: number
}

/**
 * Chosen on the real catalogue's audio features (89,741 x 12, scaled): M 16 with efConstruction 200 gave
 * recall@10 of about 0.994 at ef 48 and 0.996 at ef 64; efConstruction 128 built faster but stalled near 0.99.
 */
export const HNSW_DEFAULTS = {
  backend: 'usearch',
  M: 16,
  efConstruction: 200,
  ef: 64,
  threads: 1,
  seed: 100,
  chunkSize: 10_000,
  quantization: 'f32',
} as const satisfies ResolvedOptions

type ResolvedOptions = Omit<Required<HnswOptions>, keyof LongWorkOptions | 'connectivity'> & LongWorkOptions

export interface HnswIndex extends VectorIndex {
  readonly params: Readonly<HnswParams>
  /** Changes the search candidate list length (usearch reopens its graph in memory to do so). */
  setEf(ef: number): void
  /** The package's own saved form of the graph and vectors; reopen with loadHnswIndex and `params`. */
  serialize(): Uint8Array
  /** Writes serialize()'s bytes straight to a file (no copy in memory); reopen with loadHnswFile and `params`. */
  saveGraph(path: string): void
}

/** Builds an index over the `data.length / dims` rows of `data` (copied into native memory); row numbers are the keys. */
export async function createHnswIndex(data: Float32Array, dims: number, metric: Metric, opts: HnswOptions = {}): Promise<HnswIndex> {
  const o = resolveOptions(opts)
  checkData(data, dims)
  const params: HnswParams = {
    backend: o.backend, metric, dims, size: data.length / dims, M: o.M, efConstruction: o.efConstruction, ef: o.ef, seed: o.seed,
    quantization: o.quantization,
  }
  checkParams(params, (why) => new SegueError('E_BAD_ARGUMENT', `createHnswIndex: ${why}`))
  checkCount('threads', o.threads, 0)
  checkCount('chunkSize', o.chunkSize, 1)
  const engine = openEngine(params)
  try {
    await insertInChunks(engine, data, params, o)
  } catch (err) {
    engine.release()
    throw err
  }
  return new NativeHnswIndex(engine, params)
}

/** Reopens an index from `serialize()` bytes; `params` are the ones it was built with (its `params`). */
export function loadHnswIndex(bytes: Uint8Array, params: HnswParams): HnswIndex {
  return withTempPath((path) => {
    writeFileSync(path, bytes)
    return loadHnswFile(path, params)
  })
}

export interface LoadHnswFileOptions {
  /**
   * Memory-map the graph instead of reading it into memory (usearch only; hnswlib-node always reads): nothing
   * is copied at load, pages come in as searches touch them. The file must then stay unchanged while in use
   * (segue replaces artifacts by renaming a new file over them, which leaves a mapped one intact).
   */
  view?: boolean
}

/** Reopens an index from a file written by `saveGraph`; `params` are the ones it was built with. */
export function loadHnswFile(path: string, params: HnswParams, opts: LoadHnswFileOptions = {}): HnswIndex {
  checkParams(params, (why) => new SegueError('E_BAD_ARGUMENT', `loadHnswIndex: ${why}`))
  const corrupt = (why: string, cause?: unknown) => new SegueError('E_ARTIFACT_CORRUPT', `loadHnswIndex: ${why}`, { cause })
  let engine: HnswEngine
  try {
    engine = openEngine(params, path, opts.view === true && params.backend === 'usearch')
  } catch (cause) {
    throw corrupt(`the ${params.backend} graph could not be read`, cause)
  }
  const held = engine.count()
  if (held !== params.size) {
    engine.release()
    throw corrupt(`the graph holds ${held} rows, its params say ${params.size}`)
  }
  return new NativeHnswIndex(engine, { ...params })
}

class NativeHnswIndex implements HnswIndex {
  readonly kind = 'hnsw'
  private engine: HnswEngine | null

  constructor(engine: HnswEngine, readonly params: HnswParams) {
    this.engine = engine
  }

  get size(): number { return this.params.size }
  get dims(): number { return this.params.dims }
  get metric(): Metric { return this.params.metric }

  search(query: Float32Array, k: number): Neighbour[] {
    const engine = this.open('search')
    if (query.length !== this.dims) throw badArg(`search: query has ${query.length} values, the index has ${this.dims} dims`)
    return this.toDistances(engine.search(query, this.clampK('search', k)))
  }

  async searchBatch(queries: Float32Array, k: number): Promise<Neighbour[][]> {
    const engine = this.open('searchBatch')
    if (queries.length % this.dims !== 0) {
      throw badArg(`searchBatch: ${queries.length} values is not a whole number of ${this.dims}-dim queries`)
    }
    if (queries.length === 0) return []
    return engine.searchBatch(queries, this.clampK('searchBatch', k), 0).map((hits) => this.toDistances(hits))
  }

  setEf(ef: number): void {
    checkCount('ef', ef, 1)
    this.open('setEf').setEf(ef)
    this.params.ef = ef
  }

  serialize(): Uint8Array {
    const engine = this.open('serialize')
    return withTempPath((path) => {
      engine.save(path)
      return new Uint8Array(readFileSync(path))
    })
  }

  saveGraph(path: string): void {
    this.open('saveGraph').save(path)
  }

  async close(): Promise<void> {
    this.engine?.release()
    this.engine = null
  }

  private open(what: string): HnswEngine {
    if (this.engine === null) throw badArg(`${what}: the index is closed`)
    return this.engine
  }

  private clampK(what: string, k: number): number {
    if (!Number.isInteger(k) || k < 1) throw badArg(`${what}: k must be a positive integer, got ${k}`)
    return Math.min(k, this.size)
  }

  /** Both packages return squared L2 for euclidean; callers are promised the true distance. */
  private toDistances(hits: Neighbour[]): Neighbour[] {
    if (this.metric === 'euclidean') for (const h of hits) h.distance = Math.sqrt(Math.max(0, h.distance))
    return hits
  }
}

/** Defaults under the caller's options; a field given as undefined keeps its default. */
function resolveOptions(opts: HnswOptions): ResolvedOptions {
  const given = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as HnswOptions
  return { ...HNSW_DEFAULTS, ...given, M: given.M ?? given.connectivity ?? HNSW_DEFAULTS.M }
}

async function insertInChunks(engine: HnswEngine, data: Float32Array, p: HnswParams, o: ResolvedOptions): Promise<void> {
  const { onProgress, signal } = o
  onProgress?.({ phase: 'index', done: 0, total: p.size })
  for (let start = 0; start < p.size; start += o.chunkSize) {
    // Yield first, so an abort requested from a timer or an HTTP handler gets a chance to land.
    await nextTurn()
    throwIfAborted(signal, 'building the HNSW index')
    const end = Math.min(p.size, start + o.chunkSize)
    engine.add(data.subarray(start * p.dims, end * p.dims), start, o.threads || availableParallelism())
    onProgress?.({ phase: 'index', done: end, total: p.size })
  }
}

function openEngine(params: HnswParams, path?: string, view = false): HnswEngine {
  switch (params.backend) {
    case 'usearch':
      return new UsearchEngine(params, path, view)
    case 'hnswlib':
      return new HnswlibEngine(params, path)
    default:
      return assertUnreachable(params.backend)
  }
}

function checkData(data: Float32Array, dims: number): void {
  if (!Number.isInteger(dims) || dims < 1) throw badArg(`createHnswIndex: dims must be a positive integer, got ${dims}`)
  if (data.length === 0) throw badArg('createHnswIndex: data has no rows; an empty index cannot be built')
  if (data.length % dims !== 0) throw badArg(`createHnswIndex: ${data.length} values is not a whole number of ${dims}-dim rows`)
  // A NaN would silently corrupt the graph's distance comparisons, so find it now and name the row.
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw badArg(`createHnswIndex: row ${Math.floor(i / dims)} column ${i % dims} is ${data[i]}`)
  }
}

/** Checks params from the caller or from a saved artifact; `fail` decides which error code that deserves. */
export function checkParams(p: HnswParams, fail: (why: string) => Error): void {
  if (!HNSW_BACKENDS.includes(p.backend)) throw fail(`backend must be one of ${HNSW_BACKENDS.join(', ')}, got ${p.backend}`)
  if (!METRICS.includes(p.metric)) throw fail(`metric must be one of ${METRICS.join(', ')}, got ${p.metric}`)
  if (p.metric === 'manhattan') {
    throw fail("metric 'manhattan' has no HNSW support in usearch or hnswlib-node; use the exact index for L1")
  }
  for (const name of ['dims', 'size', 'M', 'efConstruction', 'ef'] as const) {
    if (!Number.isInteger(p[name]) || p[name] < 1) throw fail(`${name} must be a positive integer, got ${p[name]}`)
  }
  if (!Number.isInteger(p.seed)) throw fail(`seed must be an integer, got ${p.seed}`)
  const q = p.quantization ?? 'f32'
  if (!HNSW_QUANTIZATIONS.includes(q)) throw fail(`quantization must be one of ${HNSW_QUANTIZATIONS.join(', ')}, got ${q}`)
  if (q !== 'f32' && p.backend !== 'usearch') throw fail(`quantization '${q}' needs the usearch backend; ${p.backend} stores f32 only`)
}

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw badArg(`HNSW option ${name} must be an integer >= ${min}, got ${value}`)
}

function badArg(message: string): SegueError {
  return new SegueError('E_BAD_ARGUMENT', message)
}
