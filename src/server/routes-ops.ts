import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { isSegueError } from '../core/errors.js'
import { impressionsOf } from '../ops/impressions.js'
import { REQUEST_ID_HEADER } from '../ops/logging.js'
import { UNMATCHED_ROUTE, metricsText, opsMetrics } from '../ops/metrics.js'
import { onlineReport } from '../ops/online.js'
import { readinessOf, storeCheck } from '../ops/readiness.js'
import type { SegueService } from '../service/service.js'
import { ErrorBody } from './schemas.js'

/** Online figures for at most this many days: a quarter is what a dashboard looks back over. */
export const MAX_ONLINE_DAYS = 90

const Check = z.object({ name: z.string(), ok: z.boolean(), detail: z.string() })
const ReadyBody = z.object({ status: z.literal('ready'), checks: z.array(Check) })
const NotReadyBody = ErrorBody.extend({ checks: z.array(Check).describe('Every check, with why the failing ones fail') })

const Rates = z.object({ played: z.number(), liked: z.number(), skipped: z.number(), disliked: z.number() }).describe('Each count divided by shown (0 to 1)')
const Figures = z.object({
  model: z.string(), shown: z.number().describe('Distinct (listener, track) pairs shown'),
  played: z.number(), liked: z.number(), skipped: z.number(), disliked: z.number(), rates: Rates,
})
const OnlineBody = z.object({
  days: z.number(), since: z.string().describe('First day counted, YYYY-MM-DD (UTC)'),
  windowHours: z.number().describe('Feedback this long after a track was shown counts as the answer to it'),
  models: z.array(Figures).describe('Per model over all the days'),
  daily: z.array(Figures.extend({ day: z.string() })).describe('Per day and model, oldest day first'),
})
const OnlineQuery = z.object({ days: z.coerce.number().int().min(1).max(MAX_ONLINE_DAYS).default(7) })

/**
 * Operations: request ids, metrics for every request, `GET /metrics`, `GET /api/ready`, impressions of the
 * recommendations served and `GET /api/stats/online`. Logging itself is set up in Fastify's options
 * (src/ops/logging.ts); this adds the hooks and routes.
 */
export function registerOpsRoutes(app: FastifyInstance, service: SegueService): void {
  addReadinessChecks(service)
  const recorder = impressionsOf(service, service.store)
  // Callback hooks: an async hook costs every request a promise and a microtask turn.
  app.addHook('onRequest', (req, reply, done) => {
    reply.header(REQUEST_ID_HEADER, req.id)
    done()
  })
  app.addHook('onResponse', (req, reply, done) => {
    opsMetrics.httpRequest(req.routeOptions.url ?? UNMATCHED_ROUTE, req.method, reply.statusCode, reply.elapsedTime / 1000)
    done()
  })
  app.addHook('onError', async (req, _reply, err) => {
    if (isSegueError(err) && err.code === 'E_STORE') opsMetrics.storeError(req.routeOptions.url ?? UNMATCHED_ROUTE)
  })
  app.addHook('onClose', async () => recorder.close())

  const r = app.withTypeProvider<ZodTypeProvider>()
  r.get('/metrics', { schema: { summary: 'Metrics in the Prometheus text format', response: { 200: z.string() } } }, async (_req, reply) => {
    const { contentType, body } = await metricsText()
    return reply.type(contentType).header('cache-control', 'no-store').send(body)
  })
  r.get('/api/ready', {
    schema: { summary: 'Ready to serve: the store answers and the models are loaded (503 with the reasons otherwise)', response: { 200: ReadyBody, 503: NotReadyBody } },
  }, async (_req, reply) => {
    const { ready, checks } = await readinessOf(service).evaluate()
    reply.header('cache-control', 'no-store')
    if (ready) return reply.code(200).send({ status: 'ready' as const, checks })
    const message = `not ready: ${checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`).join('; ')}`
    return reply.code(503).send({ error: { code: 'E_NOT_READY', message }, checks })
  })
  r.get('/api/stats/online', {
    schema: { summary: 'Online evaluation: of the tracks each model showed listeners, the share then played, liked, skipped, disliked; per day', querystring: OnlineQuery, response: { 200: OnlineBody, 400: ErrorBody, 503: ErrorBody } },
  }, async (req) => onlineReport(service.store, req.query.days))
}

/** The checks every server has: the store answers, the catalogue is there, the models built in the background are in. */
function addReadinessChecks(service: SegueService): void {
  const readiness = readinessOf(service)
  readiness.check('store', storeCheck(service.store))
  readiness.check('catalogue', async () => (service.view.tracks.length > 0 ? null : 'the catalogue is empty'))
  readiness.track('moods', service.moods.ready, 'the song-mood classifier is still being built')
  readiness.track('playlists', service.playlistsReady, 'the playlists are still being read')
}

/** Impressions: `listenerId` was shown `trackIds` by `model` (the recommendations route calls this as it answers). */
export function noteShown(service: SegueService, listenerId: string, model: string, trackIds: readonly string[]): void {
  impressionsOf(service, service.store).shown(listenerId, model, trackIds)
}
