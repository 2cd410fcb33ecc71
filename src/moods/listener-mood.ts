import type { FeedbackEvent } from '../store/store.js'
import type { CatalogueMoods } from './catalogue-moods.js'
import { MOODS, type Mood } from './moods.js'

/** Where a listener's mood came from, strongest first. */
export const MOOD_SOURCES = ['picked', 'listening', 'onboarding', 'default'] as const
export type MoodSourceName = (typeof MOOD_SOURCES)[number]

export type MoodMix = Record<Mood, number>

export interface ListenerMood {
  mood: Mood
  source: MoodSourceName
  /** Shares of the four moods (summing to 1) in the strongest evidence there is besides a pick. */
  mix: MoodMix
}

/** The newest plays and likes a listener's mood is read from: their last sessions, not their whole history. */
export const LISTENING_EVENTS = 50
/** Fewer plays and likes than this (in the catalogue) say too little: onboarding or the default speaks instead. */
export const MIN_LISTENING_EVENTS = 3
/** Each older play or like counts this much of the next newer one: the newest ten carry about two thirds. */
export const RECENCY_DECAY = 0.9
/** A like says more about a listener's mood than a play. */
export const KIND_WEIGHT = { like: 2, play: 1 } as const
/**
 * Time of day: from 22:00 to 05:59 (the listener's hour) Calm's share is multiplied by LATE_NIGHT_CALM and the
 * mix renormalised, so late at night a listener between two moods leans Calm; other hours change nothing.
 */
export const LATE_NIGHT = { from: 22, to: 6 } as const
export const LATE_NIGHT_CALM = 1.5

export function isLateNight(hour: number): boolean {
  return hour >= LATE_NIGHT.from || hour < LATE_NIGHT.to
}

/**
 * The mood mix of a listener's newest plays and likes (oldest-first events, as the store gives them): each
 * track's mood probabilities, weighted by KIND_WEIGHT and RECENCY_DECAY^(events since), summed and normalised,
 * then the time-of-day rule. Null when fewer than MIN_LISTENING_EVENTS plays or likes are in the catalogue.
 * A track the listener later skipped or disliked does not count.
 */
export function listeningMix(events: readonly FeedbackEvent[], moods: CatalogueMoods, hour: number): MoodMix | null {
  const rejected = new Set(events.filter((e) => e.kind === 'skip' || e.kind === 'dislike').map((e) => e.trackId))
  const positives = events.filter((e) => (e.kind === 'play' || e.kind === 'like') && !rejected.has(e.trackId) && moods.cat.rowOf.has(e.trackId))
  const recent = positives.slice(-LISTENING_EVENTS)
  if (recent.length < MIN_LISTENING_EVENTS) return null
  const sums = new Float64Array(MOODS.length)
  recent.forEach((e, i) => {
    const w = KIND_WEIGHT[e.kind as 'play' | 'like'] * RECENCY_DECAY ** (recent.length - 1 - i)
    const row = moods.cat.rowOf.get(e.trackId)!
    for (let c = 0; c < MOODS.length; c++) sums[c] += w * moods.proba[row * MOODS.length + c]
  })
  if (isLateNight(hour)) sums[MOODS.indexOf('Calm')] *= LATE_NIGHT_CALM
  return normalised(sums)
}

/** Shares summing to 1 (equal shares when everything is 0). */
export function normalised(values: ArrayLike<number>): MoodMix {
  let total = 0
  for (let c = 0; c < MOODS.length; c++) total += values[c]
  return Object.fromEntries(MOODS.map((m, c) => [m, total > 0 ? values[c] / total : 1 / MOODS.length])) as MoodMix
}

/** The mood with the largest share (the first in MOODS order on ties). */
export function topOf(mix: MoodMix): Mood {
  return MOODS.reduce((best, m) => (mix[m] > mix[best] ? m : best), MOODS[0])
}

export interface MoodEvidence {
  picked: Mood | null
  /** listeningMix of their history, or null. */
  listening: MoodMix | null
  /** The survey model's probabilities for their onboarding answers, or null when they gave none. */
  onboarding: MoodMix | null
  /** The catalogue's shares of the moods: the default mix. */
  catalogue: MoodMix
}

/**
 * The listener's mood, strongest evidence first: the mood they picked; else the top mood of their listening
 * mix; else that of their onboarding answers through the survey model; else the catalogue's commonest mood.
 * The mix shown is the strongest evidence besides a pick (listening, onboarding, then the catalogue's shares).
 */
export function resolveListenerMood(e: MoodEvidence): ListenerMood {
  const mix = e.listening ?? (e.onboarding && normalised(MOODS.map((m) => e.onboarding![m]))) ?? e.catalogue
  if (e.picked) return { mood: e.picked, source: 'picked', mix }
  if (e.listening) return { mood: topOf(e.listening), source: 'listening', mix }
  if (e.onboarding) return { mood: topOf(e.onboarding), source: 'onboarding', mix }
  return { mood: topOf(e.catalogue), source: 'default', mix }
}
