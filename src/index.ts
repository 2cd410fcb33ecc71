// segue's public API, listed by hand: what is exported here is supported; everything else is internal.

export { Engine } from './engine.js'
export type {
  EngineOptions,
  SearchMode,
  SimilarOptions,
  SimilarItem,
  SimilarResult,
  CatalogueStats,
  CatalogueView,
  FeatureMatch,
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

export type { Store, CatalogueInfo, ImportOutcome, ImportRecord, ListenerRecord, FeedbackEvent, FeedbackKind, NewFeedback } from './store/store.js'
export { FEEDBACK_KINDS } from './store/store.js'
export { SqliteStore } from './store/sqlite.js'
export { PostgresStore } from './store/postgres.js'
export { openStore, isPostgresUrl } from './store/open.js'

export { SegueService } from './service/service.js'
export type { ServiceOptions } from './service/service.js'
export { FOR_YOU_MODELS } from './service/for-you.js'
export type { ForYouModel, ForYouItem, ForYouResult, Reason } from './service/for-you.js'
export { buildPlaylist, MAX_SEEDS } from './service/playlist.js'
export type { Playlist, PlaylistItem, PlaylistOptions } from './service/playlist.js'
export { createApp, OPENAPI_PATH, DEFAULT_RATE_LIMIT } from './server/app.js'
export type { AppOptions } from './server/app.js'
export { listen } from './server/listen.js'
export type { ListenOptions } from './server/listen.js'
export { RerankedIndex } from './index/rerank.js'

export { IdMap } from './core/ids.js'
export type { Csr } from './core/csr.js'
export { csrFromTriples, transpose } from './core/csr.js'
export { buildInteractions } from './data/interactions.js'
export type { Interactions, RawInteraction } from './data/interactions.js'
export { readHetrec } from './data/listens/hetrec.js'
export { readMovieLensRatings, readMovieLensUsers, movieLensFold } from './data/listens/movielens.js'
export { readListens } from './data/listens/listens-file.js'
export { readLastfm1k } from './data/listens/lastfm-1k.js'
export { linkArtists, artistKey } from './data/link-artists.js'
export { loadListening } from './listening/source.js'
export type { ListeningData, ListeningFormat } from './listening/source.js'

export { createModel, modelNames, SAVED_MODEL_LOADERS } from './models/registry.js'
export { isIncremental, isExplainable, canExplainMany, hasSimilarUsers, isRatingPredictor } from './models/types.js'
export type {
  Recommender, Scored, UserRef, ItemFilter, RecommendOptions, FitOptions, FitProgress, FitReport, ModelArtifact,
  Incremental, Explainable, ExplainableMany, Explanation, SimilarUsers, RatingPredictor,
} from './models/types.js'
export { ArtistCatalogue } from './models/hybrid/artist-tracks.js'
export type { ArtistTaste, ArtistTrack } from './models/hybrid/artist-tracks.js'
export { selectTopN } from './rerank/select.js'

export { evaluate } from './eval/evaluate.js'
export type { EvaluateOptions, EvaluationResult } from './eval/evaluate.js'
export { randomHoldout, leaveLastOut, temporalSplit, kFold, validationSplit, assertNoLeak } from './eval/splits.js'
export { tune } from './eval/tune.js'
export { formatTable, writeReportJson } from './eval/report.js'
export { evaluateContinuation, continuationTable } from './eval/continuation/evaluate.js'
export type { ContinuationReport, ContinuationModelResult, ContinuationScores, EvaluateContinuationOptions } from './eval/continuation/evaluate.js'
export { splitContinuation, SEED_CATEGORIES } from './eval/continuation/split.js'
export type { ContinuationSplit, HeldOutPlaylist, SeedCategory } from './eval/continuation/split.js'
export { rPrecision, ndcg as challengeNdcg, clicks as challengeClicks } from './eval/continuation/metrics.js'
export { CONTINUATION_MODELS, createContinuationModel, continuationModelNames } from './eval/continuation/models.js'
export type { ContinuationModel, ContinuationQuery, ContinuationTrain, ContinuationContext } from './eval/continuation/types.js'
export { compareModels } from './listening/compare.js'
