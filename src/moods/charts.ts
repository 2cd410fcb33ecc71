/**
 * The mood pictures on the project's chart layer (src/viz): the k-means scatter on two principal components,
 * the elbow and silhouette curves, confusion matrices of the song and listener models, and per-mood feature
 * distributions. Each is a Vega-Lite spec built from MoodChartData (chart-data.ts); `segue moods report --out`
 * writes them as SVG and PNG, and the CHARTS registry (viz/charts.ts) serves them by name.
 */
import type { ChartContext, ChartDef, ChartPart } from '../viz/charts.js'
import { featureIndex } from './features.js'
import { confusionSpec } from '../viz/heatmap.js'
import { lineSpec } from '../viz/line.js'
import { scatterSpec } from '../viz/scatter.js'
import { noDataSpec, round, SCHEMA, titleOf, type ChartSpec } from '../viz/spec.js'
import { moodScale } from '../viz/theme.js'
import type { MoodChartData } from './chart-data.js'

const pct = (x: number) => `${(x * 100).toFixed(1)}%`

export function moodScatterSpec(d: MoodChartData): ChartSpec {
  const [v1, v2] = d.scatter.explainedVariance
  return scatterSpec({
    title: 'Song moods on the first two principal components',
    subtitle: `k-means (k = ${d.chosenK}) moods of the catalogue; PC1 ${pct(v1)}, PC2 ${pct(v2)} of the variance of the standardised features`,
    xTitle: 'PC1',
    yTitle: 'PC2',
    categoryTitle: 'Mood',
    points: d.scatter.points.map((p) => ({ x: p.pc1, y: p.pc2, category: p.mood })),
    colorScale: moodScale(),
  })
}

export function elbowSpec(d: MoodChartData): ChartSpec {
  return lineSpec({
    title: 'k-means elbow: within-cluster sum of squares',
    subtitle: `knee at k = ${d.elbowK}; k = ${d.chosenK} chosen by silhouette`,
    xTitle: 'Clusters (k)',
    yTitle: 'Inertia',
    series: [{ name: 'Inertia', points: d.elbow.map((e) => ({ x: e.k, y: e.inertia })) }],
  })
}

export function silhouetteSpec(d: MoodChartData): ChartSpec {
  return lineSpec({
    title: 'k-means silhouette',
    subtitle: `mean silhouette on a seeded sample; k = ${d.chosenK} is the best with at least four clusters`,
    xTitle: 'Clusters (k)',
    yTitle: 'Mean silhouette',
    series: [{ name: 'Silhouette', points: d.silhouette.map((e) => ({ x: e.k, y: e.silhouette })) }],
  })
}

/** One confusion matrix of MoodChartData.confusions (song model CV, k-means vs labels, one per listener mood). */
export function moodConfusionSpec(d: MoodChartData, index: number): ChartSpec {
  const c = d.confusions[index]
  if (!c) return noDataSpec({ title: 'Confusion matrix' }, 'No labelled tracks or survey to measure against')
  return confusionSpec({ title: capitalise(c.title), labels: c.labels, counts: c.counts })
}

/** Per feature, each mood's share of its tracks per bin (lines on shared bins), one small panel per feature. */
export function distributionsSpec(d: MoodChartData): ChartSpec {
  const rows = d.distributions.flatMap((h) => {
    const total = h.count.reduce((a, b) => a + b, 0)
    const width = h.binStart.length > 1 ? h.binStart[1] - h.binStart[0] : 1
    return h.count.map((c, b) => ({ feature: h.feature, mood: h.mood, mid: round(h.binStart[b] + width / 2, 6), share: total ? round(c / total, 6) : 0 }))
  })
  const title = { title: 'Audio features by mood', subtitle: "each mood's tracks (their most likely mood) as a share per bin" }
  if (rows.length === 0) return noDataSpec(title)
  return {
    $schema: SCHEMA,
    title: titleOf(title),
    data: { values: rows },
    columns: 3,
    facet: { field: 'feature', type: 'nominal', title: null, sort: [...new Set(rows.map((r) => r.feature))] },
    spec: {
      width: 180,
      height: 110,
      mark: { type: 'line', interpolate: 'step' },
      encoding: {
        x: { field: 'mid', type: 'quantitative', title: null },
        y: { field: 'share', type: 'quantitative', title: 'Share', axis: { format: '.0%' } },
        color: { field: 'mood', type: 'nominal', title: 'Mood', scale: moodScale() },
      },
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
  }
}

function capitalise(s: string): string {
  return s[0].toUpperCase() + s.slice(1)
}

/** Every mood picture by file name, as `moods report --out` writes them. */
export function moodChartSpecs(d: MoodChartData): Record<string, ChartSpec> {
  const out: Record<string, ChartSpec> = {
    'moods-scatter': moodScatterSpec(d),
    'moods-elbow': elbowSpec(d),
    'moods-silhouette': silhouetteSpec(d),
    'moods-distributions': distributionsSpec(d),
  }
  d.confusions.forEach((c, i) => { out[`moods-confusion-${slug(c.title)}`] = moodConfusionSpec(d, i) })
  return out
}

function slug(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')
}

const needsData = (title: string, build: (d: MoodChartData) => ChartSpec) => (ctx: { moods?: MoodChartData }) =>
  ctx.moods ? build(ctx.moods) : noDataSpec({ title }, 'No mood data: the song moods of this catalogue are not built yet (segue moods report, or start the server)')

/** What the mood charts are drawn from: the catalogue and its saved song moods (loadChartContext reads them). */
const MOOD_NEEDS: ChartPart[] = ['tracks', 'moods']

/** Where a catalogue track sits on the PC1/PC2 scatter, by the scatter's projection; null when it cannot be placed. */
export function locateOnScatter(ctx: ChartContext, trackId: string): { x: number; y: number } | null {
  const p = ctx.moods?.scatter.projection
  const t = p && ctx.tracks.find((x) => x.id === trackId)
  if (!p || !t) return null
  let x = 0
  let y = 0
  p.features.forEach((f, j) => {
    const z = (t.features[featureIndex(f)] - p.mean[j]) / p.sd[j]
    x += z * p.pc1[j]
    y += z * p.pc2[j]
  })
  return { x: round(x), y: round(y) }
}

/** The mood charts for the CHARTS registry (src/viz/charts.ts); they read `ctx.moods`. */
export const MOOD_CHARTS: Record<string, ChartDef> = {
  'moods-scatter': {
    title: 'Song moods on two principal components',
    description: 'A seeded sample of catalogue tracks on the first two principal components of the standardised mood features, coloured by their most likely mood.',
    build: needsData('Song moods on two principal components', moodScatterSpec),
    locate: locateOnScatter,
    needs: MOOD_NEEDS,
  },
  'moods-elbow': {
    title: 'k-means elbow',
    description: 'Within-cluster sum of squares of k-means on the standardised mood features for k = 2..10; the knee is where adding clusters stops paying.',
    build: needsData('k-means elbow', elbowSpec),
    needs: MOOD_NEEDS,
  },
  'moods-silhouette': {
    title: 'k-means silhouette',
    description: 'Mean silhouette of the k-means clusters on a seeded sample of 2,000 tracks for k = 2..10; the best k with at least four clusters is used.',
    build: needsData('k-means silhouette', silhouetteSpec),
    needs: MOOD_NEEDS,
  },
  'moods-confusion-song': {
    title: 'Song-mood model: confusion matrix',
    description: 'True mood of the labelled tracks against the classifier\'s out-of-fold prediction (5-fold stratified CV).',
    build: needsData('Song-mood model: confusion matrix', (d) => moodConfusionSpec(d, 0)),
    needs: MOOD_NEEDS,
  },
  'moods-distributions': {
    title: 'Audio features by mood',
    description: "Per audio feature, each mood's tracks as a share per bin over the catalogue's range of the feature.",
    build: needsData('Audio features by mood', distributionsSpec),
    needs: MOOD_NEEDS,
  },
}
