import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Metric, Neighbour } from './types.js'

/** The native HNSW packages segue can build on; see hnsw.ts for how the default was chosen. */
export const HNSW_BACKENDS = ['usearch', 'hnswlib'] as const
export type HnswBackend = (typeof HNSW_BACKENDS)[number]

/**
 * How usearch stores the vectors it compares: f32 as given, or f16 / i8 (a half / a quarter of the memory
 * traffic per distance, a little less accurate). hnswlib-node only has f32.
 */
export const HNSW_QUANTIZATIONS = ['f32', 'f16', 'i8'] as const
export type HnswQuantization = (typeof HNSW_QUANTIZATIONS)[number]

/** Everything needed to rebuild or reopen an index; saved as the artifact's meta. */
export interface HnswParams {
  backend: HnswBackend
  metric: Metric
  dims: number
  size: number
  /** Graph degree: links per node on the upper layers (twice that on the bottom layer). */
  M: number
  /** Candidate list length while inserting; higher builds a better graph, more slowly. */
  efConstruction: number
  /** Candidate list length while searching; higher is more accurate and slower. Raised to k when smaller. */
  ef: number
  /** Seed of the level generator (hnswlib only: usearch's generator has a fixed internal seed). */
  seed: number
  /** Stored vector precision; absent (artifacts from before it existed) means f32. */
  quantization?: HnswQuantization
}

/**
 * What each native package must offer. Distances come back in the package's own units (squared L2 for
 * euclidean); hnsw-index.ts converts them, checks arguments and owns progress and cancellation.
 */
export interface HnswEngine {
  /** Inserts `rows` (packed, dims wide) with keys firstKey, firstKey + 1, ... */
  add(rows: Float32Array, firstKey: number, threads: number): void
  /** One query, on the calling thread; k is already clamped to the size. */
  search(query: Float32Array, k: number): Neighbour[]
  /** Many packed queries; `threads` 0 means all cores where the package can use them. */
  searchBatch(queries: Float32Array, k: number, threads: number): Neighbour[][]
  setEf(ef: number): void
  /** Rows held, as the package counts them; checked against the saved params on load. */
  count(): number
  /** Writes the package's own file format; both packages only save to and load from files. */
  save(path: string): void
  /** Drops the native index so its memory can be reclaimed. */
  release(): void
}

/** The native metric name is always the squared or cosine form; manhattan is refused before this point. */
export type NativeMetric = Exclude<Metric, 'manhattan'>

/**
 * Runs `fn` with a path inside a fresh private temp folder and removes the folder afterwards, whether `fn`
 * succeeds or throws: the packages only save to and load from files, segue wants bytes.
 */
export function withTempPath<T>(fn: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'segue-hnsw-'))
  try {
    return fn(join(dir, 'index.bin'))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
