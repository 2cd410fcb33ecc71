/**
 * Charts to files without a browser: Vega-Lite -> Vega -> SVG through vega's headless view (renderer 'none'),
 * SVG -> PNG through resvg with the bundled DejaVu fonts and no system fonts, so a PNG looks the same on
 * every machine. vega, vega-lite and resvg are imported on first use: commands that draw nothing do not pay
 * for loading them (vega and vega-lite alone took 0.66 to 0.9 s to import here, 2026-12, under load).
 */
import { createHash, randomBytes } from 'node:crypto'
import { rename, unlink, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, extname, join } from 'node:path'
import { SegueError } from '../core/errors.js'
import type { ChartSpec } from './spec.js'
import { CHART_FONT, themeConfig, type ThemeName } from './theme.js'

export interface SvgOptions {
  /** Defaults to 'light', the theme of files meant for reports and READMEs. */
  theme?: ThemeName
  /** Called with each warning from vega-lite or vega (e.g. a field with no data); ignored by default. */
  onWarning?: (message: string) => void
}

export interface PngOptions {
  /** Pixels per SVG unit; 2 suits high-density screens. */
  scale?: number
}

export type ChartFormat = 'svg' | 'png' | 'json'

/** PNG pixels per SVG unit unless asked: sharp on high-density screens, still small files. */
const DEFAULT_PNG_SCALE = 2

let vegaLib: Promise<[typeof import('vega-lite'), typeof import('vega')]> | undefined
let resvgLib: Promise<typeof import('@resvg/resvg-js')> | undefined

/** Vega-Lite compiled with the theme: the Vega spec that every renderer draws. */
export async function toVega(spec: ChartSpec, opts: SvgOptions = {}): Promise<import('vega').Spec> {
  const [vl] = await (vegaLib ??= Promise.all([import('vega-lite'), import('vega')]))
  const log = new Collector(opts.onWarning)
  try {
    // vega tags inline data rows in place (a symbol id on each): compile a copy so callers' specs stay as built
    return vl.compile(structuredClone(spec), { config: themeConfig(opts.theme ?? 'light'), logger: log }).spec
  } catch (err) {
    throw new SegueError('E_BAD_ARGUMENT', `chart spec is not valid Vega-Lite: ${(err as Error).message}`, { cause: err })
  }
}

/** The chart as a standalone SVG document. */
export async function toSvg(spec: ChartSpec, opts: SvgOptions = {}): Promise<string> {
  const vegaSpec = await toVega(spec, opts)
  const [, vega] = await vegaLib!
  const log = new Collector(opts.onWarning)
  const view = new vega.View(vega.parse(vegaSpec), { renderer: 'none', logger: log, logLevel: vega.Warn })
  try {
    const svg = await view.toSVG()
    if (log.errors.length) throw new Error(log.errors.join('; '))
    return svg
  } catch (err) {
    throw new SegueError('E_BAD_ARGUMENT', `chart could not be drawn: ${(err as Error).message}`, { cause: err })
  } finally {
    view.finalize()
  }
}

/**
 * PNGs kept by the hash of their SVG and scale: a PNG takes 100 to 300 ms to draw (of which resvg's loading of the
 * fonts, done afresh on every call in resvg-js 2.6, is about 20 ms; the rest is rasterising and PNG encoding), while
 * the same chart is asked for again and again (a page, the API, a report with --png, the README pictures).
 */
const PNG_CACHE_ENTRIES = 64
const pngCache = new Map<string, Buffer>()
let pngCacheHits = 0

/** An SVG drawn as PNG with the bundled fonts only; the same SVG and scale are drawn once (see PNG_CACHE_ENTRIES). */
export async function toPng(svg: string, opts: PngOptions = {}): Promise<Buffer> {
  const key = `${opts.scale ?? DEFAULT_PNG_SCALE}:${createHash('sha1').update(svg).digest('base64')}`
  const hit = pngCache.get(key)
  if (hit) {
    pngCacheHits++
    pngCache.delete(key) // re-inserted below: Map order is the least-recently-used order
    pngCache.set(key, hit)
    return Buffer.from(hit)
  }
  const png = (await rasterise(svg, opts)).asPng()
  pngCache.set(key, png)
  if (pngCache.size > PNG_CACHE_ENTRIES) pngCache.delete(pngCache.keys().next().value!)
  return Buffer.from(png)
}

/** Forgets every cached PNG (benchmarks measure a first draw with it). */
export function clearPngCache(): void {
  pngCache.clear()
  pngCacheHits = 0
}

/** PNGs held, and calls answered from the cache since it was last cleared. */
export function pngCacheStats(): { entries: number; hits: number } {
  return { entries: pngCache.size, hits: pngCacheHits }
}

/** An SVG drawn to raw RGBA pixels (row-major, 4 bytes a pixel), as toPng draws it. */
export async function toPixels(svg: string, opts: PngOptions = {}): Promise<{ width: number; height: number; pixels: Buffer }> {
  const image = await rasterise(svg, opts)
  return { width: image.width, height: image.height, pixels: image.pixels }
}

/** Drawn on libuv's thread pool (resvg's renderAsync), so a server keeps answering while a PNG is made. */
async function rasterise(svg: string, opts: PngOptions) {
  const { renderAsync } = await (resvgLib ??= import('@resvg/resvg-js'))
  const scale = opts.scale ?? DEFAULT_PNG_SCALE
  if (!(scale > 0 && scale <= 8)) throw new SegueError('E_BAD_ARGUMENT', `PNG scale must be in (0, 8], got ${scale}`)
  return renderAsync(svg, {
    font: { fontFiles: fontFiles(), loadSystemFonts: false, defaultFontFamily: CHART_FONT, sansSerifFamily: CHART_FONT },
    fitTo: { mode: 'zoom', value: scale },
  })
}

let fonts: string[] | undefined

/** DejaVu Sans regular and bold (titles), from the dejavu-fonts-ttf package; charts use no italics. */
export function fontFiles(): string[] {
  if (fonts) return [...fonts]
  const dir = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf')
  fonts = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => join(dir, f))
  return [...fonts]
}

/** The format a file name asks for, by its extension. */
export function formatOf(path: string): ChartFormat {
  const ext = extname(path).toLowerCase().slice(1)
  if (ext === 'svg' || ext === 'png' || ext === 'json') return ext
  throw new SegueError('E_BAD_ARGUMENT', `chart file '${path}' must end in .svg, .png or .json`)
}

/** The chart in one format, as the bytes of a file. JSON is the spec with the theme's config inside it. */
export async function renderChart(spec: ChartSpec, format: ChartFormat, opts: SvgOptions & PngOptions = {}): Promise<Buffer> {
  if (format === 'json') return Buffer.from(JSON.stringify({ ...spec, config: themeConfig(opts.theme ?? 'light') }, null, 2) + '\n')
  const svg = await toSvg(spec, opts)
  return format === 'svg' ? Buffer.from(svg) : toPng(svg, opts)
}

/**
 * Writes the chart to `path` as SVG, PNG or JSON by its extension. Written to a temporary file beside it and
 * renamed into place, so `path` is either absent, the old file, or the whole new one, never a partial file.
 */
export async function writeChart(path: string, spec: ChartSpec, opts: SvgOptions & PngOptions = {}): Promise<void> {
  const bytes = await renderChart(spec, formatOf(path), opts)
  await writeAtomic(path, bytes)
}

export async function writeAtomic(path: string, bytes: Buffer | string): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  try {
    await writeFile(tmp, bytes)
    await rename(tmp, path)
  } catch (err) {
    await unlink(tmp).catch(() => undefined)
    throw new SegueError('E_INPUT_FILE', `could not write chart '${path}': ${(err as Error).message}`, { cause: err })
  }
}

/** A vega logger that hands warnings to a callback and keeps errors to throw after rendering. */
class Collector {
  readonly errors: string[] = []
  private lvl = 2

  constructor(private readonly onWarning?: (message: string) => void) {}

  level(l?: number): number | this {
    if (l === undefined) return this.lvl
    this.lvl = l
    return this
  }
  error(...args: unknown[]): this {
    this.errors.push(args.map(String).join(' '))
    return this
  }
  warn(...args: unknown[]): this {
    this.onWarning?.(args.map(String).join(' '))
    return this
  }
  info(): this {
    return this
  }
  debug(): this {
    return this
  }
}
