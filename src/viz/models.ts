/**
 * Model comparison: every evaluation metric against the list length k for each model, precision against
 * recall (one point per k), accuracy against catalogue coverage and diversity, and a confusion matrix for any
 * classifier. The inputs are plain numbers, so any evaluation (listening, continuation, moods) can draw them.
 */
import { confusionSpec } from './heatmap.js'
import { noDataSpec, round, SCHEMA, titleOf, type ChartSpec, type ChartText } from './spec.js'

/** One model's metrics at several list lengths. */
export interface ModelCurve {
  model: string
  points: readonly { k: number; metrics: Readonly<Record<string, number | undefined>> }[]
}

/** Words for the metric names evaluation uses (src/eval/metric-names.ts); others are shown as named. */
export const METRIC_LABELS: Record<string, string> = {
  precision: 'Precision', recall: 'Recall', f1: 'F1', ndcg: 'NDCG', map: 'MAP', mrr: 'MRR', hitRate: 'Hit rate', auc: 'AUC',
  coverage: 'Catalogue coverage', ils: 'Intra-list similarity', genreDiversity: 'Genre diversity', artistDiversity: 'Artist diversity',
  novelty: 'Novelty (bits)', arp: 'Mean popularity of items', popularityLift: 'Popularity lift', rmse: 'RMSE', mae: 'MAE',
}

const label = (metric: string) => METRIC_LABELS[metric] ?? metric

interface CurveRow {
  model: string
  metric: string
  k: number
  value: number
}

/** Finite metric values as flat rows, metrics in the order given. */
function curveRows(curves: readonly ModelCurve[], metrics: readonly string[]): CurveRow[] {
  return metrics.flatMap((metric) =>
    curves.flatMap((c) =>
      c.points.filter((p) => Number.isFinite(p.metrics[metric])).map((p) => ({ model: c.model, metric: label(metric), k: p.k, value: round(p.metrics[metric]!, 5) })),
    ),
  )
}

/** Panels per row in the metrics-against-k chart. */
const METRIC_COLUMNS = 3

/** One small panel per metric (each with its own y axis), a line per model, x the list length k. */
export function metricsAtKSpec(curves: readonly ModelCurve[], metrics: readonly string[], text: ChartText): ChartSpec {
  const rows = curveRows(curves, metrics)
  if (rows.length === 0) return noDataSpec(text)
  const shown = metrics.map(label).filter((m) => rows.some((r) => r.metric === m))
  return {
    $schema: SCHEMA,
    title: titleOf(text),
    data: { values: rows },
    columns: Math.min(METRIC_COLUMNS, shown.length),
    facet: { field: 'metric', type: 'nominal', title: null, sort: shown },
    spec: {
      width: 170,
      height: 120,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'k', type: 'quantitative', title: 'List length k', scale: { type: 'log' }, axis: { values: [...new Set(rows.map((r) => r.k))] } },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
        color: { field: 'model', type: 'nominal', title: 'Model' },
        tooltip: [
          { field: 'model', type: 'nominal', title: 'Model' },
          { field: 'metric', type: 'nominal', title: 'Metric' },
          { field: 'k', type: 'quantitative', title: 'k' },
          { field: 'value', type: 'quantitative', title: 'Value', format: '.4~f' },
        ],
      },
    },
    resolve: { scale: { y: 'independent' } },
  }
}

/** Precision against recall, one point per k joined in k order, a line per model. */
export function precisionRecallSpec(curves: readonly ModelCurve[], text: ChartText): ChartSpec {
  const rows = curves.flatMap((c) =>
    c.points
      .filter((p) => Number.isFinite(p.metrics.precision) && Number.isFinite(p.metrics.recall))
      .map((p) => ({ model: c.model, k: p.k, kLabel: `k=${p.k}`, recall: round(p.metrics.recall!, 5), precision: round(p.metrics.precision!, 5) })),
  )
  if (rows.length === 0) return noDataSpec(text)
  const x = { field: 'recall', type: 'quantitative' as const, title: 'Recall@k' }
  const y = { field: 'precision', type: 'quantitative' as const, title: 'Precision@k' }
  return {
    $schema: SCHEMA,
    title: titleOf(text),
    width: 520,
    height: 300,
    data: { values: rows },
    encoding: { x, y, color: { field: 'model', type: 'nominal', title: 'Model' } },
    layer: [
      {
        mark: { type: 'line', point: true },
        encoding: {
          order: { field: 'k', type: 'quantitative' },
          tooltip: [
            { field: 'model', type: 'nominal', title: 'Model' },
            { field: 'k', type: 'quantitative', title: 'k' },
            { field: 'precision', type: 'quantitative', title: 'Precision', format: '.4f' },
            { field: 'recall', type: 'quantitative', title: 'Recall', format: '.4f' },
          ],
        },
      },
      { mark: { type: 'text', dx: 8, dy: -6, fontSize: 9, align: 'left' }, encoding: { text: { field: 'kLabel', type: 'nominal' } } },
    ],
  }
}

/** One model's accuracy and beyond-accuracy figures at one k. */
export interface TradeOffPoint {
  model: string
  accuracy: number
  /** Keyed by the measure's words ("Catalogue coverage", "Genre diversity"). */
  against: Readonly<Record<string, number>>
}

/** Accuracy (y) against each beyond-accuracy measure (x, a panel each): the best models sit top right. */
export function tradeOffSpec(points: readonly TradeOffPoint[], accuracyTitle: string, text: ChartText): ChartSpec {
  const rows = points.flatMap((p) =>
    Object.entries(p.against)
      .filter(([, v]) => Number.isFinite(v) && Number.isFinite(p.accuracy))
      .map(([measure, v]) => ({ model: p.model, measure, x: round(v, 5), accuracy: round(p.accuracy, 5) })),
  )
  if (rows.length === 0) return noDataSpec(text)
  return {
    $schema: SCHEMA,
    title: titleOf(text),
    data: { values: rows },
    facet: { column: { field: 'measure', type: 'nominal', title: null } },
    spec: {
      width: 250,
      height: 220,
      encoding: {
        x: { field: 'x', type: 'quantitative', title: null, scale: { zero: false, padding: 20 } },
        y: { field: 'accuracy', type: 'quantitative', title: accuracyTitle, scale: { zero: false, padding: 20 } },
      },
      layer: [
        {
          mark: { type: 'point', filled: true, size: 80 },
          encoding: {
            color: { field: 'model', type: 'nominal', title: 'Model' },
            tooltip: [
              { field: 'model', type: 'nominal', title: 'Model' },
              { field: 'measure', type: 'nominal', title: 'Measure' },
              { field: 'x', type: 'quantitative', title: 'Value', format: '.4f' },
              { field: 'accuracy', type: 'quantitative', title: accuracyTitle, format: '.4f' },
            ],
          },
        },
        { mark: { type: 'text', dy: -10, fontSize: 9 }, encoding: { text: { field: 'model', type: 'nominal' } } },
      ],
    },
    resolve: { scale: { x: 'independent' } },
  }
}

/**
 * A confusion matrix for any classifier from true and predicted labels (equally long). Classes are `labels`
 * when given (in that order), else every label seen, sorted. Cells are counts, coloured by share of the true class.
 */
export function confusionMatrixChart(actual: readonly string[], predicted: readonly string[], title: string, labels?: readonly string[]): ChartSpec {
  if (actual.length !== predicted.length) return noDataSpec({ title }, `${actual.length} true labels but ${predicted.length} predictions`)
  const classes = labels ? [...labels] : [...new Set([...actual, ...predicted])].sort()
  const at = new Map(classes.map((c, i) => [c, i]))
  const counts = classes.map(() => new Array<number>(classes.length).fill(0))
  let right = 0
  let counted = 0
  actual.forEach((a, i) => {
    const r = at.get(a)
    const c = at.get(predicted[i])
    if (r === undefined || c === undefined) return
    counts[r][c]++
    counted++
    if (r === c) right++
  })
  const subtitle = counted ? `${counted.toLocaleString('en-GB')} cases, accuracy ${(right / counted).toFixed(3)}` : undefined
  return confusionSpec({ title, subtitle, labels: classes, counts })
}
