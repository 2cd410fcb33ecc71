// Cost of the chart layer (issue 12 asks one chart to SVG in <= 200 ms): for each catalogue chart over the
// bundled 114k catalogue, building its spec from the tracks, rendering it to SVG (vega headless) and the SVG to
// PNG (resvg, bundled fonts), plus a 5,000-point scatter (the sampling cap). Figures are medians over ROUNDS
// after one warm-up round (which also pays for loading vega and resvg, reported apart as firstSvgMs). svgCpuMs is
// the process's CPU time per SVG render: on a shared, overloaded machine wall time mostly measures waiting for a
// core, CPU time what the render itself costs.
// Environment: BENCH_ROUNDS (default 20).
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { packageRoot } from '../src/core/paths.js'
import { readCatalogue } from '../src/data/read-catalogue.js'
import { CHARTS, featureColumn } from '../src/viz/charts.js'
import { toPng, toSvg } from '../src/viz/render.js'
import { scatterSpec } from '../src/viz/scatter.js'
import type { ChartSpec } from '../src/viz/spec.js'
import { median, report, type Row } from './lib/report.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20)
/** One chart to SVG, the bound. */
const SVG_BOUND_MS = 200

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
  let spec!: ChartSpec
  let svg = ''
  let png = 0
  for (let r = 0; r <= ROUNDS; r++) {
    const b = await ms(() => (spec = build()))
    let s = 0
    const c = await cpuMs(async () => (s = await ms(async () => (svg = await toSvg(spec)))))
    const p = await ms(async () => (png = (await toPng(svg)).length))
    if (r === 0) continue // warm-up
    buildMs.push(b)
    svgMs.push(s)
    svgCpu.push(c)
    pngMs.push(p)
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
  report('viz', rows, { tracks: tracks.length, rounds: ROUNDS, firstSvgMs: +firstSvgMs.toFixed(0), svgBoundMs: SVG_BOUND_MS, loadAverage1m: +loadavg()[0].toFixed(1) })
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
