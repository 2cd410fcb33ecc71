// Typed client for the moods part of the segue API: the four moods, a listener's mood, music for a mood and
// mood journeys. Shares api.ts's request (errors, auth header, JSON) so failures read the same everywhere.
import { request, type Credentials, type TrackSummary } from './api';
import { MOOD_INFO, MOODS } from '../../src/moods/moods';

export type MoodName = (typeof MOODS)[number];
export const MOOD_NAMES: readonly MoodName[] = MOODS;

/** A mood as GET /api/moods describes it. */
export interface MoodInfo {
  name: MoodName;
  color: string;
  description: string;
  /** Catalogue tracks whose most likely mood this is. */
  tracks: number;
}

/** Where a listener's current mood came from, strongest first. */
export type MoodSource = 'picked' | 'listening' | 'onboarding' | 'default';

export interface ListenerMood {
  mood: MoodName;
  source: MoodSource;
  /** Shares of the moods in the strongest evidence besides a pick: listening, onboarding answers, else the catalogue. */
  mix: Record<MoodName, number>;
}

/** Onboarding answers: question (the survey's column) -> the answers picked. */
export type OnboardingAnswers = Record<string, string[]>;

/** A track offered for a mood (like a For you item, with the track's mood). */
export interface MoodTrackItem {
  track: TrackSummary;
  mood: MoodName;
  score?: number;
}

/** One step of a mood journey: the track, its mood and where it sits on the valence-energy plane (0..1 each). */
export interface JourneyItem {
  track: TrackSummary;
  mood: MoodName;
  valence: number;
  energy: number;
}

export interface Journey {
  from: MoodName;
  to: MoodName;
  items: JourneyItem[];
}

export interface JourneyRequest {
  from: MoodName;
  to: MoodName;
  n: number;
  seeds?: string[];
}

/** Bounds of a journey's length, as the API accepts them. */
export const JOURNEY_MIN = 4;
export const JOURNEY_MAX = 50;
/** Seeds a journey may follow. */
export const JOURNEY_MAX_SEEDS = 5;

/**
 * The moods as segue's library defines them, for when /api/moods has not answered yet (and for chips, which
 * need a colour before any request): the same names, colours and descriptions the server sends.
 */
export const FALLBACK_MOODS: MoodInfo[] = MOODS.map((name) => ({
  name,
  color: MOOD_INFO[name].colour,
  description: MOOD_INFO[name].description,
  tracks: 0,
}));

export function isMoodName(value: unknown): value is MoodName {
  return typeof value === 'string' && (MOODS as readonly string[]).includes(value);
}

/** A mood's colour, from the library's palette (the API sends the same). */
export function moodColour(mood: MoodName): string {
  return MOOD_INFO[mood].colour;
}

const enc = encodeURIComponent;

export const moodsApi = {
  list: (signal?: AbortSignal) => request<{ moods: MoodInfo[] }>('GET', '/moods', { signal }),

  tracks: (auth: Credentials, mood: MoodName, n = 20, signal?: AbortSignal) =>
    request<{ mood: MoodName; items: MoodTrackItem[] }>('GET', `/moods/${enc(mood)}/tracks`, {
      auth,
      signal,
      query: { n, listener: auth.id },
    }),

  /** The listener's mood; their local hour lets late-night listening lean Calm as it should where they are. */
  listenerMood: (auth: Credentials, signal?: AbortSignal) =>
    request<ListenerMood>('GET', `/listeners/${enc(auth.id)}/mood`, { auth, signal, query: { hour: new Date().getHours() } }),

  /** Stores the listener's own pick; null clears it (their mood then comes from listening or answers). */
  pick: (auth: Credentials, mood: MoodName | null) =>
    request<ListenerMood>('PUT', `/listeners/${enc(auth.id)}/mood`, { auth, body: { mood } }),

  /** The onboarding questionnaire: each question (the survey's column) and the answers it offers. */
  onboardingQuestions: (signal?: AbortSignal) =>
    request<{ questions: Record<string, string[]> }>('GET', '/moods/onboarding', { signal }),

  /** Stores the listener's onboarding answers (an empty object clears them); answers the listener's mood. */
  answer: (auth: Credentials, answers: OnboardingAnswers) =>
    request<ListenerMood>('PUT', `/listeners/${enc(auth.id)}/onboarding`, { auth, body: { answers } }),

  journey: (auth: Credentials, body: JourneyRequest, signal?: AbortSignal) =>
    request<Journey>('POST', '/moods/journey', {
      auth,
      signal,
      body: { ...body, listener: auth.id, seeds: body.seeds && body.seeds.length ? body.seeds : undefined },
    }),
};
