import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { upNext } from '../deep/sequence/up-next.js'
import type { SegueService } from '../service/service.js'
import { ErrorBody, MAX_N, TrackParams, TrackSummary, summary, text } from './schemas.js'

/** Recent plays a request may send: SASRec reads at most its maxLen (50) anyway. */
const MAX_RECENT = 50

const NextQuery = z.object({
  n: z.coerce.number().int().min(1).max(MAX_N).default(10),
  recent: text()
    .max(MAX_RECENT * 65)
    .optional()
    .transform((s) => (s ? s.split(',').filter((x) => x !== '') : []))
    .pipe(z.array(text().min(1).max(64)).max(MAX_RECENT))
    .describe('The listener\'s recent plays before this track, oldest first, comma-separated track ids'),
})

const NextResponse = z.object({
  track: TrackSummary,
  source: z.enum(['sequence', 'similar']).describe("'sequence': the next-track model; 'similar': its fallback"),
  note: z.string().optional().describe('Why the fallback was used'),
  historyUsed: z.number().describe('Plays the model read (the current track included)'),
  items: z.array(z.object({ track: TrackSummary, score: z.number() })),
})

/** GET /api/tracks/:id/next: "Up next" after the track being played. */
export function registerNextRoutes(app: FastifyInstance, service: SegueService): void {
  const errors = { 400: ErrorBody, 404: ErrorBody, 429: ErrorBody }
  app.withTypeProvider<ZodTypeProvider>().get('/api/tracks/:id/next', {
    schema: { summary: 'Up next: the tracks to play after this one (and the recent plays)', params: TrackParams, querystring: NextQuery, response: { 200: NextResponse, ...errors } },
  }, async (req) => {
    const r = await upNext(service, req.params.id, { n: req.query.n, recent: req.query.recent })
    return {
      track: summary(r.track), source: r.source, ...(r.note ? { note: r.note } : {}), historyUsed: r.historyUsed,
      items: r.items.map((i) => ({ track: summary(i.track), score: i.score })),
    }
  })
}
