/**
 * Listening data: plays per listener and per item as long tails (rank against plays, both axes logarithmic),
 * playlist lengths, and the popularity bias of each model's recommendations against the data's own.
 */
import { barSpec } from './bar.js'
import { histogramSpec } from './histogram.js'
import { noDataSpec, round, SCHEMA, titleOf, WIDTH, HEIGHT, type ChartSpec, type ChartText } from './spec.js'

/** Points kept per long tail: ranks spaced evenly on the log axis, so 17k items draw as a smooth line. */
export const TAIL_POINTS = 120

export interface TailSeries {
  name: string
  /** One value per listener or item (plays), in any order; values <= 0 are left out (log scale). */
  values: ArrayLike<number>
}

export interface TailRow {
  series: string
  rank: number
  plays: number
}

/** Values sorted from most to least, read at up to `points` ranks spaced evenly in log(rank), first and last included. */
export function tailRows(series: readonly TailSeries[], points = TAIL_POINTS): TailRow[] {
  return series.flatMap((s) => {
    const sorted = Float64Array.from(s.values).filter((v) => v > 0 && Number.isFinite(v)).sort().reverse()
    return logRanks(sorted.length, points).map((rank) => ({ series: s.name, rank, plays: round(sorted[rank - 1], 3) }))
  })
}

/** Distinct whole ranks 1..n spaced evenly in log(rank), at most `points` of them. */
export function logRanks(n: number, points: number): number[] {
  if (n === 0) return []
  const out = new Set<number>([1, n])
  for (let i = 0; i < points - 2; i++) out.add(Math.round(Math.exp((Math.log(n) * (i + 1)) / (points - 1))))
  return [...out].sort((a, b) => a - b)
}

export function longTailSpec(series: readonly TailSeries[], text: ChartText & { xTitle?: string; yTitle?: string }): ChartSpec {
  const rows = tailRows(series)
  if (rows.length === 0) return noDataSpec(text)
  const log = { type: 'log' as const }
  return {
    $schema: SCHEMA,
    title: titleOf(text),
    width: WIDTH,
    height: HEIGHT,
    data: { values: rows },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: { field: 'rank', type: 'quantitative', title: text.xTitle ?? 'Rank, most played first (log scale)', scale: log },
      y: { field: 'plays', type: 'quantitative', title: text.yTitle ?? 'Plays (log scale)', scale: log },
      color: { field: 'series', type: 'nominal', title: null },
      tooltip: [
        { field: 'series', type: 'nominal', title: 'Of' },
        { field: 'rank', type: 'quantitative', title: 'Rank', format: ',' },
        { field: 'plays', type: 'quantitative', title: 'Plays', format: ',' },
      ],
    },
  }
}

/** Playlist lengths, binned. */
export function playlistLengthsSpec(lengths: ArrayLike<number>, text: ChartText): ChartSpec {
  return histogramSpec({ ...text, xTitle: 'Tracks in the playlist', yTitle: 'Playlists', series: [{ name: 'length', values: lengths }] })
}

/**
 * Popularity groups of items by their rank in the training data (most listened-to first): the share of items
 * each group holds. Chosen so the head is small and the tail is half the catalogue, as in popularity-bias studies.
 */
export const POPULARITY_GROUPS = [
  { name: 'Top 1%', upTo: 0.01 },
  { name: '1-10%', upTo: 0.1 },
  { name: '10-50%', upTo: 0.5 },
  { name: 'Bottom 50%', upTo: 1 },
] as const

/** Each item's popularity group (index into POPULARITY_GROUPS) from its listener count; ties keep item order. */
export function popularityGroups(counts: ArrayLike<number>): Uint8Array {
  const n = counts.length
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => counts[b] - counts[a] || a - b)
  const group = new Uint8Array(n)
  order.forEach((item, rank) => {
    group[item] = POPULARITY_GROUPS.findIndex((g) => rank < Math.ceil(g.upTo * n))
  })
  return group
}

export interface BiasInput extends ChartText {
  /** Listeners per item in the training data (dense item ids). */
  counts: ArrayLike<number>
  /** Per model, every recommended item of every test user's list (dense ids, repeats kept). */
  recommended: readonly { model: string; items: ArrayLike<number> }[]
}

/**
 * Share of the data's listening (one per user-item pair) and of each model's recommended slots that falls on
 * each popularity group: a model biased towards hits puts far more than the data's share on the top 1%.
 */
export function popularityBiasSpec(input: BiasInput): ChartSpec {
  if (input.counts.length === 0) return noDataSpec(input)
  const group = popularityGroups(input.counts)
  const dataShares = new Float64Array(POPULARITY_GROUPS.length)
  for (let i = 0; i < input.counts.length; i++) dataShares[group[i]] += input.counts[i]
  const bars = sharesOf('Listening data', dataShares)
  for (const r of input.recommended) {
    const slots = new Float64Array(POPULARITY_GROUPS.length)
    for (let i = 0; i < r.items.length; i++) slots[group[r.items[i]]]++
    bars.push(...sharesOf(r.model, slots))
  }
  return barSpec({ ...input, xTitle: 'Items by popularity in the training data', yTitle: 'Share of plays or recommendations', groupTitle: 'Of', format: '.1%', bars })
}

function sharesOf(name: string, totals: Float64Array) {
  const sum = totals.reduce((a, b) => a + b, 0)
  return POPULARITY_GROUPS.map((g, i) => ({ category: g.name, group: name, value: sum ? totals[i] / sum : NaN }))
}
