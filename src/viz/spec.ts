/** What every chart builder shares: the spec type, sizes, and the chart drawn when there is nothing to draw. */
import type { TopLevelSpec } from 'vega-lite'

export type ChartSpec = TopLevelSpec

export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json'

/** Plot area in pixels: wide enough for 12 axis labels, small enough for a report column. */
export const WIDTH = 520
export const HEIGHT = 300

/** Words shown on a chart: a title, an optional line under it, and axis titles. */
export interface ChartText {
  title: string
  subtitle?: string
}

export function titleOf(t: ChartText): { text: string; subtitle?: string } {
  return t.subtitle ? { text: t.title, subtitle: t.subtitle } : { text: t.title }
}

/**
 * A valid chart that says there is no data, with the title it would have had, so a report or a page shows
 * why a picture is missing instead of failing or drawing empty axes.
 */
export function noDataSpec(t: ChartText, reason = 'No data to draw'): ChartSpec {
  return {
    $schema: SCHEMA,
    title: titleOf(t),
    width: WIDTH,
    height: 80,
    data: { values: [{ message: reason }] },
    mark: { type: 'text', fontSize: 14, align: 'center' },
    encoding: { text: { field: 'message', type: 'nominal' } },
  }
}

/** Rounds for display and storage in a spec, so specs stay small and stable across platforms. */
export function round(x: number, digits = 4): number {
  const f = 10 ** digits
  return Math.round(x * f) / f
}
