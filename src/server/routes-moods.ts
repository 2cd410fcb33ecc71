import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Track } from '../core/track.js'
import { moodJourney } from '../moods/journey.js'
import { MOOD_SOURCES } from '../moods/listener-mood.js'
import { MOOD_INFO, MOODS, type Mood } from '../moods/moods.js'
import { moodTopN } from '../moods/personal.js'
import { listenerMood, moodItems, MOOD_SETTING, ONBOARDING_SETTING, surveyModel } from '../moods/product.js'
import type { ForYouItem } from '../service/for-you.js'
import { isFresh } from '../service/profile.js'
import type { SegueService } from '../service/service.js'
import { SegueError } from '../core/errors.js'
import type { ListenerRequest } from './auth.js'
import { ErrorBody, ListenerParams, MAX_N, Responses, summary, text } from './schemas.js'

/** A journey's length: at least a start, an end and two steps between; at most what one screen lists. */
export const JOURNEY_MIN = 4
export const JOURNEY_MAX = 50
/** Seeds a journey may take (as a playlist's). */
export const JOURNEY_SEEDS = 5
/** Onboarding answers kept: the questionnaire has 19 questions besides the mood one, none with more than 10 answers. */
const ONBOARDING_QUESTIONS = 30
const ONBOARDING_ANSWERS = 10

const MoodName = z.enum(MOODS)
const trackId = text().min(1).max(64)
const listenerId = text().min(1).max(64)

const MoodParams = z.object({ mood: MoodName })
const MoodTracksQuery = z.object({
  n: z.coerce.number().int().min(1).max(MAX_N).default(20),
  listener: listenerId.optional().describe("A listener id: their taste ranks the mood's tracks (needs their token)"),
})
const ListenerMoodQuery = z.object({
  hour: z.coerce.number().int().min(0).max(23).optional().describe("The listener's local hour (default: the server's): late at night leans Calm"),
})
const MoodBody = z.object({ mood: MoodName.nullable().describe('The mood picked, or null to let segue read it from listening') }).strict()
const OnboardingBody = z.object({
  answers: z.record(text().min(1).max(80), z.array(text().min(1).max(200)).max(ONBOARDING_ANSWERS)).describe('Question -> the answers picked (GET /api/moods/onboarding lists them)'),
}).strict()
const JourneyBody = z.object({
  from: MoodName,
  to: MoodName,
  n: z.number().int().min(JOURNEY_MIN).max(JOURNEY_MAX),
  listener: listenerId.optional(),
  seeds: z.array(trackId).max(JOURNEY_SEEDS).optional(),
}).strict()

const ForYouItemSchema = Responses.recommendations.shape.items.element
const MoodItem = ForYouItemSchema.extend({ mood: MoodName })
const Mix = z.object({ Happy: z.number(), Energetic: z.number(), Calm: z.number(), Sad: z.number() })
const MoodResponses = {
  moods: z.object({ moods: z.array(z.object({ name: MoodName, color: z.string(), description: z.string(), tracks: z.number() })) }),
  tracks: z.object({ mood: MoodName, items: z.array(MoodItem) }),
  listener: z.object({ mood: MoodName, source: z.enum(MOOD_SOURCES), mix: Mix }),
  journey: z.object({ from: MoodName, to: MoodName, items: z.array(MoodItem.extend({ valence: z.number(), energy: z.number() })) }),
  onboarding: z.object({ questions: z.record(z.string(), z.array(z.string())) }),
}

type PreHandler = (req: ListenerRequest, reply: FastifyReply) => Promise<void>

export interface MoodRouteDeps {
  /** The app's listener preHandlers: token check (and failed-attempt limit), and that plus the write budget. */
  auth: PreHandler
  writeAuth: PreHandler
  errors: Record<number, typeof ErrorBody>
  secured: { listenerToken: never[] }[]
}

/**
 * The moods API: the four moods, a mood's tracks (personal with a listener), a listener's mood (GET, PUT),
 * onboarding answers, mood journeys. Mood filters on similar, "for you" and playlists are `mood` fields of
 * those routes (schemas.ts).
 */
export function registerMoodRoutes(app: FastifyInstance, service: SegueService, deps: MoodRouteDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const { errors, secured } = deps
  /** The app's auth for a listener named in the query or body rather than the path. */
  const authAs = async (req: FastifyRequest, reply: FastifyReply, id: string | undefined) => {
    if (id === undefined) return
    reply.header('cache-control', 'no-store')
    await deps.auth(Object.create(req, { params: { value: { id } } }) as ListenerRequest, reply)
  }
  const item = (i: ForYouItem) => {
    const track = summary(i.track)
    return { track, score: i.score, reasons: i.reasons, because: i.because, mood: track.mood }
  }

  r.get('/api/moods', { schema: { summary: 'The four moods, their colours and how many tracks each has', response: { 200: MoodResponses.moods } } }, async () => {
    const counts = service.moods.current.counts
    return { moods: MOODS.map((m) => ({ name: m, color: MOOD_INFO[m].colour, description: MOOD_INFO[m].description, tracks: counts[m] })) }
  })

  r.get('/api/moods/onboarding', { schema: { summary: 'The onboarding questions whose answers suggest a listener\'s mood', response: { 200: MoodResponses.onboarding, ...errors } } }, async () => {
    const model = await surveyModel()
    if (!model) throw new SegueError('E_NOT_FOUND', 'the onboarding questionnaire (spotify-user-survey) is not on this server')
    return { questions: model.questions }
  })

  r.get('/api/moods/:mood/tracks', {
    schema: { summary: "A mood's tracks: with a listener, the ones closest to their taste they have not heard", params: MoodParams, querystring: MoodTracksQuery, security: secured, response: { 200: MoodResponses.tracks, ...errors } },
    preHandler: async (req, reply) => authAs(req, reply, (req.query as { listener?: string }).listener),
  }, async (req) => {
    const { mood } = req.params
    const profile = req.query.listener === undefined ? null : await service.listenerProfile(req.query.listener)
    const picks = moodTopN(service.view, service.moods.current, mood, { n: req.query.n, profile })
    return { mood, items: moodItems(service.view, mood, picks).map(item) }
  })

  r.get('/api/listeners/:id/mood', {
    schema: { summary: "A listener's mood and where it came from: their pick, their listening, their onboarding answers, or the default", params: ListenerParams, querystring: ListenerMoodQuery, security: secured, response: { 200: MoodResponses.listener, ...errors } },
    preHandler: deps.auth,
  }, async (req) => listenerMood(service.store, service.moods.current, req.params.id, req.query.hour ?? new Date().getHours()))

  r.put('/api/listeners/:id/mood', {
    schema: { summary: 'Pick a mood for a listener (null: read it from their listening again)', params: ListenerParams, body: MoodBody, security: secured, response: { 200: MoodResponses.listener, ...errors } },
    preHandler: deps.writeAuth,
  }, async (req) => {
    await service.store.setListenerSetting(req.params.id, MOOD_SETTING, req.body.mood)
    return listenerMood(service.store, service.moods.current, req.params.id, new Date().getHours())
  })

  r.put('/api/listeners/:id/onboarding', {
    schema: { summary: "A listener's onboarding answers (an empty object clears them)", params: ListenerParams, body: OnboardingBody, security: secured, response: { 200: MoodResponses.listener, ...errors } },
    preHandler: deps.writeAuth,
  }, async (req) => {
    const answers = Object.entries(req.body.answers)
    if (answers.length > ONBOARDING_QUESTIONS) throw new SegueError('E_BAD_ARGUMENT', `at most ${ONBOARDING_QUESTIONS} questions, got ${answers.length}`)
    await service.store.setListenerSetting(req.params.id, ONBOARDING_SETTING, answers.length === 0 ? null : JSON.stringify(req.body.answers))
    return listenerMood(service.store, service.moods.current, req.params.id, new Date().getHours())
  })

  r.post('/api/moods/journey', {
    schema: { summary: 'A playlist moving from one mood to another in even steps of valence and energy, in the sound of the seeds', body: JourneyBody, security: secured, response: { 200: MoodResponses.journey, ...errors } },
    preHandler: async (req, reply) => authAs(req, reply, (req.body as { listener?: string }).listener),
  }, async (req) => {
    const { from, to, n, listener } = req.body
    for (const s of req.body.seeds ?? []) service.track(s)
    const profile = listener === undefined ? null : await service.listenerProfile(listener)
    // A listener's journey keeps to the sound of their heaviest likes and plays unless seeds are given.
    const seeds = req.body.seeds ?? profile?.positives.slice(0, JOURNEY_SEEDS).map((p) => service.view.tracks[p.row].id) ?? []
    const skip = profile ? (row: number) => !isFresh(service.view, profile, row) : undefined
    const steps = moodJourney(service.moods.current.saved, service.view, { from, to, n, seeds, skip })
    return { from, to, items: steps.map((s, i) => journeyItem(s, i, steps.length, from, to)) }
  })
}

function journeyItem(s: { track: Track; target: { valence: number; energy: number }; valence: number; energy: number; mood: Mood }, i: number, n: number, from: Mood, to: Mood) {
  const off = Math.hypot(s.valence - s.target.valence, s.energy - s.target.energy)
  return {
    track: { ...summary(s.track), mood: s.mood },
    score: Math.max(0, 1 - off),
    reasons: [{ kind: 'popular' as const, text: `Step ${i + 1} of ${n} from ${from} to ${to}: valence ${s.valence.toFixed(2)}, energy ${s.energy.toFixed(2)}` }],
    because: [],
    mood: s.mood,
    valence: s.valence,
    energy: s.energy,
  }
}
