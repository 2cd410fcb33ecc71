import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { sharedDataDir } from '../core/paths.js'
import type { CatalogueView } from '../engine.js'
import type { ForYouItem, ForYouResult, Reason } from '../service/for-you.js'
import type { Profile } from '../service/profile.js'
import type { Store } from '../store/store.js'
import type { CatalogueMoods } from './catalogue-moods.js'
import { LISTENING_EVENTS, listeningMix, normalised, resolveListenerMood, type ListenerMood } from './listener-mood.js'
import { MOODS, parseMood, type Mood } from './moods.js'
import { moodTopN, type MoodPick } from './personal.js'
import { fitSurveyModel, predictSurvey, readSurvey, type SurveyModel } from './survey.js'

/**
 * A mood-filtered "For you" asks the recommender for this many times n, then keeps the mood's tracks: a mood
 * holds a quarter to a third of the catalogue, and a listener's neighbourhood leans towards their own moods.
 * What is still missing comes from the mood's own list for them (moodTopN), so the list is always full.
 */
export const MOOD_OVERFETCH = 4

/** Settings keys in the store (Store.listenerSetting). */
export const MOOD_SETTING = 'mood'
export const ONBOARDING_SETTING = 'onboarding'

/** "For you" within one mood: the recommender's own picks of that mood first, then the mood's list for them. */
export async function moodForYou(
  view: CatalogueView,
  moods: CatalogueMoods,
  profile: Profile,
  mood: Mood,
  n: number,
  recommend: (n: number) => Promise<ForYouResult>,
): Promise<ForYouResult> {
  const wide = await recommend(n * MOOD_OVERFETCH)
  const inMood = moods.is(mood)
  const items = wide.items.filter((i) => inMood(view.rowOf.get(i.track.id)!)).slice(0, n)
  if (items.length < n) {
    const already = items.map((i) => view.rowOf.get(i.track.id)!)
    items.push(...moodItems(view, mood, moodTopN(view, moods, mood, { n: n - items.length, profile, already })))
  }
  return { ...wide, items }
}

/** MoodPicks as "For you" items: the reason names the listener's closest track, or the mood itself. */
export function moodItems(view: CatalogueView, mood: Mood, picks: readonly MoodPick[]): ForYouItem[] {
  return picks.map((p) => {
    const t = view.tracks[p.row]
    if (p.anchor === undefined) return { track: t, score: p.score, reasons: [{ kind: 'popular', text: `A typical ${mood} track many people play` }], because: [] }
    const a = view.tracks[p.anchor]
    const reason: Reason = { kind: p.anchorKind ?? 'play', trackId: a.id, text: `${mood}, and close to the sound of “${a.name}” by ${a.artists.join(', ') || 'an unknown artist'}` }
    return { track: t, score: p.score, reasons: [reason], because: view.explain(a, t, 3) }
  })
}

/** The shared questionnaire the onboarding model learns from. */
export function surveyFile(): string {
  return join(sharedDataDir(), 'spotify-user-survey', 'Spotify_data.converted.csv')
}

let survey: Promise<SurveyModel | null> | undefined

/**
 * The listener-mood model over the onboarding questions, fitted once per process on first use (520 answers,
 * four logistic regressions: well under a second); null when the questionnaire is not present.
 */
export function surveyModel(file = surveyFile()): Promise<SurveyModel | null> {
  return (survey ??= existsSync(file) ? readSurvey(file).then(fitSurveyModel) : Promise.resolve(null))
}

/** A listener's stored onboarding answers (question -> answers), or null. */
function parseAnswers(json: string | null): Record<string, string[]> | null {
  if (json === null) return null
  const v = JSON.parse(json) as Record<string, string[]>
  return Object.keys(v).length > 0 ? v : null
}

/**
 * The listener's mood and the evidence it came from (listener-mood.ts): their pick, the mix of their newest
 * plays and likes at `hour` (0..23, their local hour), their onboarding answers, or the catalogue's default.
 * Reads the newest 4 x LISTENING_EVENTS events: skips among them still cancel the plays they follow.
 */
export async function listenerMood(store: Store, moods: CatalogueMoods, id: string, hour: number): Promise<ListenerMood> {
  const [picked, answers, events] = await Promise.all([
    store.listenerSetting(id, MOOD_SETTING),
    store.listenerSetting(id, ONBOARDING_SETTING),
    store.feedback(id, { limit: LISTENING_EVENTS * 4 }),
  ])
  const given = parseAnswers(answers)
  const model = given ? await surveyModel() : null
  return resolveListenerMood({
    picked: picked === null ? null : parseMood(picked),
    listening: listeningMix(events, moods, hour),
    onboarding: model && given ? predictSurvey(model, given) : null,
    catalogue: normalised(MOODS.map((m) => moods.counts[m])),
  })
}
