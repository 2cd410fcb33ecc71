/**
 * Approximate nearest neighbours with HNSW graphs from a native package. This file is the entry point;
 * hnsw-index.ts builds and searches, hnsw-artifact.ts saves, hnsw-usearch.ts and hnsw-hnswlib.ts wrap the packages.
 *
 * Backend: usearch is the default (measured on 600k x 12 synthetic audio features, M 16, efConstruction 200,
 * one query per call on one thread, bench/hnsw.bench.ts): its graph reaches recall@10 0.994 at ef 10 (36k
 * queries/s) and 1.0 from ef 48, while hnswlib-node's graph stalls near 0.99 (0.986 at ef 32, 0.990 at ef 64 with
 * 17k queries/s). usearch also takes Float32Array rows as they are, builds on several threads (83 s on 2 threads)
 * and batch-searches on several threads. Its price: a one-thread build about 1.4x slower than hnswlib-node's
 * (148 s vs 107 s), and ef is fixed per native object, so setEf reopens the graph.
 * hnswlib-node stays available (`backend: 'hnswlib'`), seeded and deterministic; both share one test suite.
 *
 * Metrics: neither package has an L1 distance, so 'manhattan' is refused with E_BAD_ARGUMENT and the caller
 * should use the exact index; an approximate answer under a different metric would be silently wrong.
 */
export {
  type HnswIndex,
  type HnswOptions,
  HNSW_DEFAULTS,
  createHnswIndex,
  loadHnswIndex,
  loadHnswFile,
} from './hnsw-index.js'
export { HNSW_ARTIFACT, hnswGraphPath, loadHnswArtifact, saveHnswArtifact } from './hnsw-artifact.js'
export { HNSW_BACKENDS, HNSW_QUANTIZATIONS, type HnswBackend, type HnswParams, type HnswQuantization } from './hnsw-backend.js'
