/**
 * Bars of a value per category, optionally split into groups side by side (tracks per key, major beside
 * minor; a metric per model at several cut-offs). Categories keep the order given.
 */
import { HEIGHT, noDataSpec, round, SCHEMA, titleOf, WIDTH, type ChartSpec, type ChartText } from './spec.js'

export interface BarDatum {
  category: string
  /** Bars of one category with different groups stand side by side; omit for plain bars. */
  group?: string
  value: number
}

export interface BarInput extends ChartText {
  xTitle: string
  yTitle: string
  bars: readonly BarDatum[]
  /** d3 format of values on hover and on the axis (",": counts, ".0%": shares). */
  format?: string
  /** Legend title for the groups. */
  groupTitle?: string
  /** Horizontal bars, for long category names (genres). */
  horizontal?: boolean
  colorScale?: { domain: string[] }
}

export function barSpec(input: BarInput): ChartSpec {
  const bars = input.bars.filter((b) => Number.isFinite(b.value))
  if (bars.length === 0) return noDataSpec(input)
  const grouped = bars.some((b) => b.group !== undefined)
  const rows = bars.map((b) => ({ category: b.category, group: b.group ?? '', value: round(b.value, 6) }))
  const format = input.format ?? ',' // counts: "9,000" on hover; the axis picks its own tick format then
  const categories = [...new Set(rows.map((r) => r.category))]
  const cat = { field: 'category', type: 'nominal' as const, sort: categories, title: input.xTitle, ...(input.horizontal ? {} : { axis: { labelAngle: 0 } }) }
  const val = { field: 'value', type: 'quantitative' as const, title: input.yTitle, ...(input.format ? { axis: { format } } : {}) }
  const offset = { field: 'group', type: 'nominal' as const, sort: [...new Set(rows.map((r) => r.group))] }
  const colour = grouped
    ? { field: 'group', type: 'nominal' as const, title: input.groupTitle ?? null, sort: offset.sort, ...(input.colorScale ? { scale: input.colorScale } : {}) }
    : undefined
  const tooltip = [
    { field: 'category', type: 'nominal' as const, title: input.xTitle },
    ...(grouped ? [{ field: 'group', type: 'nominal' as const, title: input.groupTitle ?? 'Group' }] : []),
    { field: 'value', type: 'quantitative' as const, title: input.yTitle, format },
  ]
  const encoding = input.horizontal
    ? { y: cat, x: val, ...(grouped ? { yOffset: offset, color: colour } : {}), tooltip }
    : { x: cat, y: val, ...(grouped ? { xOffset: offset, color: colour } : {}), tooltip }
  return {
    $schema: SCHEMA,
    title: titleOf(input),
    width: WIDTH,
    height: input.horizontal ? Math.max(60, 18 * categories.length) : HEIGHT,
    data: { values: rows },
    mark: { type: 'bar' },
    encoding,
  }
}
