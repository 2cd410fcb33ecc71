/**
 * Every named chart segue draws, for `segue chart <name>`, `GET /api/charts/<name>` and the report. Each entry
 * says what it shows and how it was computed (the report's caption) and builds its spec from the context.
 * Later work adds its own entries here (moods, training curves, models, listening).
 */
import { SegueError } from '../core/errors.js'
import { AUDIO_FEATURES, type AudioFeature, type Track } from '../core/track.js'
import { barSpec } from './bar.js'
import { correlationMatrix, correlationSpec } from './heatmap.js'
import { DEFAULT_BINS, facetedHistogramSpec, histogramSpec } from './histogram.js'
import type { ChartSpec } from './spec.js'
import { MOOD_CHARTS } from '../moods/charts.js'
import type { MoodChartData } from '../moods/chart-data.js'
import { INSIGHT_CHARTS, type ContextPart, type InsightContext } from './insight-charts.js'

/** What charts are drawn from. Entries read only what they need, so callers fill only what they have. */
export interface ChartContext extends InsightContext {
  /** The catalogue, as the engine loaded it: `(await engine.catalogue()).tracks`. */
  tracks: readonly Track[]
  /** The mood pictures' data (src/moods/chart-data.ts), for the moods-* charts. */
  moods?: MoodChartData
}

/** What a chart can be drawn from: the parts of InsightContext, or the server's saved song moods (`moods`). */
export type ChartPart = ContextPart | 'moods'

export interface ChartDef {
  title: string
  /** What the picture shows and how it was computed, in a sentence or two (the report's caption). */
  description: string
  build(ctx: ChartContext): ChartSpec
  /** The parts of the context the chart reads (default: only `tracks`), so a caller loads just those. */
  needs?: ChartPart[]
  /**
   * Where one track sits on this chart, in the fields of its x and y encodings (a cluster map: the track's
   * PC1 and PC2), so `GET /api/charts/<name>?highlight=<id>` can mark it; null when it cannot be placed.
   */
  locate?(ctx: ChartContext, trackId: string): { x: number; y: number } | null
}

/** The audio features that vary continuously, with the words and units people read them in. */
export const CONTINUOUS_FEATURES: Partial<Record<AudioFeature, string>> = {
  danceability: 'Danceability (0 to 1)',
  energy: 'Energy (0 to 1)',
  loudness: 'Loudness (dB)',
  speechiness: 'Speechiness (0 to 1)',
  acousticness: 'Acousticness (0 to 1)',
  instrumentalness: 'Instrumentalness (0 to 1)',
  liveness: 'Liveness (0 to 1)',
  valence: 'Valence: how positive it sounds (0 to 1)',
  tempo: 'Tempo (beats per minute)',
}

const KEY_NAMES = ['C', 'C♯/D♭', 'D', 'D♯/E♭', 'E', 'F', 'F♯/G♭', 'G', 'G♯/A♭', 'A', 'A♯/B♭', 'B']

/** One audio feature of every track, as a column. */
export function featureColumn(tracks: readonly Track[], feature: AudioFeature): Float64Array {
  const f = AUDIO_FEATURES.indexOf(feature)
  const out = new Float64Array(tracks.length)
  for (let i = 0; i < tracks.length; i++) out[i] = tracks[i].features[f]
  return out
}

function popularityColumn(tracks: readonly Track[]): Float64Array {
  const out = new Float64Array(tracks.length)
  for (let i = 0; i < tracks.length; i++) out[i] = tracks[i].popularity ?? NaN
  return out
}

function continuous(): [AudioFeature, string][] {
  return Object.entries(CONTINUOUS_FEATURES) as [AudioFeature, string][]
}

function capitalised(feature: string): string {
  return feature[0].toUpperCase() + feature.slice(1)
}

function distributionChart(feature: AudioFeature, label: string): ChartDef {
  const title = `${capitalised(feature)} of the catalogue's tracks`
  return {
    title,
    description: `How many tracks have each level of ${feature}: the catalogue's values binned into ${DEFAULT_BINS} equal-width bars between its lowest and highest value.`,
    build: ({ tracks }) => histogramSpec({ title, xTitle: label, series: [{ name: feature, values: featureColumn(tracks, feature) }] }),
  }
}

const featureDistributions: ChartDef = {
  title: 'Audio features of the catalogue',
  description: `One small histogram per continuous audio feature, each over its own range in ${DEFAULT_BINS} equal-width bars; bar height is the number of tracks.`,
  build: ({ tracks }) =>
    facetedHistogramSpec({
      title: 'Audio features of the catalogue',
      subtitle: `${tracks.length.toLocaleString('en-GB')} tracks`,
      panels: continuous().map(([f]) => ({ name: capitalised(f), values: featureColumn(tracks, f) })),
    }),
}

const featureCorrelation: ChartDef = {
  title: 'How audio features move together',
  description: "Pearson correlation between every pair of continuous audio features and popularity over the catalogue's tracks; 1 means they rise together, -1 that one falls as the other rises.",
  build: ({ tracks }) => {
    const features = continuous().map(([f]) => f)
    const columns = features.map((f) => featureColumn(tracks, f))
    const names = features.map(capitalised)
    const withPop = tracks.length > 0 && tracks.every((t) => t.popularity !== null)
    if (withPop) {
      columns.push(popularityColumn(tracks))
      names.push('Popularity')
    }
    return correlationSpec({ title: 'How audio features move together', subtitle: 'Pearson r', names, matrix: correlationMatrix(columns) })
  },
}

const explicitShare: ChartDef = {
  title: 'Share of explicit tracks',
  description: "Tracks marked explicit, not explicit, or not known, as a share of the catalogue's tracks.",
  build: ({ tracks }) => {
    const counts = { Explicit: 0, 'Not explicit': 0, 'Not known': 0 }
    for (const t of tracks) counts[t.explicit === null ? 'Not known' : t.explicit ? 'Explicit' : 'Not explicit']++
    const bars = Object.entries(counts)
      .filter(([c, n]) => c !== 'Not known' || n > 0)
      .map(([category, n]) => ({ category, value: tracks.length ? n / tracks.length : NaN }))
    return barSpec({ title: 'Share of explicit tracks', xTitle: 'Lyrics', yTitle: 'Share of tracks', format: '.1%', bars })
  },
}

const keysAndModes: ChartDef = {
  title: 'Keys and modes',
  description: 'Number of tracks in each musical key (as Spotify estimates it), major and minor side by side.',
  build: ({ tracks }) => {
    const key = AUDIO_FEATURES.indexOf('key')
    const mode = AUDIO_FEATURES.indexOf('mode')
    const counts = [new Array<number>(12).fill(0), new Array<number>(12).fill(0)]
    for (const t of tracks) {
      const k = Math.round(t.features[key])
      if (k >= 0 && k < 12) counts[t.features[mode] >= 0.5 ? 0 : 1][k]++
    }
    const bars = tracks.length
      ? KEY_NAMES.flatMap((category, k) => [{ category, group: 'Major', value: counts[0][k] }, { category, group: 'Minor', value: counts[1][k] }])
      : []
    return barSpec({ title: 'Keys and modes', xTitle: 'Key', yTitle: 'Tracks', groupTitle: 'Mode', bars })
  },
}

const modeShare: ChartDef = {
  title: 'Major and minor',
  description: "Share of the catalogue's tracks in a major and in a minor mode (as Spotify estimates it).",
  build: ({ tracks }) => {
    const mode = AUDIO_FEATURES.indexOf('mode')
    const major = tracks.filter((t) => t.features[mode] >= 0.5).length
    const n = tracks.length
    const bars = n ? [{ category: 'Major', value: major / n }, { category: 'Minor', value: (n - major) / n }] : []
    return barSpec({ title: 'Major and minor', xTitle: 'Mode', yTitle: 'Share of tracks', format: '.1%', bars })
  },
}

export const CHARTS: Record<string, ChartDef> = {
  'feature-distributions': featureDistributions,
  ...Object.fromEntries(continuous().map(([f, label]) => [`distribution-${f}`, distributionChart(f, label)])),
  'feature-correlation': featureCorrelation,
  'explicit-share': explicitShare,
  keys: keysAndModes,
  modes: modeShare,
  ...INSIGHT_CHARTS,
  ...MOOD_CHARTS,
}

/** The spec of the chart called `name`; E_NOT_FOUND naming the charts there are when there is none. */
export function buildChart(name: string, ctx: ChartContext): ChartSpec {
  const def = Object.hasOwn(CHARTS, name) ? CHARTS[name] : undefined
  if (!def) throw new SegueError('E_NOT_FOUND', `no chart '${name}'; charts: ${Object.keys(CHARTS).join(', ')}`)
  return def.build(ctx)
}
