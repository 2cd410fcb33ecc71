import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { createHash } from 'node:crypto'
import { z } from 'zod'
import { SegueError } from '../core/errors.js'
import type { SegueService } from '../service/service.js'
import { CHARTS, type ChartContext } from '../viz/charts.js'
import type { ChartSpec } from '../viz/spec.js'
import { themeConfig, type ThemeName } from '../viz/theme.js'
import { ChartRenderer } from './chart-renderer.js'
import { ErrorBody, text } from './schemas.js'

const ChartParams = z.object({ name: text().min(1).max(64).describe('A chart name from GET /api/charts') })
const ChartQuery = z.object({
  format: z.enum(['json', 'svg', 'png']).default('json').describe('json: the Vega-Lite spec with the theme inside; svg or png: the drawn chart'),
  theme: z.enum(['light', 'dark']).default('light').describe("light (reports, READMEs) or dark (the web app's panels)"),
})
const ChartList = z.object({
  charts: z.array(z.object({ name: z.string(), title: z.string(), description: z.string() })),
})

const CONTENT_TYPE = { json: 'application/json; charset=utf-8', svg: 'image/svg+xml', png: 'image/png' } as const

/**
 * Drawings kept per process: every chart in two themes and two drawn formats is a few hundred entries at most,
 * each a few KB (SVG) to a few hundred KB (PNG); the cap only guards against a registry that grows without end.
 */
const MAX_DRAWINGS = 400

/** What the routes compute from the catalogue: each spec once, each drawing once, per catalogue version. */
class ChartCache {
  private readonly specs = new Map<string, ChartSpec>()
  private readonly drawings = new Map<string, Promise<Buffer>>()
  readonly renderer = new ChartRenderer()

  constructor(private readonly service: SegueService) {}

  get version(): string {
    return this.service.view.version
  }

  /** The chart's spec; built on first use (synchronously: the builders aggregate in one pass over the catalogue). */
  spec(name: string): ChartSpec {
    const def = Object.hasOwn(CHARTS, name) ? CHARTS[name] : undefined
    if (!def) throw new SegueError('E_NOT_FOUND', `no chart '${name}'; GET /api/charts lists them`)
    let spec = this.specs.get(name)
    if (!spec) {
      spec = def.build(chartContext(this.service))
      this.specs.set(name, spec)
    }
    return spec
  }

  /** The chart drawn on the renderer's thread; a failed drawing is forgotten so the next request tries again. */
  drawing(name: string, format: 'svg' | 'png', theme: ThemeName): Promise<Buffer> {
    const key = `${name}\u0000${format}\u0000${theme}`
    let bytes = this.drawings.get(key)
    if (!bytes) {
      if (this.drawings.size >= MAX_DRAWINGS) this.drawings.clear()
      bytes = this.renderer.render(this.spec(name), format, theme)
      bytes.catch(() => this.drawings.delete(key))
      this.drawings.set(key, bytes)
    }
    return bytes
  }
}

/** What the charts are drawn from: what the service holds. */
function chartContext(service: SegueService): ChartContext {
  return { tracks: service.view.tracks }
}

/** A validator for the caches of browsers and proxies: the same answer as long as the catalogue is the same. */
function etagOf(version: string, name: string, format: string, theme: string): string {
  return `"${createHash('sha1').update(`${version}\u0000${name}\u0000${format}\u0000${theme}`).digest('base64url').slice(0, 20)}"`
}

/** GET /api/charts and GET /api/charts/:name, over the CHARTS registry (src/viz/charts.ts). */
export function registerChartRoutes(app: FastifyInstance, service: SegueService): void {
  const cache = new ChartCache(service)
  const api = app.withTypeProvider<ZodTypeProvider>()
  app.addHook('onClose', () => cache.renderer.close())

  api.get('/api/charts', { schema: { summary: 'The charts the server draws, with what each shows', response: { 200: ChartList } } }, async () => ({
    charts: Object.entries(CHARTS).map(([name, def]) => ({ name, title: def.title, description: def.description })),
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
    const { format, theme } = req.query
    const spec = cache.spec(name) // unknown names fail here, before any caching headers
    const etag = etagOf(cache.version, name, format, theme)
    reply.header('etag', etag).header('cache-control', 'no-cache')
    if (req.headers['if-none-match'] === etag) return reply.code(304).send(undefined)
    reply.type(CONTENT_TYPE[format])
    if (format === 'json') return { ...spec, config: themeConfig(theme) }
    return reply.send(await cache.drawing(name, format, theme))
  })
}
