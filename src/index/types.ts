/** Distance metrics for nearest-neighbour search. Cosine distance is 1 - cosine similarity. */
export const METRICS = ['cosine', 'euclidean', 'manhattan'] as const
export type Metric = (typeof METRICS)[number]

/** One hit: the row number in the indexed matrix and its distance to the query (smaller is closer). */
export interface Neighbour {
  index: number
  distance: number
}

/**
 * A nearest-neighbour index over the rows of a dense row-major Float32Array (n x dims).
 * Exact and approximate indexes share it; callers that need filtering over-fetch and filter.
 */
export interface VectorIndex {
  readonly kind: string
  readonly size: number
  readonly dims: number
  readonly metric: Metric
  /** The k nearest rows to one query, closest first. */
  search(query: Float32Array, k: number): Neighbour[]
  /** The k nearest rows for each of `queries.length / dims` packed queries; may use worker threads. */
  searchBatch(queries: Float32Array, k: number): Promise<Neighbour[][]>
  /** Releases worker threads or native memory; the index is unusable afterwards. */
  close(): Promise<void>
}
