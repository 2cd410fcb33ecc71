/** Per-user ranking metrics, averaged over test users (see metrics.ts for each definition). */
export const RANKING_METRICS = ['precision', 'recall', 'f1', 'ndcg', 'map', 'mrr', 'hitRate', 'auc'] as const
/** Per-list "beyond accuracy" metrics, averaged over test users. */
export const LIST_METRICS = ['ils', 'genreDiversity', 'artistDiversity', 'novelty', 'arp', 'popularityLift'] as const
/** Metrics over all lists at once rather than a mean of per-user values. */
export const SET_METRICS = ['coverage'] as const
/** Rating errors, only for models that predict ratings, on explicit data. */
export const RATING_METRICS = ['rmse', 'mae'] as const

export type RankingMetric = (typeof RANKING_METRICS)[number]
export type ListMetric = (typeof LIST_METRICS)[number]
export type PerUserMetric = RankingMetric | ListMetric
export type MetricName = PerUserMetric | (typeof SET_METRICS)[number] | (typeof RATING_METRICS)[number]

export const ALL_METRICS: readonly MetricName[] = [...RANKING_METRICS, ...SET_METRICS, ...LIST_METRICS, ...RATING_METRICS]

/** Metrics where a smaller value is the better one; tuning minimises these. */
export const LOWER_IS_BETTER: ReadonlySet<MetricName> = new Set<MetricName>(['rmse', 'mae', 'ils', 'arp', 'popularityLift'])

export function isMetricName(name: string): name is MetricName {
  return (ALL_METRICS as readonly string[]).includes(name)
}
