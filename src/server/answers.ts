import type { z } from 'zod'
import type { ForYouResult } from '../service/for-you.js'
import { Responses, summary } from './schemas.js'

/** A recommendations answer as sent: its JSON text, and the track ids it shows (impressions). */
export interface RecommendationsAnswer {
  body: string
  trackIds: readonly string[]
}

/**
 * Answers already written out, per result: the service hands the same result object to every request its result
 * cache serves (until the listener's next event), so those requests reuse its text instead of rebuilding and
 * re-encoding it (about a fifth of a cached request's CPU). Each track's mood is part of the text, so an answer
 * is only reused under the mood assignment (`moods`, ServiceMoods.current) it was written with.
 */
const written = new WeakMap<ForYouResult, { moods: object; answer: RecommendationsAnswer }>()

/** The answer of GET /api/listeners/:id/recommendations for `result`, written once per result and moods. */
export function recommendationsAnswer(result: ForYouResult, moods: object): RecommendationsAnswer {
  const kept = written.get(result)
  if (kept && kept.moods === moods) return kept.answer
  const body: z.infer<typeof Responses.recommendations> = {
    model: result.model,
    coldStart: result.coldStart,
    items: result.items.map((i) => ({ track: summary(i.track), score: i.score, reasons: i.reasons, because: i.because })),
  }
  const answer = { body: JSON.stringify(body), trackIds: body.items.map((i) => i.track.id) }
  written.set(result, { moods, answer })
  return answer
}
