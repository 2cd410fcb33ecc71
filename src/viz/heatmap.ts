/**
 * Grids of values: the feature correlation matrix (Pearson r on a diverging scale centred at 0) and
 * confusion matrices (cells coloured by the share of their true class, labelled with counts).
 */
import { SegueError } from '../core/errors.js'
import { noDataSpec, round, SCHEMA, titleOf, type ChartSpec, type ChartText } from './spec.js'

/** Side of one heatmap cell in pixels: room for a two-digit label such as "-0.73" in 10 px text. */
const CELL = 38

/**
 * Pearson's r of two equally long columns, summed in f64 around the means:
 * r = sum((a - ma)(b - mb)) / sqrt(sum((a - ma)^2) sum((b - mb)^2)). NaN when either column is constant or
 * has fewer than two values (r is undefined there).
 */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new SegueError('E_BAD_ARGUMENT', `pearson: columns differ in length (${a.length} and ${b.length})`)
  const n = a.length
  if (n < 2) return NaN
  let ma = 0
  let mb = 0
  for (let i = 0; i < n; i++) {
    ma += a[i]
    mb += b[i]
  }
  ma /= n
  mb /= n
  let sab = 0
  let saa = 0
  let sbb = 0
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma
    const db = b[i] - mb
    sab += da * db
    saa += da * da
    sbb += db * db
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN
}

/**
 * The symmetric matrix of Pearson r between every pair of equally long columns (1 on the diagonal; NaN for a
 * constant column). Each column is centred once, so a pair costs one pass: r = <a, b> / (|a| |b|) on centred
 * columns, the same sums as `pearson`.
 */
export function correlationMatrix(columns: readonly ArrayLike<number>[]): number[][] {
  const centred = columns.map(centre)
  const norms = centred.map((c) => Math.sqrt(dot(c, c)))
  const m = columns.map(() => new Array<number>(columns.length).fill(NaN))
  for (let i = 0; i < columns.length; i++) {
    for (let j = i; j < columns.length; j++) {
      const denom = norms[i] * norms[j]
      m[i][j] = m[j][i] = centred[i].length >= 2 && denom > 0 ? dot(centred[i], centred[j]) / denom : NaN
    }
  }
  return m
}

function centre(a: ArrayLike<number>): Float64Array {
  let mean = 0
  for (let i = 0; i < a.length; i++) mean += a[i]
  mean /= a.length || 1
  const out = new Float64Array(a.length)
  for (let i = 0; i < a.length; i++) out[i] = a[i] - mean
  return out
}

function dot(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) throw new SegueError('E_BAD_ARGUMENT', `correlation: columns differ in length (${a.length} and ${b.length})`)
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i] * b[i]
  return s
}

export interface CorrelationInput extends ChartText {
  names: readonly string[]
  /** names.length x names.length; NaN cells (a constant column) are drawn blank. */
  matrix: readonly (readonly number[])[]
}

export function correlationSpec(input: CorrelationInput): ChartSpec {
  const { names, matrix } = input
  const rows = names.flatMap((row, i) => names.map((col, j) => ({ row, col, r: Number.isFinite(matrix[i][j]) ? round(matrix[i][j], 3) : null })))
  if (rows.every((r) => r.r === null)) return noDataSpec(input, 'Not enough varied data to correlate')
  return gridSpec(input, rows, names, names, {
    colour: { field: 'r', type: 'quantitative', title: 'Pearson r', scale: { domain: [-1, 1], domainMid: 0 } },
    label: { field: 'r', type: 'quantitative', format: '.2f' },
    tooltip: [
      { field: 'row', type: 'nominal', title: 'Feature' },
      { field: 'col', type: 'nominal', title: 'With' },
      { field: 'r', type: 'quantitative', title: 'Pearson r', format: '.3f' },
    ],
    xTitle: null,
    yTitle: null,
  })
}

export interface ConfusionInput extends ChartText {
  /** Class names, in the order of counts' rows (true class) and columns (predicted class). */
  labels: readonly string[]
  counts: readonly (readonly number[])[]
}

/** Confusion-matrix cells: counts, and each count's share of its true class (row), 0 for an empty row. */
export function confusionRows(labels: readonly string[], counts: readonly (readonly number[])[]) {
  return labels.flatMap((actual, i) => {
    const total = counts[i].reduce((a, b) => a + b, 0)
    return labels.map((predicted, j) => ({ actual, predicted, count: counts[i][j], share: total ? round(counts[i][j] / total, 4) : 0 }))
  })
}

export function confusionSpec(input: ConfusionInput): ChartSpec {
  const rows = confusionRows(input.labels, input.counts)
  if (rows.every((r) => r.count === 0)) return noDataSpec(input)
  const grid = rows.map((r) => ({ row: r.actual, col: r.predicted, count: r.count, share: r.share }))
  return gridSpec(input, grid, input.labels, input.labels, {
    colour: { field: 'share', type: 'quantitative', title: 'Share of true class', scale: { domain: [0, 1] }, legend: { format: '.0%' } },
    label: { field: 'count', type: 'quantitative', format: ',' },
    tooltip: [
      { field: 'row', type: 'nominal', title: 'True class' },
      { field: 'col', type: 'nominal', title: 'Predicted' },
      { field: 'count', type: 'quantitative', title: 'Count', format: ',' },
      { field: 'share', type: 'quantitative', title: 'Share of true class', format: '.1%' },
    ],
    xTitle: 'Predicted',
    yTitle: 'True class',
  })
}

interface GridEncoding {
  colour: Record<string, unknown>
  label: { field: string; type: 'quantitative'; format: string }
  tooltip: Record<string, unknown>[]
  xTitle: string | null
  yTitle: string | null
}

/** Rect cells coloured by one field, labelled with another, rows and columns in the given order. */
function gridSpec(t: ChartText, values: Record<string, unknown>[], rowNames: readonly string[], colNames: readonly string[], enc: GridEncoding): ChartSpec {
  const x = { field: 'col', type: 'nominal' as const, sort: [...colNames], title: enc.xTitle, axis: { labelAngle: -40 } }
  const y = { field: 'row', type: 'nominal' as const, sort: [...rowNames], title: enc.yTitle }
  return {
    $schema: SCHEMA,
    title: titleOf(t),
    width: CELL * colNames.length,
    height: CELL * rowNames.length,
    data: { values },
    encoding: { x, y },
    layer: [
      { mark: { type: 'rect' }, encoding: { color: enc.colour, tooltip: enc.tooltip } },
      { mark: { type: 'text', fontSize: 10 }, encoding: { text: enc.label } },
    ],
  }
}
