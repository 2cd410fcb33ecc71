/**
 * The self-contained HTML report: every chart of the registry as inline SVG in the light theme, each with its
 * caption (what it shows and how it was computed), plus tables of the numbers behind them. No scripts, no
 * external files: one file that opens anywhere and prints.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { ProgressFn } from '../core/progress.js'
import { CHARTS, type ChartContext } from '../viz/charts.js'
import type { ChartPart } from '../viz/charts.js'
import { artistNetwork, topCollaborators } from '../viz/network.js'
import { toPng, toSvg, writeAtomic } from '../viz/render.js'
import type { ContextSources } from './context.js'

/** Report sections in order, each the chart names it shows. Charts of the registry not listed here go last. */
export const SECTIONS: { title: string; intro: string; charts: string[] }[] = [
  {
    title: 'Catalogue',
    intro: "The catalogue's tracks and their audio features as Spotify's Web API describes them.",
    charts: ['feature-distributions', 'feature-correlation', 'explicit-share', 'keys', 'modes'],
  },
  {
    title: 'Time',
    intro: 'Popularity and sound by release year, from the catalogue where it carries years, and from the published 1921-2020 aggregates.',
    charts: ['popularity-by-year', 'features-by-year', 'features-by-decade', 'aggregates-popularity-by-year', 'aggregates-features-by-year', 'aggregates-features-by-decade', 'aggregates-top-genres'],
  },
  {
    title: 'Artists',
    intro: 'Who works with whom: artists credited together on a track.',
    charts: ['artist-network', 'artist-degrees', 'artist-communities', 'top-collaborators'],
  },
  { title: 'Listening', intro: 'How plays spread over listeners and items, and over playlists.', charts: ['plays-long-tail', 'playlist-lengths', 'popularity-bias'] },
  { title: 'Models', intro: 'The recommenders compared on held-out listening.', charts: ['metrics-at-k', 'precision-recall', 'accuracy-trade-offs'] },
]

/** Single-feature histograms are in the report as the faceted one; listing each again would add nine near-copies. */
const LEFT_OUT = /^distribution-/

/** The charts the report draws, in order. */
export function reportCharts(): string[] {
  const listed = SECTIONS.flatMap((s) => s.charts)
  const rest = Object.keys(CHARTS).filter((n) => !listed.includes(n) && !LEFT_OUT.test(n))
  return [...listed.filter((n) => Object.hasOwn(CHARTS, n)), ...rest]
}

/** Every context part the report's charts read. */
export function reportNeeds(): Set<ChartPart> {
  return new Set(reportCharts().flatMap((n) => CHARTS[n].needs ?? ['tracks']))
}

export interface ReportOptions {
  /** Also write each chart as <dir>/<name>.png. */
  pngDir?: string
  onProgress?: ProgressFn
  signal?: AbortSignal
}

export interface ReportResult {
  charts: number
  bytes: number
  pngs: number
  seconds: { draw: number }
}

interface Drawn {
  name: string
  svg: string
}

/** Draws every report chart and writes the HTML to `out` atomically (and PNGs to pngDir when asked). */
export async function writeReport(out: string, ctx: ChartContext, sources: ContextSources, opts: ReportOptions = {}): Promise<ReportResult> {
  const started = performance.now()
  const names = reportCharts()
  const drawn: Drawn[] = []
  if (opts.pngDir) await mkdir(opts.pngDir, { recursive: true })
  for (const [i, name] of names.entries()) {
    opts.signal?.throwIfAborted()
    const svg = await toSvg(CHARTS[name].build(ctx))
    drawn.push({ name, svg })
    if (opts.pngDir) await writeAtomic(join(opts.pngDir, `${name}.png`), await toPng(svg))
    opts.onProgress?.({ phase: 'draw charts', done: i + 1, total: names.length })
  }
  const html = reportHtml(drawn, ctx, sources)
  await writeAtomic(out, html)
  return { charts: drawn.length, bytes: Buffer.byteLength(html), pngs: opts.pngDir ? drawn.length : 0, seconds: { draw: (performance.now() - started) / 1000 } }
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}

/** Prefixes ids inside one SVG, so several inline SVGs in a page cannot refer to each other's clip paths. */
export function scopeSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, `id="${prefix}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${prefix}-$1"`)
}

function figure(d: Drawn): string {
  const def = CHARTS[d.name]
  return `<figure id="${d.name}">\n${scopeSvgIds(d.svg, d.name)}\n<figcaption><b>${escapeHtml(def.title)}.</b> ${escapeHtml(def.description)} <code>segue chart ${d.name}</code></figcaption>\n</figure>`
}

function reportHtml(drawn: readonly Drawn[], ctx: ChartContext, sources: ContextSources): string {
  const byName = new Map(drawn.map((d) => [d.name, d]))
  const placed = new Set<string>()
  const sections = SECTIONS.map((s) => {
    const figs = s.charts.filter((n) => byName.has(n)).map((n) => (placed.add(n), figure(byName.get(n)!)))
    return `<section id="${s.title.toLowerCase()}">\n<h2>${escapeHtml(s.title)}</h2>\n<p>${escapeHtml(s.intro)}</p>\n${tablesFor(s.title, ctx)}\n${figs.join('\n')}\n</section>`
  })
  const rest = drawn.filter((d) => !placed.has(d.name))
  if (rest.length) sections.push(`<section id="more">\n<h2>More</h2>\n${rest.map(figure).join('\n')}\n</section>`)
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>segue report</title>
<style>${STYLE}</style>
</head>
<body>
<h1>segue report</h1>
<p class="meta">Generated ${escapeHtml(new Date().toISOString())} by <code>segue report</code>. ${sourcesLine(sources, ctx)}</p>
<nav>${SECTIONS.map((s) => `<a href="#${s.title.toLowerCase()}">${escapeHtml(s.title)}</a>`).join(' · ')}</nav>
${sections.join('\n')}
</body>
</html>
`
}

function sourcesLine(sources: ContextSources, ctx: ChartContext): string {
  const parts = [
    `Catalogue: ${ctx.tracks.length.toLocaleString('en-GB')} tracks${sources.catalogue ? ` from <code>${escapeHtml(sources.catalogue)}</code>` : ' from the store'}.`,
    sources.listening ? `Listening: <code>${escapeHtml(sources.listening)}</code>.` : '',
    sources.aggregates ? `Aggregates: <code>${escapeHtml(sources.aggregates)}</code>.` : 'Year and genre aggregates: not found.',
    sources.playlists ? `Playlists: <code>${escapeHtml(sources.playlists)}</code>.` : 'Playlists: the MPD sample was not found.',
  ]
  return parts.filter(Boolean).join(' ')
}

function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cell = (v: string | number, tag: string) => `<${tag}${typeof v === 'number' ? ' class="num"' : ''}>${escapeHtml(typeof v === 'number' ? fmt(v) : v)}</${tag}>`
  return `<table>\n<tr>${header.map((h) => cell(h, 'th')).join('')}</tr>\n${rows.map((r) => `<tr>${r.map((v) => cell(v, 'td')).join('')}</tr>`).join('\n')}\n</table>`
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return '-'
  return Number.isInteger(v) ? v.toLocaleString('en-GB') : v.toFixed(4)
}

/** Tables shown at the head of a section. */
function tablesFor(section: string, ctx: ChartContext): string {
  if (section === 'Catalogue') return catalogueTable(ctx)
  if (section === 'Artists' && ctx.tracks.length) return networkTables(ctx)
  if (section === 'Models' && ctx.models) return modelTable(ctx)
  return ''
}

function catalogueTable(ctx: ChartContext): string {
  const artists = new Set(ctx.tracks.flatMap((t) => t.artists)).size
  const genres = new Set(ctx.tracks.flatMap((t) => t.genres)).size
  const years = ctx.tracks.filter((t) => t.releaseYear !== null).length
  return table(['tracks', 'artists', 'genres', 'tracks with a release year'], [[ctx.tracks.length, artists, genres, years]])
}

function networkTables(ctx: ChartContext): string {
  const net = artistNetwork(ctx.tracks)
  const s = net.stats
  const stats = table(
    ['artists', 'with a collaborator', 'collaborations (edges)', 'components', 'largest component', 'communities (2+ artists)', 'modularity'],
    [[s.artists, s.collaborating, s.edges, s.components, s.largestComponent, s.communities, s.modularity]],
  )
  const top = table(['artist', 'collaborators', 'shared credits'], topCollaborators(net, 10).map((c) => [c.name, c.degree, c.tracks]))
  return `${stats}\n<p>Top collaborators:</p>\n${top}`
}

function modelTable(ctx: ChartContext): string {
  const m = ctx.models!
  const metrics = ['precision', 'recall', 'ndcg', 'map', 'hitRate', 'coverage', ...m.beyond.filter((b) => b !== 'coverage'), 'popularityLift']
  const rows = m.curves.map((c) => {
    const at = c.points.find((p) => p.k === 10)?.metrics ?? {}
    return [c.model, ...metrics.map((x) => at[x] ?? NaN)]
  })
  return `<p>At k = 10; ${escapeHtml(m.setup)}.</p>\n${table(['model', ...metrics], rows)}`
}

const STYLE = `
body { font-family: 'DejaVu Sans', system-ui, sans-serif; color: #1a1f2b; background: #fff; max-width: 1100px; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
h1 { margin-bottom: 0.2rem; } h2 { border-bottom: 1px solid #e4e7ee; padding-bottom: 0.2rem; margin-top: 2.5rem; }
.meta, figcaption, nav { color: #5b6478; font-size: 0.9rem; }
figure { margin: 1.5rem 0; } figure svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: 0.6rem 0; font-size: 0.88rem; }
th, td { border-bottom: 1px solid #e4e7ee; padding: 0.25rem 0.6rem; text-align: left; } .num { text-align: right; font-variant-numeric: tabular-nums; }
code { background: #f4f5f8; padding: 0 0.2rem; border-radius: 3px; }
`
