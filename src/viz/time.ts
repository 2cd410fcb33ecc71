/**
 * Popularity and audio features over time: per release year and per decade, from catalogues that carry a
 * release year (the 600k and 170k layouts) or from published year aggregates (data_by_year.csv of the "Spotify
 * Dataset 1921-2020"). The tracks are reduced to one row per year here, so a spec holds ~100 rows whatever the
 * catalogue's size. A catalogue without years (the 114k layout) gets a chart that says so.
 */
import { AUDIO_FEATURES, type Track } from '../core/track.js'
import { lineSpec, type LineSeries } from './line.js'
import { noDataSpec, round, SCHEMA, titleOf, type ChartSpec, type ChartText } from './spec.js'

/** Features on a 0-to-1 scale, so they share one axis over time. */
export const TREND_FEATURES = ['danceability', 'energy', 'acousticness', 'valence', 'speechiness', 'instrumentalness', 'liveness'] as const
export type TrendFeature = (typeof TREND_FEATURES)[number]

/** One year's means: from a catalogue's tracks, or read from an aggregates file. */
export interface YearRow {
  year: number
  /** Tracks behind the means; absent for published aggregates that do not say. */
  tracks?: number
  /** Mean popularity, 0 to 100; NaN where no track of the year has one. */
  popularity: number
  features: Record<TrendFeature, number>
}

/** Years with fewer tracks are left out of catalogue trends: a mean of a handful of tracks is noise. */
export const MIN_TRACKS_PER_YEAR = 5

export const NO_YEARS = 'This catalogue has no release years (the 114k layout carries none); import a 600k or 170k catalogue to see trends'

/** Mean popularity and features per release year, years with at least `minTracks` tracks, in year order. */
export function yearRows(tracks: readonly Track[], minTracks = MIN_TRACKS_PER_YEAR): YearRow[] {
  const idx = TREND_FEATURES.map((f) => AUDIO_FEATURES.indexOf(f))
  const acc = new Map<number, { n: number; pop: number; popN: number; sums: Float64Array }>()
  for (const t of tracks) {
    if (t.releaseYear === null || !Number.isFinite(t.releaseYear)) continue
    const a = acc.get(t.releaseYear) ?? { n: 0, pop: 0, popN: 0, sums: new Float64Array(idx.length) }
    acc.set(t.releaseYear, a)
    a.n++
    if (t.popularity !== null) {
      a.pop += t.popularity
      a.popN++
    }
    idx.forEach((f, i) => (a.sums[i] += t.features[f]))
  }
  return [...acc.entries()]
    .filter(([, a]) => a.n >= minTracks)
    .sort((x, y) => x[0] - y[0])
    .map(([year, a]) => ({
      year,
      tracks: a.n,
      popularity: a.popN ? round(a.pop / a.popN, 3) : NaN,
      features: Object.fromEntries(TREND_FEATURES.map((f, i) => [f, round(a.sums[i] / a.n, 4)])) as Record<TrendFeature, number>,
    }))
}

/** Year rows pooled into decades, weighted by tracks where known (else each year counts once). */
export function decadeRows(years: readonly YearRow[]): YearRow[] {
  const acc = new Map<number, { w: number; popW: number; pop: number; sums: number[]; tracks: number }>()
  for (const y of years) {
    const d = Math.floor(y.year / 10) * 10
    const w = y.tracks ?? 1
    const a = acc.get(d) ?? { w: 0, popW: 0, pop: 0, sums: TREND_FEATURES.map(() => 0), tracks: 0 }
    acc.set(d, a)
    a.w += w
    a.tracks += y.tracks ?? 0
    if (Number.isFinite(y.popularity)) {
      a.pop += w * y.popularity
      a.popW += w
    }
    TREND_FEATURES.forEach((f, i) => (a.sums[i] += w * y.features[f]))
  }
  return [...acc.entries()].sort((a, b) => a[0] - b[0]).map(([year, a]) => ({
    year,
    ...(a.tracks ? { tracks: a.tracks } : {}),
    popularity: a.popW ? round(a.pop / a.popW, 3) : NaN,
    features: Object.fromEntries(TREND_FEATURES.map((f, i) => [f, round(a.sums[i] / a.w, 4)])) as Record<TrendFeature, number>,
  }))
}

function capital(s: string): string {
  return s[0].toUpperCase() + s.slice(1)
}

/** Mean popularity per year as a line; `reason` is drawn instead when there are no years. */
export function popularityByYearSpec(years: readonly YearRow[], text: ChartText, reason = NO_YEARS): ChartSpec {
  const points = years.filter((y) => Number.isFinite(y.popularity)).map((y) => ({ x: y.year, y: y.popularity }))
  if (points.length === 0) return noDataSpec(text, reason)
  return lineSpec({ ...text, xTitle: 'Release year', yTitle: 'Mean popularity (0 to 100)', series: [{ name: 'Mean popularity', points }], points: false })
}

/** Mean of each 0-to-1 feature per year, one line each. */
export function featuresByYearSpec(years: readonly YearRow[], text: ChartText, reason = NO_YEARS): ChartSpec {
  if (years.length === 0) return noDataSpec(text, reason)
  const series: LineSeries[] = TREND_FEATURES.map((f) => ({ name: capital(f), points: years.map((y) => ({ x: y.year, y: y.features[f] })) }))
  return lineSpec({ ...text, xTitle: 'Release year', yTitle: 'Mean value (0 to 1)', series, points: false, yDomain: [0, 1] })
}

/** Decades by features: each cell the decade's mean, coloured 0 to 1, with popularity as a last column on its own scale. */
export function featuresByDecadeSpec(years: readonly YearRow[], text: ChartText, reason = NO_YEARS): ChartSpec {
  const decades = decadeRows(years)
  if (decades.length === 0) return noDataSpec(text, reason)
  const names = TREND_FEATURES.map(capital)
  const rows = decades.flatMap((d) => TREND_FEATURES.map((f, i) => ({ decade: `${d.year}s`, feature: names[i], value: d.features[f] })))
  const cell = 34
  return {
    $schema: SCHEMA,
    title: titleOf(text),
    width: cell * decades.length,
    height: cell * names.length,
    data: { values: rows },
    encoding: {
      x: { field: 'decade', type: 'ordinal', title: 'Decade', axis: { labelAngle: -40 } },
      y: { field: 'feature', type: 'nominal', title: null, sort: names },
    },
    layer: [
      {
        mark: { type: 'rect' },
        encoding: {
          color: { field: 'value', type: 'quantitative', title: 'Mean (0 to 1)', scale: { domain: [0, 1] } },
          tooltip: [
            { field: 'decade', type: 'ordinal', title: 'Decade' },
            { field: 'feature', type: 'nominal', title: 'Feature' },
            { field: 'value', type: 'quantitative', title: 'Mean', format: '.3f' },
          ],
        },
      },
      { mark: { type: 'text', fontSize: 9 }, encoding: { text: { field: 'value', type: 'quantitative', format: '.2f' } } },
    ],
  }
}
