import { z } from 'zod'
import { AUDIO_FEATURES, type Track } from '../core/track.js'
import { FEEDBACK_KINDS } from '../store/store.js'
import { FOR_YOU_MODELS } from '../service/for-you.js'
import { MAX_SEEDS } from '../service/playlist.js'
import { trackMood } from '../moods/catalogue-moods.js'
import { MOODS } from '../moods/moods.js'

/** The largest list any route returns: more is refused rather than slowly served. */
export const MAX_N = 100

/**
 * Control characters (NUL, the rest of C0, DEL, C1) belong in no id, name or query; PostgreSQL cannot even store
 * NUL. Every string a request carries goes through `text()`, so they are refused here as 400, before any store.
 */
const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f-\u009f]*$/
export const text = () => z.string().regex(NO_CONTROL_CHARACTERS, 'must not contain control characters')

const trackId = text().min(1).max(64).describe('A track id from the catalogue')
const listenerId = text().min(1).max(64)

export const TrackSummary = z.object({
  id: z.string(),
  name: z.string(),
  artists: z.array(z.string()),
  album: z.string().nullable(),
  genres: z.array(z.string()),
  popularity: z.number().nullable(),
  releaseYear: z.number().nullable(),
  durationMs: z.number().nullable(),
  mood: z.enum(MOODS).describe("The song-mood classifier's most likely mood"),
})
export const TrackDetail = TrackSummary.extend({
  explicit: z.boolean().nullable(),
  features: z.record(z.string(), z.number()).describe('Audio features in original units'),
})
const FeatureMatch = z.object({ feature: z.string(), seed: z.number(), track: z.number() })

export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), path: z.string().optional() }),
})

export const SearchQuery = z.object({
  q: text().trim().min(1).max(200),
  limit: z.coerce.number().int().min(1).max(50).default(10),
})
export const TrackParams = z.object({ id: trackId })
export const SimilarQuery = z.object({
  n: z.coerce.number().int().min(1).max(MAX_N).default(10),
  excludeSeedArtist: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  mood: z.enum(MOODS).optional().describe('Only tracks of this mood'),
  model: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/).default('features').describe("'features' (default) or a trained embedding model: 'autoencoder', ..."),
})
export const PlaylistBody = z.object({
  seeds: z.array(trackId).min(1).max(MAX_SEEDS),
  perSeed: z.number().int().min(1).max(20).default(5),
  total: z.number().int().min(1).max(MAX_N).optional(),
  maxPerArtist: z.number().int().min(1).max(10).default(2),
  mood: z.enum(MOODS).optional().describe('Only tracks of this mood'),
}).strict()
export const NewListenerBody = z.object({ name: text().trim().min(1).max(80).optional() }).strict()
export const ListenerParams = z.object({ id: listenerId })
export const FeedbackBody = z.object({ trackId, kind: z.enum(FEEDBACK_KINDS) }).strict()
export const HistoryQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) })
export const RecommendationsQuery = z.object({
  n: z.coerce.number().int().min(1).max(MAX_N).default(10),
  model: z.enum(FOR_YOU_MODELS).optional(),
  mood: z.enum(MOODS).optional().describe('Only tracks of this mood'),
  seeds: text()
    .max(5 * 65)
    .optional()
    .transform((s) => (s ? s.split(',').filter((x) => x !== '') : []))
    .pipe(z.array(trackId).max(MAX_SEEDS)),
})

const Listener = z.object({ id: z.string(), name: z.string().nullable(), createdAt: z.string() })
const FeedbackEvent = z.object({ seq: z.number(), trackId: z.string(), kind: z.enum(FEEDBACK_KINDS), at: z.string() })
const Reason = z.object({ kind: z.enum(['seed', 'like', 'play', 'collaborative', 'popular']), trackId: z.string().optional(), text: z.string() })

export const Responses = {
  health: z.object({ status: z.literal('ok'), tracks: z.number(), collaborative: z.string().nullable() }),
  search: z.object({ items: z.array(TrackSummary) }),
  track: z.object({ track: TrackDetail }),
  similar: z.object({
    seed: TrackSummary,
    items: z.array(z.object({ track: TrackSummary, score: z.number(), because: z.array(FeatureMatch), sharedGenres: z.array(z.string()) })),
  }),
  playlist: z.object({
    seeds: z.array(TrackSummary),
    items: z.array(z.object({ track: TrackSummary, seedId: z.string(), score: z.number(), because: z.array(FeatureMatch) })),
  }),
  models: z.object({
    default: z.enum(FOR_YOU_MODELS),
    models: z.array(z.object({ name: z.enum(FOR_YOU_MODELS), label: z.string(), description: z.string() })),
    similar: z.array(z.string()).describe("Trained embedding models with embeddings for this catalogue, for similar tracks' ?model= (besides 'features')"),
  }),
  newListener: z.object({ listener: Listener, token: z.string().describe('Send as Authorization: Bearer <token>; shown only once') }),
  listener: z.object({ listener: Listener, counts: z.object({ play: z.number(), like: z.number(), skip: z.number(), dislike: z.number() }) }),
  event: z.object({ event: FeedbackEvent }),
  history: z.object({ events: z.array(FeedbackEvent.extend({ track: TrackSummary.nullable() })) }),
  recommendations: z.object({
    model: z.enum(FOR_YOU_MODELS),
    coldStart: z.boolean(),
    items: z.array(z.object({ track: TrackSummary, score: z.number(), reasons: z.array(Reason), because: z.array(FeatureMatch) })),
  }),
}

export function summary(t: Track): z.infer<typeof TrackSummary> {
  return {
    id: t.id,
    name: t.name,
    artists: t.artists,
    album: t.album,
    genres: t.genres,
    popularity: t.popularity,
    releaseYear: t.releaseYear,
    durationMs: t.durationMs,
    mood: trackMood(t),
  }
}

export function detail(t: Track): z.infer<typeof TrackDetail> {
  return { ...summary(t), explicit: t.explicit, features: Object.fromEntries(AUDIO_FEATURES.map((f, j) => [f, t.features[j]])) }
}
