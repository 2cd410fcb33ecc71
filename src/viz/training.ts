/**
 * Training and validation curves for any model that trains in epochs (the deep models of issue 11): loss per
 * epoch on top, and, when the run reports one, its validation metric below on its own axis (a loss and a
 * metric have different units, so they never share a y scale).
 */
import { lineRows, type LineSeries } from './line.js'
import { noDataSpec, SCHEMA, titleOf, WIDTH, type ChartSpec } from './spec.js'

/** One epoch of a training history, as the shared neural training loop reports it. */
export interface TrainingEpoch {
  epoch: number
  /** Training loss. */
  loss: number
  /** Loss on held-out data, where the run keeps some back. */
  valLoss?: number
  /** A validation metric (e.g. NDCG@10, accuracy), where the run measures one. */
  metric?: number
}

/** Height of each panel: two stacked panels take about the height of one standard chart. */
const PANEL_HEIGHT = 170
/** Points at or below which each epoch is marked. */
const MAX_MARKED_EPOCHS = 30

/**
 * Loss per epoch (training, and validation when present) and, when any epoch has `metric`, the metric per epoch
 * in a second panel. Non-finite values (a diverged loss) are left out; an empty history draws "No data to draw".
 */
export function trainingCurveChart(history: readonly TrainingEpoch[], title: string, metricName = 'Validation metric'): ChartSpec {
  const text = { title }
  const loss: LineSeries[] = [{ name: 'Training loss', points: history.map((h) => ({ x: h.epoch, y: h.loss })) }]
  const withVal = history.filter((h) => h.valLoss !== undefined)
  if (withVal.length) loss.push({ name: 'Validation loss', points: withVal.map((h) => ({ x: h.epoch, y: h.valLoss! })) })
  const metric: LineSeries[] = history.some((h) => h.metric !== undefined)
    ? [{ name: metricName, points: history.filter((h) => h.metric !== undefined).map((h) => ({ x: h.epoch, y: h.metric! })) }]
    : []
  const rows = [
    ...lineRows(loss).map((r) => ({ ...r, panel: 'Loss' })),
    ...lineRows(metric).map((r) => ({ ...r, panel: metricName })),
  ]
  if (rows.length === 0) return noDataSpec(text)
  const panels = [...new Set(rows.map((r) => r.panel))]
  const marked = history.length <= MAX_MARKED_EPOCHS
  return {
    $schema: SCHEMA,
    title: titleOf(text),
    data: { values: rows },
    facet: { row: { field: 'panel', type: 'nominal', title: null, sort: panels, header: { labelAngle: 0, labelAlign: 'left', labelAnchor: 'start', labelOrient: 'top' } } },
    spec: {
      width: WIDTH,
      height: PANEL_HEIGHT,
      mark: { type: 'line', point: marked },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: 'Epoch', axis: { tickMinStep: 1 } },
        y: { field: 'y', type: 'quantitative', title: null, scale: { zero: false } },
        color: { field: 'series', type: 'nominal', title: null, sort: ['Training loss', 'Validation loss', metricName] },
        tooltip: [
          { field: 'series', type: 'nominal', title: 'Series' },
          { field: 'x', type: 'quantitative', title: 'Epoch' },
          { field: 'y', type: 'quantitative', title: 'Value', format: '.4~f' },
        ],
      },
    },
    resolve: { scale: { y: 'independent' } },
  }
}
