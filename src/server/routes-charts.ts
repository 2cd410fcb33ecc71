import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { createHash } from 'node:crypto'
import { z } from 'zod'
import { isSegueError, SegueError } from '../core/errors.js'
import type { SegueService } from '../service/service.js'
import type { ChartContext, ChartDef, ChartPart } from '../viz/charts.js'
import { moodsArtifactPath } from '../moods/catalogue-moods.js'
import type { ChartSpec } from '../viz/spec.js'
import { themeConfig, type ThemeName } from '../viz/theme.js'
import { isPostgresUrl } from '../store/open.js'
import { ChartRenderer, type DrawnFormat } from './chart-renderer.js'
import { ErrorBody, text } from './schemas.js'

const ChartParams = z.object({ name: text().min(1).max(64).describe('A chart name from GET /api/charts') })
const ChartQuery = z.object({
  format: z.enum(['json', 'svg', 'png']).default('json').describe('json: the Vega-Lite spec with the theme inside; svg or png: the drawn chart'),
  theme: z.enum(['light', 'dark']).default('light').describe("light (reports, READMEs) or dark (the web app's panels)"),
  highlight: text().min(1).max(64).optional().describe('A track id to mark on the chart; only charts listed as highlightable (a cluster map) can place one'),
})
const ChartList = z.object({
  charts: z.array(z.object({
    name: z.string(),
    title: z.string(),
    description: z.string(),
    needs: z.array(z.string()).describe("What it is drawn from: 'tracks' (the catalogue), 'aggregates', 'listening', 'playlists', 'models' (an evaluation, computed on first use)"),
    highlightable: z.boolean().describe('Whether ?highlight=<track id> can mark a track on it'),
  })),
})

const CONTENT_TYPE = { json: 'application/json; charset=utf-8', svg: 'image/svg+xml', png: 'image/png' } as const

/**
 * The chart registry, loaded on the first chart request rather than at start: with its builders (graphology,
 * ml-pca, the catalogue reader) it cost every server start ~0.2 s of CPU before ready.
 */
let registry: Promise<typeof import('../viz/charts.js')> | undefined
const chartRegistry = async () => (await (registry ??= import('../viz/charts.js'))).CHARTS

/**
 * Drawings kept per process: every chart in two themes and two drawn formats is a few hundred entries at most,
 * each a few KB (SVG) to a few hundred KB (PNG); the cap only guards against a registry that grows without end.
 */
const MAX_DRAWINGS = 400

/** What the routes compute: each spec once, each drawing once, per catalogue version. */
class ChartCache {
  private readonly specs = new Map<string, Promise<ChartSpec>>()
  private readonly drawings = new Map<string, Promise<Buffer>>()
  /** Contexts built in this thread (marking a track, PostgreSQL catalogues), by the parts they hold. */
  private readonly contexts = new Map<string, Promise<ChartContext>>()
  readonly thread = new ChartRenderer()
  private version: string

  constructor(private readonly service: SegueService) {
    this.version = service.view.version
  }

  /** The chart's spec, made on first use; E_NOT_FOUND for a name CHARTS lacks. */
  async spec(name: string): Promise<ChartSpec> {
    const CHARTS = await chartRegistry()
    const def = Object.hasOwn(CHARTS, name) ? CHARTS[name] : undefined
    if (!def) throw new SegueError('E_NOT_FOUND', `no chart '${name}'; GET /api/charts lists them`)
    if (this.service.view.version !== this.version) this.forget(this.service.view.version)
    return remembered(this.specs, name, () => this.build(name, def))
  }

  /**
   * Built on the chart thread: from their files, and the catalogue from the SQLite store, which the thread opens
   * itself (handing it 89,741 tracks by postMessage blocked this loop 4 to 6 s under load). A PostgreSQL store's
   * location carries no password, so its catalogue charts are built here from the tracks the service holds.
   */
  private async build(name: string, def: ChartDef): Promise<ChartSpec> {
    const store = this.service.store.location
    const moods = await this.moodSource(def)
    const onThread = !neededParts(def).includes('tracks') ? this.thread.build(name) : !isPostgresUrl(store) ? this.thread.build(name, store, moods) : null
    // a chart registered at run time in this thread alone (tests, plugins) is not in the chart thread's registry
    const spec = await onThread?.catch((err: unknown) => (isSegueError(err) && err.code === 'E_NOT_FOUND' ? null : Promise.reject(err)))
    return spec ?? def.build(await this.context(def))
  }

  private forget(version: string): void {
    this.version = version
    this.specs.clear()
    this.drawings.clear()
    this.contexts.clear()
  }

  /**
   * For charts of moods, the song moods the service saved for its catalogue, once they are ready: on a first
   * start the classifier is built on another thread (about 25 s on the 114k catalogue), and the chart waits for
   * it rather than being cached as "no data".
   */
  private async moodSource(def: ChartDef): Promise<{ artifact: string; version: string } | undefined> {
    if (!neededParts(def).includes('moods')) return undefined
    await this.service.moods.ready
    return { artifact: moodsArtifactPath(this.service.engine.home), version: this.service.view.version }
  }

  /** The spec with `trackId` marked on it, for charts that can place a track (their `locate`). */
  async highlighted(name: string, trackId: string): Promise<ChartSpec> {
    const spec = await this.spec(name)
    const def = (await chartRegistry())[name]
    if (!def.locate) throw new SegueError('E_BAD_ARGUMENT', `chart '${name}' cannot mark a track; GET /api/charts says which can (highlightable)`)
    const row = this.service.view.rowOf.get(trackId)
    if (row === undefined) throw new SegueError('E_NOT_FOUND', `no track '${trackId}' in the catalogue`)
    const at = def.locate(await this.context(def), trackId)
    if (!at) throw new SegueError('E_NOT_FOUND', `track '${trackId}' has no place on chart '${name}'`)
    return withMarker(spec, at, this.service.view.tracks[row].name)
  }

  /** The context a chart reads, built from the service's own tracks, once per set of parts. */
  private async context(def: ChartDef): Promise<ChartContext> {
    const needs = neededParts(def)
    const tracks = this.service.view.tracks
    if (needs.length === 1 && needs[0] === 'tracks') return { tracks }
    const moods = await this.moodSource(def)
    const { loadChartContext } = await import('../report/context.js')
    return remembered(this.contexts, [...needs].sort().join(','), async () => (await loadChartContext(new Set(needs), { tracks, moods })).ctx)
  }

  /**
   * Builds, in the background and one after another, the specs the Explore page asks for first: the charts of
   * the catalogue, its aggregates and its moods (not the model comparison, which fits models). Started when a
   * browser first opens the web app, so the page's first charts come from the cache rather than a cold thread.
   */
  warm(): void {
    if (this.warming) return
    this.warming = true
    void chartRegistry().then((CHARTS) => {
      const quick = Object.entries(CHARTS).filter(([, def]) => neededParts(def).every((p) => WARM_PARTS.has(p)))
      quick.sort(([, a], [, b]) => Number(neededParts(a).join() !== 'tracks') - Number(neededParts(b).join() !== 'tracks'))
      return quick.reduce<Promise<unknown>>((prev, [name]) => prev.then(() => this.spec(name).catch(() => undefined)), Promise.resolve())
    })
  }
  private warming = false

  /** The chart drawn on the chart thread. */
  async drawing(name: string, format: DrawnFormat, theme: ThemeName): Promise<Buffer> {
    const spec = await this.spec(name)
    if (this.drawings.size >= MAX_DRAWINGS) this.drawings.clear()
    return remembered(this.drawings, `${name}\u0000${format}\u0000${theme}`, () => this.thread.render(spec, format, theme))
  }
}

/** Parts cheap enough to build before anyone asks: a second or two of the chart thread on the 114k catalogue. */
const WARM_PARTS = new Set<ChartPart>(['tracks', 'aggregates', 'moods'])

/** The parts of the context a chart reads; the catalogue's tracks unless it says otherwise. */
function neededParts(def: ChartDef): ChartPart[] {
  return def.needs ?? ['tracks']
}

/** Keys of a top-level spec that stay outside the layer a marker is added beside. */
const TOP_LEVEL = new Set(['$schema', 'title', 'width', 'height', 'config', 'background', 'padding', 'autosize', 'description'])
/** The marker's ring: large enough to find among thousands of points, in the page's accent (both themes). */
const MARKER = { size: 420, strokeWidth: 3, color: '#ff5c8a' }

/**
 * `spec` with a ring and the track's name at `at`, as a layer over the chart. The ring uses the fields of the
 * chart's own x and y encodings, so it shares the chart's scales and moves with any zoom.
 */
export function withMarker(spec: ChartSpec, at: { x: number; y: number }, label: string): ChartSpec {
  const s = spec as unknown as Record<string, unknown>
  const inner = Object.fromEntries(Object.entries(s).filter(([k]) => !TOP_LEVEL.has(k)))
  const enc = positionEncoding(inner)
  if (!enc) throw new SegueError('E_BAD_ARGUMENT', 'the chart has no x and y fields to mark a track on')
  const x = { field: enc.x, type: 'quantitative' }
  const y = { field: enc.y, type: 'quantitative' }
  const values = [{ [enc.x]: at.x, [enc.y]: at.y, label }]
  const marker = [
    { data: { values }, mark: { type: 'point', shape: 'circle', filled: false, opacity: 1, ...MARKER }, encoding: { x, y } },
    { data: { values }, mark: { type: 'text', dy: -18, fontSize: 13, fontWeight: 'bold', color: MARKER.color }, encoding: { x, y, text: { field: 'label', type: 'nominal' } } },
  ]
  const top = Object.fromEntries(Object.entries(s).filter(([k]) => TOP_LEVEL.has(k)))
  return { ...top, layer: [inner, ...marker] } as ChartSpec
}

/** The x and y fields of a unit spec, or of the first layer that has both. */
function positionEncoding(spec: Record<string, unknown>): { x: string; y: string } | null {
  const enc = spec.encoding as { x?: { field?: unknown }; y?: { field?: unknown } } | undefined
  if (typeof enc?.x?.field === 'string' && typeof enc.y?.field === 'string') return { x: enc.x.field, y: enc.y.field }
  for (const layer of (spec.layer as Record<string, unknown>[] | undefined) ?? []) {
    const found = positionEncoding(layer)
    if (found) return found
  }
  return null
}

/** The promise kept under `key`, made by `make` when there is none; a failure is forgotten so the next call retries. */
function remembered<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let p = cache.get(key)
  if (!p) {
    p = make()
    p.catch(() => cache.delete(key))
    cache.set(key, p)
  }
  return p
}

const specHashes = new WeakMap<ChartSpec, string>()

/** A validator for the caches of browsers and proxies: the same answer as long as the spec is the same. */
function etagOf(spec: ChartSpec, format: string, theme: string): string {
  let hash = specHashes.get(spec)
  if (!hash) {
    hash = createHash('sha1').update(JSON.stringify(spec)).digest('base64url').slice(0, 20)
    specHashes.set(spec, hash)
  }
  return `"${hash}-${format}-${theme}"`
}

/** GET /api/charts and GET /api/charts/:name, over the CHARTS registry (src/viz/charts.ts). */
export function registerChartRoutes(app: FastifyInstance, service: SegueService): void {
  const cache = new ChartCache(service)
  const api = app.withTypeProvider<ZodTypeProvider>()
  app.addHook('onClose', () => cache.thread.close())
  // A browser opening the web app is the sign Explore may be next: its first charts are built meanwhile.
  app.addHook('onRequest', async (req) => {
    if (req.method === 'GET' && (req.url === '/' || req.url.startsWith('/?') || req.url === '/index.html')) cache.warm()
  })

  api.get('/api/charts', { schema: { summary: 'The charts the server draws, with what each shows', response: { 200: ChartList } } }, async () => ({
    charts: Object.entries(await chartRegistry()).map(([name, def]) => ({
      name, title: def.title, description: def.description, needs: neededParts(def), highlightable: def.locate !== undefined,
    })),
  }))

  api.get('/api/charts/:name', {
    schema: {
      summary: 'One chart: its Vega-Lite spec, or drawn as SVG or PNG',
      params: ChartParams,
      querystring: ChartQuery,
      response: { 200: z.unknown().describe('The Vega-Lite spec (JSON), an SVG document or a PNG image, by format'), 304: z.undefined().describe('Not modified'), 400: ErrorBody, 404: ErrorBody },
    },
  }, async (req, reply) => {
    const { name } = req.params
    const { format, theme, highlight } = req.query
    // unknown names and tracks fail here, before any caching headers
    const spec = highlight === undefined ? await cache.spec(name) : await cache.highlighted(name, highlight)
    const etag = etagOf(spec, format, theme)
    reply.header('etag', etag).header('cache-control', 'no-cache')
    if (req.headers['if-none-match'] === etag) return reply.code(304).send(undefined)
    reply.type(CONTENT_TYPE[format])
    if (format === 'json') return { ...spec, config: themeConfig(theme) }
    // a marked chart is drawn for the one request; plain ones once
    return reply.send(highlight === undefined ? await cache.drawing(name, format, theme) : await cache.thread.render(spec, format, theme))
  })
}
