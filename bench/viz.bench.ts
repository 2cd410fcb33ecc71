// Cost of the chart layer (issue 12 asks one chart to SVG in <= 200 ms): for each catalogue chart over the
// bundled 114k catalogue, building its spec from the tracks, rendering it to SVG (vega headless) and the SVG to
// PNG (resvg, bundled fonts), plus a 5,000-point scatter (the sampling cap). Figures are medians over ROUNDS
// after one warm-up round (which also pays for loading vega and resvg, reported apart as firstSvgMs). svgCpuMs is
// the process's CPU time per SVG render: on a shared, overloaded machine wall time mostly measures waiting for a
// core, CPU time what the render itself costs.
// The new charts (time, artist network, listening, models) are timed the same way over the context the report
// loads, and the whole report (`segue report` without --png: load everything, fit the models, draw every chart)
// is timed once, wall and CPU, against the 20 s budget. pngCachedMs is a second PNG of the same SVG.
// Environment: BENCH_ROUNDS (default 20), VIZ_REPORT=0 to skip the report.
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { packageRoot } from '../src/core/paths.js'
import { readCatalogue } from '../src/data/read-catalogue.js'
import { CHARTS, featureColumn, type ChartContext } from '../src/viz/charts.js'
import { clearPngCache, toPng, toSvg } from '../src/viz/render.js'
import { loadChartContext } from '../src/report/context.js'
import { reportNeeds, writeReport } from '../src/report/html-report.js'
import { mkdtempSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { scatterSpec } from '../src/viz/scatter.js'
import type { ChartSpec } from '../src/viz/spec.js'
import { median, report, type Row } from './lib/report.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20)
/** One chart to SVG, the bound. */
const SVG_BOUND_MS = 200
/** The whole report, the bound. */
const REPORT_BOUND_S = 20

async function ms(fn: () => unknown): Promise<number> {
  const t = performance.now()
  await fn()
  return performance.now() - t
}

/** CPU milliseconds (user + system, all threads) that fn takes. */
async function cpuMs(fn: () => unknown): Promise<number> {
  const c = process.cpuUsage()
  await fn()
  const d = process.cpuUsage(c)
  return (d.user + d.system) / 1000
}

async function timeChart(name: string, build: () => ChartSpec): Promise<Row> {
  const buildMs: number[] = []
  const svgMs: number[] = []
  const svgCpu: number[] = []
  const pngMs: number[] = []
  const pngCached: number[] = []
  let spec!: ChartSpec
  let svg = ''
  let png = 0
  for (let r = 0; r <= ROUNDS; r++) {
    const b = await ms(() => (spec = build()))
    let s = 0
    const c = await cpuMs(async () => (s = await ms(async () => (svg = await toSvg(spec)))))
    clearPngCache()
    const p = await ms(async () => (png = (await toPng(svg)).length))
    const pc = await ms(() => toPng(svg))
    if (r === 0) continue // warm-up
    buildMs.push(b)
    svgMs.push(s)
    svgCpu.push(c)
    pngMs.push(p)
    pngCached.push(pc)
  }
  const svgMedian = median(svgMs)
  return {
    chart: name,
    specKB: +(JSON.stringify(spec).length / 1024).toFixed(1),
    buildMs: +median(buildMs).toFixed(1),
    svgMs: +svgMedian.toFixed(1),
    svgMaxMs: +Math.max(...svgMs).toFixed(1),
    svgCpuMs: +median(svgCpu).toFixed(1),
    pngMs: +median(pngMs).toFixed(1),
    pngCachedMs: +median(pngCached).toFixed(2),
    svgKB: +(svg.length / 1024).toFixed(1),
    pngKB: +(png / 1024).toFixed(1),
    withinBound: svgMedian <= SVG_BOUND_MS,
  }
}

async function main(): Promise<void> {
  const { tracks } = await readCatalogue(join(packageRoot(), 'data', 'spotify-tracks-114k', 'dataset.csv.gz'))
  const firstSvgMs = await ms(() => toSvg(CHARTS['modes'].build({ tracks })))
  const rows: Row[] = []
  const named = ['feature-distributions', 'distribution-danceability', 'feature-correlation', 'explicit-share', 'keys', 'modes']
  for (const name of named) rows.push(await timeChart(name, () => CHARTS[name].build({ tracks })))
  const energy = featureColumn(tracks, 'energy')
  const valence = featureColumn(tracks, 'valence')
  const moods = ['Happy', 'Energetic', 'Calm', 'Sad']
  const points = Array.from(energy, (x, i) => ({ x, y: valence[i], category: moods[(x > 0.5 ? 1 : 0) + (valence[i] > 0.5 ? 0 : 2)] }))
  rows.push(await timeChart('scatter-5000-of-114k', () => scatterSpec({ title: 'Energy and valence', xTitle: 'Energy', yTitle: 'Valence', categoryTitle: 'Mood', points })))
  const { ctx } = await loadChartContext(new Set(['aggregates', 'listening', 'playlists', 'models']), { tracks })
  const networkMs = await ms(() => CHARTS['artist-network'].build(ctx)) // first build pays for the network (cached after)
  for (const name of NEW_CHARTS) rows.push(await timeChart(name, () => CHARTS[name].build(ctx)))
  const reportRun = process.env.VIZ_REPORT === '0' ? {} : await timeReport()
  report('viz', rows, { tracks: tracks.length, rounds: ROUNDS, firstSvgMs: +firstSvgMs.toFixed(0), networkFirstBuildMs: +networkMs.toFixed(0), svgBoundMs: SVG_BOUND_MS, ...reportRun, loadAverage1m: +loadavg()[0].toFixed(1) })
}

/** New charts timed over the report's context: one of each kind. */
const NEW_CHARTS = ['artist-network', 'artist-degrees', 'aggregates-features-by-year', 'features-by-decade', 'plays-long-tail', 'popularity-bias', 'metrics-at-k', 'precision-recall']

/** `segue report` in this process, from reading the files to the written HTML: wall and CPU seconds. */
async function timeReport(): Promise<Record<string, number | boolean>> {
  const out = join(mkdtempSync(join(tmpdir(), 'segue-bench-report-')), 'report.html')
  const cpu = process.cpuUsage()
  const t0 = performance.now()
  const { ctx, sources } = await loadChartContext(reportNeeds())
  const loadS = (performance.now() - t0) / 1000
  const result = await writeReport(out, ctx as ChartContext, sources)
  const wallS = (performance.now() - t0) / 1000
  const c = process.cpuUsage(cpu)
  return {
    reportWallS: +wallS.toFixed(2),
    reportCpuS: +((c.user + c.system) / 1e6).toFixed(2),
    reportLoadS: +loadS.toFixed(2),
    reportDrawS: +(wallS - loadS).toFixed(2),
    reportCharts: result.charts,
    reportKB: Math.round(result.bytes / 1024),
    reportWithinBound: wallS <= REPORT_BOUND_S,
    cliReportWallS: +cliReportSeconds().toFixed(2),
  }
}

/** The same report as a user runs it: a fresh `segue report` process (pays for loading vega and the models too). */
function cliReportSeconds(): number {
  const home = mkdtempSync(join(tmpdir(), 'segue-bench-home-'))
  const t0 = performance.now()
  const r = spawnSync(process.execPath, [join(packageRoot(), 'dist', 'src', 'cli', 'main.js'), '--home', home, '--no-progress', 'report', '--out', join(home, 'r.html')], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`segue report failed: ${r.stderr}`)
  return (performance.now() - t0) / 1000
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
