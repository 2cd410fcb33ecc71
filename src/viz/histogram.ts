/**
 * Distributions of a numeric column. Binning happens here, in TS, so a spec carries at most MAX_BINS rows
 * whatever the column's length (114k tracks become 40 bars), and charts stay small and fast to render.
 */
import { HEIGHT, noDataSpec, round, SCHEMA, titleOf, WIDTH, type ChartSpec, type ChartText } from './spec.js'
import { SegueError } from '../core/errors.js'

/** Bars per histogram unless asked: fine enough to show shape, coarse enough that 1k tracks fill each bar. */
export const DEFAULT_BINS = 40
/** The most bins a spec may carry, so a spec stays a few kB. */
export const MAX_BINS = 100

export interface Bin {
  /** Inclusive lower edge. */
  start: number
  /** Exclusive upper edge, except for the last bin, which includes its upper edge. */
  end: number
  count: number
}

export interface BinOptions {
  bins?: number
  /** Range to bin over; defaults to the finite values' minimum and maximum. Values outside are dropped. */
  extent?: readonly [number, number]
}

/** Equal-width bins over the finite values; a constant column gets one bin of width 1 centred on its value. */
export function binValues(values: ArrayLike<number>, opts: BinOptions = {}): Bin[] {
  const n = opts.bins ?? DEFAULT_BINS
  if (!Number.isInteger(n) || n < 1 || n > MAX_BINS) {
    throw new SegueError('E_BAD_ARGUMENT', `bins must be an integer from 1 to ${MAX_BINS}, got ${n}`)
  }
  const [lo, hi] = opts.extent ?? finiteExtent(values)
  if (!(lo <= hi)) return []
  if (lo === hi) return [{ start: lo - 0.5, end: hi + 0.5, count: countIn(values, lo, hi) }]
  const width = (hi - lo) / n
  const counts = new Array<number>(n).fill(0)
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (!(v >= lo && v <= hi)) continue
    counts[Math.min(n - 1, Math.floor((v - lo) / width))]++
  }
  return counts.map((count, i) => ({ start: lo + i * width, end: i === n - 1 ? hi : lo + (i + 1) * width, count }))
}

/** Smallest and largest finite value; [NaN, NaN] when there is none. */
export function finiteExtent(values: ArrayLike<number>): [number, number] {
  let lo = Infinity
  let hi = -Infinity
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (!Number.isFinite(v)) continue
    if (v < lo) lo = v
    if (v > hi) hi = v
  }
  return lo <= hi ? [lo, hi] : [NaN, NaN]
}

function countIn(values: ArrayLike<number>, lo: number, hi: number): number {
  let c = 0
  for (let i = 0; i < values.length; i++) if (values[i] >= lo && values[i] <= hi) c++
  return c
}

export interface Series {
  name: string
  values: ArrayLike<number>
}

export interface HistogramInput extends ChartText, BinOptions {
  /** What the values measure, in words ("Danceability (0 to 1)"). */
  xTitle: string
  /** One column (bars of counts) or several (lines of each one's share per bin, on shared bins). */
  series: readonly Series[]
  /** Colour scale for the series (e.g. `moodScale()`); defaults to the theme's categorical colours. */
  colorScale?: { domain: string[] }
  /** What a bar counts (default 'Tracks'). */
  yTitle?: string
}

/** Row of a histogram spec's data: one bin of one series. */
export interface HistogramRow {
  series: string
  start: number
  end: number
  mid: number
  count: number
  share: number
}

/** Bins every series over the same range, so their shapes compare bin for bin. */
export function histogramRows(input: Pick<HistogramInput, 'series' | 'bins' | 'extent'>): HistogramRow[] {
  const extent = input.extent ?? unionExtent(input.series)
  const rows: HistogramRow[] = []
  for (const s of input.series) {
    const bins = binValues(s.values, { bins: input.bins, extent })
    const total = bins.reduce((a, b) => a + b.count, 0)
    for (const b of bins) {
      const share = total ? b.count / total : 0
      rows.push({ series: s.name, start: round(b.start, 6), end: round(b.end, 6), mid: round((b.start + b.end) / 2, 6), count: b.count, share: round(share, 6) })
    }
  }
  return rows
}

function unionExtent(series: readonly Series[]): [number, number] {
  let lo = Infinity
  let hi = -Infinity
  for (const s of series) {
    const [a, b] = finiteExtent(s.values)
    if (a < lo) lo = a
    if (b > hi) hi = b
  }
  return lo <= hi ? [lo, hi] : [NaN, NaN]
}

/** A histogram (one series: bars of counts) or overlaid distributions (several: lines of shares). */
export function histogramSpec(input: HistogramInput): ChartSpec {
  const rows = histogramRows(input)
  if (rows.every((r) => r.count === 0)) return noDataSpec(input)
  const base = { $schema: SCHEMA, title: titleOf(input), width: WIDTH, height: HEIGHT, data: { values: rows } }
  if (input.series.length === 1) {
    return {
      ...base,
      mark: { type: 'bar', binSpacing: 1 },
      encoding: {
        x: { field: 'start', type: 'quantitative', bin: { binned: true }, title: input.xTitle },
        x2: { field: 'end' },
        y: { field: 'count', type: 'quantitative', title: input.yTitle ?? 'Tracks' },
        tooltip: [
          { field: 'start', type: 'quantitative', title: 'From', format: '.3~f' },
          { field: 'end', type: 'quantitative', title: 'To', format: '.3~f' },
          { field: 'count', type: 'quantitative', title: input.yTitle ?? 'Tracks', format: ',' },
        ],
      },
    }
  }
  return {
    ...base,
    mark: { type: 'line', interpolate: 'step', point: false },
    encoding: {
      x: { field: 'mid', type: 'quantitative', title: input.xTitle },
      y: { field: 'share', type: 'quantitative', title: 'Share of each group', axis: { format: '.0%' } },
      color: { field: 'series', type: 'nominal', title: null, ...(input.colorScale ? { scale: input.colorScale } : {}) },
      tooltip: [
        { field: 'series', type: 'nominal', title: 'Group' },
        { field: 'mid', type: 'quantitative', title: 'Around', format: '.3~f' },
        { field: 'share', type: 'quantitative', title: 'Share', format: '.1%' },
      ],
    },
  }
}

export interface FacetedHistogramInput extends ChartText {
  /** One small histogram per panel, each binned over its own range (features have different units). */
  panels: readonly Series[]
  bins?: number
  /** Panels per row. */
  columns?: number
}

/** Small multiples: one histogram of counts per panel, each with its own x range. */
export function facetedHistogramSpec(input: FacetedHistogramInput): ChartSpec {
  const rows = input.panels.flatMap((p) => histogramRows({ series: [p], bins: input.bins }))
  if (rows.every((r) => r.count === 0)) return noDataSpec(input)
  return {
    $schema: SCHEMA,
    title: titleOf(input),
    data: { values: rows },
    columns: input.columns ?? 3,
    facet: { field: 'series', type: 'nominal', title: null, sort: input.panels.map((p) => p.name) },
    spec: {
      width: 180,
      height: 110,
      mark: { type: 'bar', binSpacing: 0 },
      encoding: {
        x: { field: 'start', type: 'quantitative', bin: { binned: true }, title: null },
        x2: { field: 'end' },
        y: { field: 'count', type: 'quantitative', title: 'Tracks', axis: { format: '~s' } },
        tooltip: [
          { field: 'start', type: 'quantitative', title: 'From', format: '.3~f' },
          { field: 'end', type: 'quantitative', title: 'To', format: '.3~f' },
          { field: 'count', type: 'quantitative', title: 'Tracks', format: ',' },
        ],
      },
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
  }
}
