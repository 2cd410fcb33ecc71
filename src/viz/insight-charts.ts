/**
 * Registry entries for time, artists, listening and models (issue 12), joined into CHARTS by charts.ts. Each reads
 * only the part of the context it needs; a part that was not loaded draws a chart that says what is missing.
 */
import type { ChartDef } from './charts.js'
import { longTailSpec, playlistLengthsSpec, popularityBiasSpec } from './listening.js'
import { metricsAtKSpec, precisionRecallSpec, tradeOffSpec, type ModelCurve } from './models.js'
import { communitySizesSpec, degreeSpec, drawnNetworkSpec, topCollaboratorsSpec } from './network-charts.js'
import { NETWORK_SEED } from './network.js'
import { barSpec } from './bar.js'
import { noDataSpec, type ChartSpec } from './spec.js'
import type { Track } from '../core/track.js'
import { featuresByDecadeSpec, featuresByYearSpec, MIN_TRACKS_PER_YEAR, NO_YEARS, popularityByYearSpec, TREND_FEATURES, yearRows, type YearRow } from './time.js'

/** One genre's published means (data_by_genres.csv). */
export interface GenreRow {
  genre: string
  popularity: number
}

/** Listening data reduced to what the charts draw. */
export interface ListeningSummary {
  /** Where it came from, for captions. */
  source: string
  /** What an item is: 'artist' (HetRec) or 'item'. */
  itemKind: 'artist' | 'item'
  /** Total plays (or events) per listener and per item. */
  playsPerUser: Float64Array
  playsPerItem: Float64Array
}

/** Models evaluated at several list lengths on one split (computed by src/report/model-runs.ts). */
export interface ModelEvaluation {
  /** How the split and lists were made, for captions ("random 20% of each listener's artists held out, seed 42"). */
  setup: string
  curves: ModelCurve[]
  /** Listeners per item in the training part (dense item ids). */
  trainCounts: Float64Array
  /** Per model, all items of its top-`k` lists at `biasK`. */
  recommended: { model: string; items: Int32Array }[]
  biasK: number
  /** The beyond-accuracy measures of `tradeOff`, in metric names ('coverage', 'genreDiversity'). */
  beyond: string[]
}

/** The parts of ChartContext these entries read; all optional. */
export interface InsightContext {
  yearAggregates?: readonly YearRow[]
  genreAggregates?: readonly GenreRow[]
  listening?: ListeningSummary
  /** Tracks per playlist (the MPD sample when present). */
  playlistLengths?: ArrayLike<number>
  models?: ModelEvaluation
}

/** What each part of the context needs, for callers that load only what a chart reads. */
export type ContextPart = 'tracks' | 'aggregates' | 'listening' | 'playlists' | 'models'

const NO_AGGREGATES = 'No year aggregates loaded (../shared/data/spotify-aggregates/data_by_year.csv)'
const NO_GENRE_AGGREGATES = 'No genre aggregates loaded (../shared/data/spotify-aggregates/data_by_genres.csv)'
const NO_LISTENING = 'No listening data loaded'
const NO_PLAYLISTS = 'No playlists loaded (the MPD sample at ../shared/data/spotify-mpd-sample)'
const NO_MODELS = 'No model evaluation run'

/** Genres listed in the aggregates' top-genres chart. */
const TOP_GENRES = 20
/** Metrics drawn against k, in panel order: accuracy first, then beyond accuracy. */
export const CURVE_METRICS = ['precision', 'recall', 'ndcg', 'map', 'mrr', 'hitRate', 'coverage', 'genreDiversity', 'novelty', 'popularityLift']

type Def = ChartDef & { needs: ContextPart[] }

const catalogueYearsCache = new WeakMap<object, YearRow[]>()
function catalogueYears(tracks: readonly Track[]): YearRow[] {
  const hit = catalogueYearsCache.get(tracks)
  if (hit) return hit
  const rows = yearRows(tracks)
  catalogueYearsCache.set(tracks, rows)
  return rows
}

/** Why a catalogue's trend chart is empty: no years at all, or too few tracks in every year. */
function noYearsReason(tracks: readonly Track[]): string {
  return tracks.some((t) => t.releaseYear !== null) ? `No release year has ${MIN_TRACKS_PER_YEAR} or more tracks to average` : NO_YEARS
}

const timeCharts: Record<string, Def> = {
  'popularity-by-year': {
    title: 'Popularity by release year',
    description: `Mean Spotify popularity (0 to 100) of the catalogue's tracks released each year, years with at least ${MIN_TRACKS_PER_YEAR} tracks. Catalogues without release years (the 114k layout) say so instead.`,
    needs: ['tracks'],
    build: ({ tracks }) => popularityByYearSpec(catalogueYears(tracks), { title: 'Popularity by release year' }, noYearsReason(tracks)),
  },
  'features-by-year': {
    title: 'Audio features by release year',
    description: `Mean of each 0-to-1 audio feature over the catalogue's tracks released each year (years with at least ${MIN_TRACKS_PER_YEAR} tracks).`,
    needs: ['tracks'],
    build: ({ tracks }) => featuresByYearSpec(catalogueYears(tracks), { title: 'Audio features by release year' }, noYearsReason(tracks)),
  },
  'features-by-decade': {
    title: 'Audio features by decade',
    description: "Mean of each 0-to-1 audio feature over the catalogue's tracks of each decade, weighted by tracks per year.",
    needs: ['tracks'],
    build: ({ tracks }) => featuresByDecadeSpec(catalogueYears(tracks), { title: 'Audio features by decade' }, noYearsReason(tracks)),
  },
  'aggregates-popularity-by-year': {
    title: 'Popularity by year, 1921-2020 aggregates',
    description: "Mean popularity per release year as published in the 'Spotify Dataset 1921-2020' year aggregates (data_by_year.csv, about 170k tracks), read as is.",
    needs: ['aggregates'],
    build: (ctx) => popularityByYearSpec(ctx.yearAggregates ?? [], { title: 'Popularity by year, 1921-2020 aggregates' }, NO_AGGREGATES),
  },
  'aggregates-features-by-year': {
    title: 'Audio features by year, 1921-2020 aggregates',
    description: `Published yearly means of ${TREND_FEATURES.join(', ')} (data_by_year.csv): acoustic recordings give way to energetic, danceable ones.`,
    needs: ['aggregates'],
    build: (ctx) => featuresByYearSpec(ctx.yearAggregates ?? [], { title: 'Audio features by year, 1921-2020 aggregates' }, NO_AGGREGATES),
  },
  'aggregates-features-by-decade': {
    title: 'Audio features by decade, 1921-2020 aggregates',
    description: 'The published yearly means (data_by_year.csv) averaged per decade, each year counting once.',
    needs: ['aggregates'],
    build: (ctx) => featuresByDecadeSpec(ctx.yearAggregates ?? [], { title: 'Audio features by decade, 1921-2020 aggregates' }, NO_AGGREGATES),
  },
  'aggregates-top-genres': {
    title: 'Most popular genres, 1921-2020 aggregates',
    description: `The ${TOP_GENRES} genres with the highest published mean popularity in data_by_genres.csv (2,973 genres).`,
    needs: ['aggregates'],
    build: (ctx) => {
      const title = 'Most popular genres, 1921-2020 aggregates'
      const rows = [...(ctx.genreAggregates ?? [])].filter((g) => Number.isFinite(g.popularity)).sort((a, b) => b.popularity - a.popularity).slice(0, TOP_GENRES)
      if (!ctx.genreAggregates) return noDataSpec({ title }, NO_GENRE_AGGREGATES)
      return barSpec({ title, xTitle: 'Genre', yTitle: 'Mean popularity (0 to 100)', horizontal: true, format: '.1f', bars: rows.map((g) => ({ category: g.genre, value: g.popularity })) })
    },
  },
}

const artistCharts: Record<string, Def> = {
  'artist-network': {
    title: 'Artist collaboration network',
    description: `Artists joined when a track credits both (line width: shared tracks). Drawn: the best-connected artists of the largest connected component, placed by ForceAtlas2 from seeded positions; colour is the Louvain community over the whole network, size the number of collaborators (seed ${NETWORK_SEED}).`,
    needs: ['tracks'],
    build: ({ tracks }) => drawnNetworkSpec(tracks, { title: 'Artist collaboration network' }),
  },
  'artist-degrees': {
    title: 'Collaborators per artist',
    description: 'How many artists have each number of collaborators (artists sharing at least one track), both axes logarithmic; artists who never share a track are left out.',
    needs: ['tracks'],
    build: ({ tracks }) => degreeSpec(tracks, { title: 'Collaborators per artist' }),
  },
  'artist-communities': {
    title: 'Largest artist communities',
    description: `Artists in the largest communities Louvain finds in the collaboration network (edges weighted by shared tracks, seed ${NETWORK_SEED}).`,
    needs: ['tracks'],
    build: ({ tracks }) => communitySizesSpec(tracks, { title: 'Largest artist communities' }),
  },
  'top-collaborators': {
    title: 'Artists with the most collaborators',
    description: 'Artists by the number of other artists credited with them on at least one track of the catalogue.',
    needs: ['tracks'],
    build: ({ tracks }) => topCollaboratorsSpec(tracks, { title: 'Artists with the most collaborators' }),
  },
}

function needModels(title: string, build: (m: ModelEvaluation) => ChartSpec) {
  return (ctx: InsightContext) => (ctx.models ? build(ctx.models) : noDataSpec({ title }, NO_MODELS))
}

const listeningCharts: Record<string, Def> = {
  'plays-long-tail': {
    title: 'Plays per listener and per item',
    description: 'Total plays of each listener and of each item (artist for Last.fm), sorted from most to least and drawn against rank on log-log axes: a long tail shows as a slow fall over many ranks. Ranks are read at 120 points spaced evenly on the log axis.',
    needs: ['listening'],
    build: (ctx) => {
      const title = 'Plays per listener and per item'
      const l = ctx.listening
      if (!l) return noDataSpec({ title }, NO_LISTENING)
      const item = l.itemKind === 'artist' ? 'Artists' : 'Items'
      return longTailSpec([{ name: 'Listeners', values: l.playsPerUser }, { name: item, values: l.playsPerItem }], { title })
    },
  },
  'playlist-lengths': {
    title: 'Playlist lengths',
    description: 'How many playlists have each number of tracks, binned in 40 equal-width bars (the MPD sample, when present).',
    needs: ['playlists'],
    build: (ctx) => (ctx.playlistLengths ? playlistLengthsSpec(ctx.playlistLengths, { title: 'Playlist lengths' }) : noDataSpec({ title: 'Playlist lengths' }, NO_PLAYLISTS)),
  },
  'popularity-bias': {
    title: 'Popularity bias of each model',
    description: 'Items are grouped by how many listeners they have in the training data (top 1%, next 9%, next 40%, bottom half). Bars give the share of the data\'s listening (user-item pairs) and of each model\'s recommended slots that fall in each group: a model biased to hits puts far more than the data\'s share on the top 1%.',
    needs: ['models'],
    build: needModels('Popularity bias of each model', (m) =>
      popularityBiasSpec({ title: 'Popularity bias of each model', subtitle: `top-${m.biasK} lists · ${m.setup}`, counts: m.trainCounts, recommended: m.recommended }),
    ),
  },
}

const modelCharts: Record<string, Def> = {
  'metrics-at-k': {
    title: 'Every metric against k',
    description: 'Each evaluation metric (src/eval/metrics.ts) for each model at several list lengths k, each panel with its own y axis; the model is fitted once and its top-k lists are cut at each k.',
    needs: ['models'],
    build: needModels('Every metric against k', (m) => metricsAtKSpec(m.curves, CURVE_METRICS, { title: 'Every metric against k', subtitle: m.setup })),
  },
  'precision-recall': {
    title: 'Precision against recall',
    description: 'Precision@k against recall@k for each model, one point per list length k, joined in order of k: longer lists find more of what listeners held out (recall) at lower precision.',
    needs: ['models'],
    build: needModels('Precision against recall', (m) => precisionRecallSpec(m.curves, { title: 'Precision against recall', subtitle: m.setup })),
  },
  'accuracy-trade-offs': {
    title: 'Accuracy against coverage and diversity',
    description: 'NDCG@10 of each model against its catalogue coverage (share of items recommended to anyone) and against the diversity of its lists, at k = 10.',
    needs: ['models'],
    build: needModels('Accuracy against coverage and diversity', (m) => {
      const k = 10
      const points = m.curves.map((c) => {
        const at = c.points.find((p) => p.k === k)?.metrics ?? {}
        return { model: c.model, accuracy: at.ndcg ?? NaN, against: Object.fromEntries(m.beyond.map((b) => [labelOf(b), at[b] ?? NaN])) }
      })
      return tradeOffSpec(points, 'NDCG@10', { title: 'Accuracy against coverage and diversity', subtitle: m.setup })
    }),
  },
}

function labelOf(metric: string): string {
  return { coverage: 'Catalogue coverage', genreDiversity: 'Tag diversity of lists', novelty: 'Novelty (bits)' }[metric] ?? metric
}

/** The entries of this file, for CHARTS. */
export const INSIGHT_CHARTS: Record<string, Def> = { ...timeCharts, ...artistCharts, ...listeningCharts, ...modelCharts }
