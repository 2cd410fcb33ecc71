import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import fastifyRateLimit from '@fastify/rate-limit'
import fastifyStatic from '@fastify/static'
import fastifySwagger from '@fastify/swagger'
import { jsonSchemaTransform, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import { existsSync } from 'node:fs'
import { z } from 'zod'
import { join } from 'node:path'
import { packageRoot } from '../core/paths.js'
import type { Playlist } from '../service/playlist.js'
import type { ListenerRecord } from '../store/store.js'
import type { SegueService } from '../service/service.js'
import { clientErrorHandler, errorHandler, frameworkErrorHandler } from './errors.js'
import { authenticator, withWriteLimit } from './auth.js'
import { addressKey } from './limits.js'
import { rateCounting } from './limits-shared.js'
import { isPrivateRoute, securityHeaders } from './security.js'
import { registerMoodRoutes } from './routes-moods.js'
import { registerChartRoutes } from './routes-charts.js'
import { registerNextRoutes } from './routes-next.js'
import { noteShown, registerOpsRoutes } from './routes-ops.js'
import { recommendationsAnswer } from './answers.js'
import { SimilarAnswers } from './similar-answers.js'
import { FEATURES_MODEL } from '../deep/embeddings.js'
import { loggingOptions, type LogSetting } from '../ops/logging.js'
import { registerModelRoutes } from './routes-models.js'
import {
  ErrorBody, FeedbackBody, HistoryQuery, ListenerParams, NewListenerBody, PlaylistBody, RecommendationsQuery, Responses,
  SearchQuery, SimilarQuery, TrackParams, detail, summary,
} from './schemas.js'

export interface AppOptions {
  /** Largest accepted request body in bytes (default 16 KiB: the biggest valid body is well under 1 KiB). */
  bodyLimit?: number
  /**
   * Per window: writes (feedback, delete) per authenticated listener, listener creations per client address,
   * and failed authentications per client address (after which that address is refused until the window turns).
   */
  rateLimit?: Partial<RateLimits>
  /** The built web app (default dist/web in the package); absent: the API alone is served. */
  webRoot?: string | null
  /**
   * Addresses or CIDRs (comma-separated) of proxies in front, such as haproxy: their X-Forwarded-For gives the
   * client address that per-address limits count. Default none: behind a proxy every client would otherwise
   * share the proxy's budget, and trusting anyone would let a client pick its own address.
   */
  trustProxy?: string
  /** Fastify's logger (pino JSON lines with request ids, src/ops/logging.ts); default off. */
  logger?: LogSetting
}

export interface RateLimits { writes: number; creates: number; authFailures: number; windowMs: number }

/** authFailures: a listener with a stale token fails once or twice; 30 a minute stops guessing tokens or ids. */
export const DEFAULT_RATE_LIMIT: RateLimits = { writes: 300, creates: 30, authFailures: 30, windowMs: 60_000 }

/** The content type of answers sent as text already written (fastify's own for JSON). */
const JSON_TYPE = 'application/json; charset=utf-8'

/** The OpenAPI document's stable path. */
export const OPENAPI_PATH = '/api/openapi.json'

/**
 * The HTTP API and web app over a started service. Nothing here listens: `listen.ts` does, and tests call
 * `app.inject()`. Every error is JSON `{ error: { code, message, path? } }`, never a stack trace.
 */
export async function createApp(service: SegueService, opts: AppOptions = {}): Promise<FastifyInstance> {
  const limits = { ...DEFAULT_RATE_LIMIT, ...opts.rateLimit }
  const app = Fastify({
    bodyLimit: opts.bodyLimit ?? 16 * 1024,
    trustProxy: opts.trustProxy ?? false,
    ...loggingOptions(opts.logger),
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
  }).withTypeProvider<ZodTypeProvider>()
  app.setValidatorCompiler(validatorCompiler)
  // Requests are validated against their zod schemas. Responses are not re-validated at run time: the type
  // provider already checks each handler's return type against its response schema at compile time, and
  // re-encoding through zod cost about 8% of a similar-tracks request. The schemas still document responses.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data))
  app.setErrorHandler(errorHandler)
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'segue', description: 'Music recommendations: similar tracks, playlists, "for you" with feedback', version: '1' },
      components: { securitySchemes: { listenerToken: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  })
  const security = securityHeaders()
  app.addHook('onRequest', (req, reply, done) => {
    reply.headers(security)
    if (isPrivateRoute(req.routeOptions.url)) reply.header('cache-control', 'no-store')
    done()
  })
  // Counted in PostgreSQL when the store is (every server draws on one budget), else in this process.
  const counting = rateCounting(service.store)
  await app.register(fastifyRateLimit, {
    global: false,
    store: counting.pluginStore,
    keyGenerator: (req) => addressKey(req.ip),
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: 429,
      error: { code: 'E_RATE_LIMITED', message: `too many requests: at most ${ctx.max} per ${ctx.after}; try again later` },
    }),
  })

  // The listener record the token unlocked, kept for the handler so it is read from the store once.
  const authenticated = new WeakMap<FastifyRequest, ListenerRecord>()
  const auth = authenticator(service, limits, authenticated, counting.counter('auth-failures', limits.windowMs))
  const writeAuth = withWriteLimit(auth, limits, authenticated, counting.counter('writes', limits.windowMs))
  const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 429: ErrorBody }
  const secured = [{ listenerToken: [] }]

  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger())

  app.get('/api/health', { schema: { summary: 'Liveness and catalogue size', response: { 200: Responses.health } } }, async () => ({
    status: 'ok' as const,
    tracks: service.view.tracks.length,
    collaborative: service.collaborative?.name ?? null,
  }))

  app.get('/api/search', { schema: { summary: 'Typo-tolerant search over titles, artists and albums', querystring: SearchQuery, response: { 200: Responses.search, ...errors } } }, async (req) => ({
    items: (await service.search(req.query.q, req.query.limit)).map((h) => summary(h.track)),
  }))

  app.get('/api/tracks/:id', { schema: { summary: 'A track with its audio features', params: TrackParams, response: { 200: Responses.track, ...errors } } }, async (req) => ({
    track: detail(service.track(req.params.id)),
  }))

  const similarAnswers = new SimilarAnswers()
  app.get('/api/tracks/:id/similar', { schema: { summary: 'Tracks that sound like this one', params: TrackParams, querystring: SimilarQuery, response: { 200: Responses.similar, ...errors } } }, async (req, reply) => {
    const { n, excludeSeedArtist, mood, model } = req.query
    const moods = service.moods.current
    const key = model === undefined || model === FEATURES_MODEL ? SimilarAnswers.key(req.params.id, n, excludeSeedArtist, mood) : null
    let text = key === null ? undefined : similarAnswers.get(key, moods)
    if (text === undefined) {
      const r = await service.similar(req.params.id, n, excludeSeedArtist, mood, model)
      const body: z.infer<typeof Responses.similar> = {
        seed: summary(r.seed),
        items: r.items.map((i) => ({ track: summary(i.track), score: i.score, because: i.because, sharedGenres: i.sharedGenres })),
      }
      text = JSON.stringify(body)
      // Kept only if the moods it was written with are still the served ones.
      if (key !== null && moods === service.moods.current) similarAnswers.set(key, moods, text)
    }
    // The text of a Responses.similar object (typed above), which send() cannot see.
    return reply.type(JSON_TYPE).send(text as never)
  })

  const playlistBody = (p: Playlist) => ({
    seeds: p.seeds.map(summary),
    items: p.items.map((i) => ({ track: summary(i.track), seedId: i.seedId, score: i.score, because: i.because })),
  })
  app.post('/api/playlists', { schema: { summary: 'A playlist grown from 1 to 5 seed tracks', body: PlaylistBody, response: { 200: Responses.playlist, ...errors } } }, async (req) =>
    playlistBody(await service.playlist(req.body.seeds, req.body)))

  app.post('/api/listeners/:id/playlists', {
    schema: { summary: 'A playlist for a listener: as /api/playlists, leaving out what they skipped or disliked', params: ListenerParams, body: PlaylistBody, security: secured, response: { 200: Responses.playlist, ...errors } },
    preHandler: auth,
  }, async (req) => {
    const [exclude, history] = [await service.rejectedRows(req.params.id), await service.positiveRows(req.params.id)]
    return playlistBody(await service.playlist(req.body.seeds, { ...req.body, exclude, history }))
  })

  registerModelRoutes(app, service)

  app.post('/api/listeners', {
    schema: { summary: 'Create a listener; the token in the answer is needed for all their data', body: NewListenerBody.optional(), response: { 201: Responses.newListener, ...errors } },
    config: { rateLimit: { max: limits.creates, timeWindow: limits.windowMs } },
  }, async (req, reply) => {
    const { listener, token } = await service.createListener(req.body?.name ?? null)
    return reply.code(201).send({ listener: publicListener(listener), token })
  })

  app.get('/api/listeners/:id', { schema: { summary: 'A listener and their feedback counts', params: ListenerParams, security: secured, response: { 200: Responses.listener, ...errors } }, preHandler: auth }, async (req) => {
    const listener = authenticated.get(req)!
    return { listener: publicListener(listener), counts: await service.counts(listener.id) }
  })

  app.delete('/api/listeners/:id', { schema: { summary: 'Delete a listener and every trace of them', params: ListenerParams, security: secured, response: { 204: z.null().describe('Deleted'), ...errors } }, preHandler: writeAuth }, async (req, reply) => {
    await service.deleteListener(req.params.id)
    return reply.code(204).send(null)
  })

  app.post('/api/listeners/:id/feedback', {
    schema: { summary: 'Record a play, like, skip or dislike; acknowledged once durable', params: ListenerParams, body: FeedbackBody, security: secured, response: { 201: Responses.event, ...errors } },
    preHandler: writeAuth,
  }, async (req, reply) => {
    const e = await service.feedback(req.params.id, req.body.trackId, req.body.kind)
    return reply.code(201).send({ event: { seq: e.seq, trackId: e.trackId, kind: e.kind, at: e.at } })
  })

  app.get('/api/listeners/:id/history', { schema: { summary: "A listener's feedback, oldest first", params: ListenerParams, querystring: HistoryQuery, security: secured, response: { 200: Responses.history, ...errors } }, preHandler: auth }, async (req) => ({
    events: (await service.history(req.params.id, req.query.limit)).map((e) => {
      const row = service.view.rowOf.get(e.trackId)
      return { seq: e.seq, trackId: e.trackId, kind: e.kind, at: e.at, track: row === undefined ? null : summary(service.view.tracks[row]) }
    }),
  }))

  app.get('/api/listeners/:id/recommendations', {
    schema: { summary: 'Recommendations for a listener, reflecting their feedback at once', params: ListenerParams, querystring: RecommendationsQuery, security: secured, response: { 200: Responses.recommendations, ...errors } },
    preHandler: auth,
  }, async (req, reply) => {
    const r = await service.recommendations(req.params.id, { model: req.query.model ?? service.models().default, n: req.query.n, seeds: req.query.seeds, mood: req.query.mood })
    // Written once per result (answers.ts): a cached result's requests send the same text.
    const answer = recommendationsAnswer(r, service.moods.current)
    noteShown(service, req.params.id, r.model, answer.trackIds)
    // The text of a Responses.recommendations object (typed where answers.ts builds it), which send() cannot see.
    return reply.type(JSON_TYPE).send(answer.body as never)
  })

  registerChartRoutes(app, service)
  registerMoodRoutes(app, service, { auth, writeAuth, errors, secured })
  registerNextRoutes(app, service)
  registerOpsRoutes(app, service)
  await serveWebApp(app, opts.webRoot === undefined ? join(packageRoot(), 'dist', 'web') : opts.webRoot)
  return app
}

function publicListener(l: { id: string; name: string | null; createdAt: string }) {
  return { id: l.id, name: l.name, createdAt: l.createdAt }
}

/** The web app's files, with index.html for any other non-API path (client-side routes); API misses are JSON 404s. */
async function serveWebApp(app: FastifyInstance, root: string | null): Promise<void> {
  const hasApp = root !== null && existsSync(join(root, 'index.html'))
  if (hasApp) await app.register(fastifyStatic, { root, wildcard: false, index: 'index.html' })
  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/api/') || req.method !== 'GET') {
      return reply.code(404).send({ error: { code: 'E_NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` } })
    }
    if (!hasApp) {
      const message = `the web app is not built (npm run build:web); the API is under /api, described at ${OPENAPI_PATH}`
      return reply.code(404).send({ error: { code: 'E_NOT_FOUND', message } })
    }
    return reply.sendFile('index.html')
  })
}
