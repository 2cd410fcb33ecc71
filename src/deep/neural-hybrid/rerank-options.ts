import { SegueError } from '../../core/errors.js'
import { mergeOptions, requireRange } from '../../models/shared/options.js'

/** Classic models the re-ranker can take its candidates (and its second opinion) from. */
export const STAGE_MODELS = ['ease', 'als', 'user-knn', 'item-knn'] as const
export type StageModel = (typeof STAGE_MODELS)[number]

/** Options of the re-ranking neural hybrid; every field has a default (RERANK_DEFAULTS). */
export interface RerankOptions {
  /** The classic model whose top candidates are re-ranked (its score and rank are features). */
  candidateModel: StageModel
  /** A second classic model whose score and rank over the same candidates are features too; 'none' for none. */
  secondModel: StageModel | 'none'
  /** Candidates taken from the classic model per request. */
  candidates: number
  /** Extra candidates nearest the listener's mean content (so never-played tracks can be reached). */
  contentCandidates: number
  /** Width of the user and item embeddings whose element-wise product enters the scorer. */
  dims: number
  /** Width of the scorer's two hidden layers. */
  hidden: number
  /** Width of each side-field embedding (gender, age group, ...). */
  sideDims: number
  /** History items pooled into the user embedding per list, at most. */
  historyCap: number
  /** Share of each training user's plays held out of the classic model's fit to become the re-ranker's labels. */
  holdout: number
  /** Hold-out rounds, each with its own classic fit: more labelled lists for the network, one classic fit each. */
  folds: number
  /** Share of the labelled lists kept apart to pick the epoch (early stopping on their NDCG@10). */
  validation: number
  /** Lists per optimiser step. */
  batch: number
  epochs: number
  learningRate: number
  /** Epochs without a better validation NDCG@10 before stopping. */
  patience: number
  /** Chance a candidate trains without its item-id embedding, so content carries a new track. */
  itemDropout: number
  /** Chance a list trains as if the listener had no plays (history features zeroed), so side fields carry a new listener. */
  historyDropout: number
  /** L2 penalty on the id embeddings used in a batch. */
  l2: number
  /** Global gradient-norm clip. */
  clipNorm: number
}

/**
 * The defaults. Chosen on validation parts carved from the training parts of the bench's splits (never their test
 * parts): see bench/neural-hybrid.bench.ts (`BENCH_NH_TASKS=validate`) and bench/results/neural-hybrid-validation.json.
 */
export const RERANK_DEFAULTS: RerankOptions = {
  candidateModel: 'ease',
  secondModel: 'user-knn',
  candidates: 100,
  contentCandidates: 10,
  dims: 8,
  hidden: 16,
  sideDims: 4,
  historyCap: 50,
  holdout: 0.2,
  folds: 2,
  validation: 0.15,
  batch: 32,
  epochs: 30,
  learningRate: 0.002,
  patience: 3,
  itemDropout: 0.5,
  historyDropout: 0.1,
  l2: 1e-4,
  clipNorm: 5,
}

export function rerankOptions(given: Partial<RerankOptions> = {}): RerankOptions {
  const o = mergeOptions<RerankOptions>('neural-hybrid', RERANK_DEFAULTS, given)
  const m = 'neural-hybrid'
  if (!STAGE_MODELS.includes(o.candidateModel)) throw new SegueError('E_BAD_ARGUMENT', `${m}: candidateModel must be one of ${STAGE_MODELS.join(', ')}, got '${o.candidateModel}'`)
  if (o.secondModel !== 'none' && !STAGE_MODELS.includes(o.secondModel)) {
    throw new SegueError('E_BAD_ARGUMENT', `${m}: secondModel must be 'none' or one of ${STAGE_MODELS.join(', ')}, got '${o.secondModel}'`)
  }
  for (const key of ['candidates', 'dims', 'hidden', 'sideDims', 'historyCap', 'batch', 'epochs', 'patience', 'folds'] as const) requireRange(m, key, o[key], 1, 100_000, true)
  requireRange(m, 'contentCandidates', o.contentCandidates, 0, 100_000, true)
  requireRange(m, 'holdout', o.holdout, 0.01, 0.9)
  requireRange(m, 'validation', o.validation, 0, 0.9)
  requireRange(m, 'learningRate', o.learningRate, 1e-7, 10)
  requireRange(m, 'itemDropout', o.itemDropout, 0, 1)
  requireRange(m, 'historyDropout', o.historyDropout, 0, 1)
  requireRange(m, 'l2', o.l2, 0)
  requireRange(m, 'clipNorm', o.clipNorm, 0)
  return o
}
