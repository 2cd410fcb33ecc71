/**
 * Lines of several series over a shared x: a metric against k per model, training and validation loss per
 * epoch, the KMeans elbow (inertia against clusters) and silhouette curves.
 */
import { HEIGHT, noDataSpec, round, SCHEMA, titleOf, WIDTH, type ChartSpec, type ChartText } from './spec.js'

export interface Point {
  x: number
  y: number
}

export interface LineSeries {
  name: string
  points: readonly Point[]
}

export interface LineInput extends ChartText {
  xTitle: string
  yTitle: string
  series: readonly LineSeries[]
  /** Mark each point (few points, e.g. k in 1, 5, 10, 20); defaults to true when a series has <= 30 points. */
  points?: boolean
  /** Fix the y axis (e.g. [0, 1] for precision); defaults to the data's range. */
  yDomain?: readonly [number, number]
  /** Start the y axis at zero; defaults to false, so loss curves show their differences. */
  yZero?: boolean
  colorScale?: { domain: string[] }
}

/** Points at or below which each point is marked: enough to read values off, few enough not to clutter. */
const MAX_MARKED_POINTS = 30

export interface LineRow {
  series: string
  x: number
  y: number
}

/** The series as flat rows, dropping points that are not finite numbers (a diverged loss, a missing metric). */
export function lineRows(series: readonly LineSeries[]): LineRow[] {
  return series.flatMap((s) =>
    s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)).map((p) => ({ series: s.name, x: p.x, y: round(p.y, 6) })),
  )
}

export function lineSpec(input: LineInput): ChartSpec {
  const rows = lineRows(input.series)
  if (rows.length === 0) return noDataSpec(input)
  const longest = Math.max(...input.series.map((s) => s.points.length))
  const marked = input.points ?? longest <= MAX_MARKED_POINTS
  const scale = input.yDomain ? { domain: [...input.yDomain] } : { zero: input.yZero ?? false }
  return {
    $schema: SCHEMA,
    title: titleOf(input),
    width: WIDTH,
    height: HEIGHT,
    data: { values: rows },
    mark: { type: 'line', point: marked },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: input.xTitle, axis: { tickMinStep: isIntegral(rows) ? 1 : undefined } },
      y: { field: 'y', type: 'quantitative', title: input.yTitle, scale },
      color: { field: 'series', type: 'nominal', title: null, ...(input.colorScale ? { scale: input.colorScale } : {}) },
      tooltip: [
        { field: 'series', type: 'nominal', title: 'Series' },
        { field: 'x', type: 'quantitative', title: input.xTitle },
        { field: 'y', type: 'quantitative', title: input.yTitle, format: '.4~f' },
      ],
    },
  }
}

function isIntegral(rows: readonly LineRow[]): boolean {
  return rows.every((r) => Number.isInteger(r.x))
}

/** One epoch of a training history, as a neural model's loop reports it. */
export interface EpochRecord {
  epoch: number
  loss: number
  /** Loss on held-out data, where the run keeps some back. */
  valLoss?: number
}

/** Training and validation loss per epoch (issue 11): the two lines people read over-fitting from. */
export function lossCurvesSpec(history: readonly EpochRecord[], text: ChartText = { title: 'Loss per epoch' }): ChartSpec {
  const series: LineSeries[] = [{ name: 'Training', points: history.map((h) => ({ x: h.epoch, y: h.loss })) }]
  if (history.some((h) => h.valLoss !== undefined)) {
    series.push({ name: 'Validation', points: history.filter((h) => h.valLoss !== undefined).map((h) => ({ x: h.epoch, y: h.valLoss! })) })
  }
  return lineSpec({ ...text, xTitle: 'Epoch', yTitle: 'Loss', series })
}
