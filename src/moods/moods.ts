import { SegueError } from '../core/errors.js'

/**
 * The four moods segue knows, one per quadrant of the valence-energy plane (Russell's circumplex, as the
 * public mood datasets use it): valence is how positive a track sounds, energy how intense it is.
 */
export const MOODS = ['Happy', 'Energetic', 'Calm', 'Sad'] as const
export type Mood = (typeof MOODS)[number]

export interface MoodInfo {
  name: Mood
  /** Where on the valence-energy plane the mood sits. */
  valence: 'high' | 'low'
  energy: 'high' | 'low'
  /** A colour for chips and charts (hex), distinct for colour-blind viewers (Okabe-Ito palette). */
  colour: string
  description: string
}

/** Names, places, colours and descriptions of the moods, in one place. */
export const MOOD_INFO: Readonly<Record<Mood, MoodInfo>> = {
  Happy: { name: 'Happy', valence: 'high', energy: 'high', colour: '#E69F00', description: 'Bright and upbeat: positive songs with drive.' },
  Energetic: {
    name: 'Energetic',
    valence: 'low',
    energy: 'high',
    colour: '#D55E00',
    description: 'Intense and driving: loud, forceful songs with a darker, tense edge.',
  },
  Calm: { name: 'Calm', valence: 'high', energy: 'low', colour: '#009E73', description: 'Gentle and warm: soft, content songs to unwind to.' },
  Sad: { name: 'Sad', valence: 'low', energy: 'low', colour: '#0072B2', description: 'Quiet and melancholy: slow, low songs for reflection.' },
}

/** The mood at a quadrant of the plane. */
export function moodAt(highValence: boolean, highEnergy: boolean): Mood {
  if (highEnergy) return highValence ? 'Happy' : 'Energetic'
  return highValence ? 'Calm' : 'Sad'
}

/**
 * Quadrant names of public mood datasets (track-moods/moods.csv, MoodyLyrics4Q, NJU MusicMood, Deezer quadrants)
 * mapped onto segue's moods. Their Q2 is "Angry" (high arousal, low valence): segue calls that quadrant
 * Energetic, since a listener asking for energy wants the loud, intense songs that sit there, and the
 * quadrant, not the word, is what both label sets mean. "Relaxed" is their Calm.
 */
export const QUADRANT_NAMES: Readonly<Record<string, Mood>> = {
  happy: 'Happy',
  q1: 'Happy',
  angry: 'Energetic',
  tense: 'Energetic',
  q2: 'Energetic',
  energetic: 'Energetic',
  sad: 'Sad',
  q3: 'Sad',
  calm: 'Calm',
  relaxed: 'Calm',
  q4: 'Calm',
}

/** The questionnaire's `music_Influencial_mood` answers (spotify-user-survey) and the moods they stand for. */
export const SURVEY_MOODS: Readonly<Record<string, Mood>> = {
  'Relaxation and stress relief': 'Calm',
  'Uplifting and motivational': 'Happy',
  'Sadness or melancholy': 'Sad',
  'Social gatherings or parties': 'Energetic',
}

/** A mood from its name or a known quadrant name, any case; undefined when unknown. */
export function moodOf(name: string, mapping: Readonly<Record<string, Mood>> = {}): Mood | undefined {
  const trimmed = name.trim()
  const mapped = mapping[trimmed] ?? mapping[trimmed.toLowerCase()]
  if (mapped !== undefined) return mapped
  const exact = MOODS.find((m) => m.toLowerCase() === trimmed.toLowerCase())
  return exact ?? QUADRANT_NAMES[trimmed.toLowerCase()]
}

/** Like moodOf, for arguments: an unknown name is E_BAD_ARGUMENT listing the moods. */
export function parseMood(name: string): Mood {
  const m = moodOf(name)
  if (m === undefined) throw new SegueError('E_BAD_ARGUMENT', `unknown mood '${name}': expected one of ${MOODS.join(', ')}`)
  return m
}

/** Parses "Angry=Energetic,Relaxed=Calm" into a mapping; each target must be one of the four moods. */
export function parseMoodMapping(text: string): Record<string, Mood> {
  const out: Record<string, Mood> = {}
  for (const pair of text.split(',').filter((p) => p.trim() !== '')) {
    const [from, to, extra] = pair.split('=')
    if (to === undefined || extra !== undefined || from.trim() === '') {
      throw new SegueError('E_BAD_ARGUMENT', `mood mapping '${pair}': expected LABEL=MOOD, e.g. Angry=Energetic`)
    }
    out[from.trim().toLowerCase()] = parseMood(to)
  }
  return out
}
