// segue's public API, listed by hand: what is exported here is supported; everything else is internal.

export { Engine } from './engine.js'
export type {
  EngineOptions,
  SearchMode,
  SimilarOptions,
  SimilarItem,
  SimilarResult,
  CatalogueStats,
} from './engine.js'

export { SegueError, ERROR_CODES, isSegueError } from './core/errors.js'
export type { ErrorCode, InputLocation } from './core/errors.js'
export { AUDIO_FEATURES } from './core/track.js'
export type { Track, AudioFeature } from './core/track.js'
export type { Progress, ProgressFn, LongWorkOptions } from './core/progress.js'

export { readCatalogue, detectLayout } from './data/read-catalogue.js'
export type { CatalogueLayout, ImportReport, ReadCatalogueOptions } from './data/read-catalogue.js'

export { FeaturePipeline, DEFAULT_PIPELINE } from './features/pipeline.js'
export type { PipelineConfig, FeatureGroup, FeatureExplanation, PipelineColumn } from './features/pipeline.js'

export { METRICS } from './index/types.js'
export type { Metric, Neighbour, VectorIndex } from './index/types.js'
export { createExactIndex } from './index/exact.js'
export type { ExactIndex, ExactIndexOptions } from './index/exact.js'
export { createHnswIndex, loadHnswArtifact, saveHnswArtifact, HNSW_DEFAULTS } from './index/hnsw.js'
export type { HnswIndex, HnswOptions } from './index/hnsw.js'

export { TrackSearch } from './search/track-search.js'
export type { SearchHit, SearchOptions } from './search/track-search.js'

export type { Store, CatalogueInfo, ImportOutcome, ImportRecord } from './store/store.js'
export { SqliteStore } from './store/sqlite.js'
