import { SegueError } from '../core/errors.js'
import type { Track } from '../core/track.js'
import { featureIndex } from './features.js'
import type { SavedMoods } from './model.js'
import { MOODS, type Mood } from './moods.js'
import type { MoodCatalogue } from './service.js'

export interface JourneyOptions {
  from: Mood
  to: Mood
  /** Tracks in the journey, ends included (2..100). */
  n: number
  /** Track ids whose sound (tempo, danceability, acousticness, loudness) the journey stays close to. */
  seeds?: readonly string[]
  /** Ids never chosen (heard, rejected). */
  exclude?: ReadonlySet<string>
  /** Rows never chosen (a listener's heard tracks, hygiene), as a predicate. */
  skip?: (row: number) => boolean
}

export interface JourneyStep {
  track: Track
  /** Where on the valence-energy plane this step aimed, and where its track lies. */
  target: { valence: number; energy: number }
  valence: number
  energy: number
  /** The track's most likely mood. */
  mood: Mood
}

/** Tracks of a mood whose mean valence and energy is the journey's end point: its most typical ones. */
export const ANCHOR_TRACKS = 200
/**
 * How much the seeds' sound counts against closeness to the target. A track one standard deviation from the
 * seeds' sound counts as 0.07 off its target on the plane (sqrt 0.005), less than one step of a ten-track
 * journey across the plane: the seeds choose among tracks near the line without pulling the line away.
 */
export const SEED_WEIGHT = 0.005
/** At most this many tracks by one artist in a journey. */
export const ARTIST_CAP = 2

/** The sound features kept close to the seeds: the mood axes themselves are steered by the targets. */
const SOUND = ['tempo', 'danceability', 'acousticness', 'loudness'] as const

/**
 * A playlist that moves from one mood to another in n tracks: targets evenly spaced on the straight line
 * between the two moods' anchors on the valence-energy plane, and for each the unused track nearest to it
 * (plus a small pull towards the seeds' sound), so valence and energy change in even, small steps.
 */
export function moodJourney(saved: Pick<SavedMoods, 'proba'>, cat: MoodCatalogue, o: JourneyOptions): JourneyStep[] {
  if (!Number.isInteger(o.n) || o.n < 2 || o.n > 100) throw new SegueError('E_BAD_ARGUMENT', `a journey has 2 to 100 tracks, got ${o.n}`)
  const [v, e] = [featureIndex('valence'), featureIndex('energy')]
  const start = anchor(saved, cat, o.from, v, e)
  const end = anchor(saved, cat, o.to, v, e)
  const plane = planeOf(cat)
  const sound = seedSound(cat, plane, o.seeds ?? [])
  const used = new Set<number>()
  const perArtist = new Map<string, number>()
  const steps: JourneyStep[] = []
  for (let i = 0; i < o.n; i++) {
    const f = i / (o.n - 1)
    const target = { valence: start.valence + f * (end.valence - start.valence), energy: start.energy + f * (end.energy - start.energy) }
    const row = nearest(plane, target, sound, (r) => !used.has(r) && !o.exclude?.has(cat.tracks[r].id) && !o.skip?.(r) && (perArtist.get(cat.tracks[r].artists[0]) ?? 0) < ARTIST_CAP)
    if (row < 0) break
    used.add(row)
    perArtist.set(cat.tracks[row].artists[0], (perArtist.get(cat.tracks[row].artists[0]) ?? 0) + 1)
    const t = cat.tracks[row]
    steps.push({ track: t, target, valence: t.features[v], energy: t.features[e], mood: topMood(saved, row) })
  }
  return steps
}

/** Anchors per probabilities array: a server asks for journeys again and again over the same moods. */
const anchors = new WeakMap<Float32Array, Map<Mood, { valence: number; energy: number }>>()

/** Mean valence and energy of the mood's ANCHOR_TRACKS most probable tracks (worked out once per moods). */
function anchor(saved: Pick<SavedMoods, 'proba'>, cat: MoodCatalogue, mood: Mood, v: number, e: number): { valence: number; energy: number } {
  let known = anchors.get(saved.proba)
  if (!known) anchors.set(saved.proba, (known = new Map()))
  const hit = known.get(mood)
  if (hit) return hit
  const found = anchorOf(saved, cat, mood, v, e)
  known.set(mood, found)
  return found
}

function anchorOf(saved: Pick<SavedMoods, 'proba'>, cat: MoodCatalogue, mood: Mood, v: number, e: number): { valence: number; energy: number } {
  const c = MOODS.indexOf(mood)
  const rows = [...cat.tracks.keys()].sort((a, b) => saved.proba[b * MOODS.length + c] - saved.proba[a * MOODS.length + c] || a - b).slice(0, ANCHOR_TRACKS)
  if (rows.length === 0) throw new SegueError('E_EMPTY_CATALOGUE', 'the catalogue is empty')
  const mean = (j: number) => rows.reduce((s, r) => s + cat.tracks[r].features[j], 0) / rows.length
  return { valence: mean(v), energy: mean(e) }
}

/** Valence, energy and the sound features of every track as columns, and each sound feature's spread. */
interface Plane { valence: Float64Array; energy: Float64Array; sound: Float64Array[]; sd: number[] }

/** Columns are read on every step of every journey: made once per catalogue rather than read off each track. */
const planes = new WeakMap<readonly Track[], Plane>()

function planeOf(cat: MoodCatalogue): Plane {
  let p = planes.get(cat.tracks)
  if (p) return p
  const column = (j: number) => Float64Array.from(cat.tracks, (t) => t.features[j])
  const sound = SOUND.map((f) => column(featureIndex(f)))
  const sd = sound.map((col) => {
    const m = col.reduce((s, x) => s + x, 0) / col.length
    return Math.sqrt(col.reduce((s, x) => s + (x - m) ** 2, 0) / col.length) || 1
  })
  planes.set(cat.tracks, (p = { valence: column(featureIndex('valence')), energy: column(featureIndex('energy')), sound, sd }))
  return p
}

/** The seeds' mean sound, per sound feature. */
function seedSound(cat: MoodCatalogue, plane: Plane, seeds: readonly string[]): number[] | null {
  const rows = seeds.map((id) => cat.rowOf.get(id)).filter((r): r is number => r !== undefined)
  if (rows.length === 0) return null
  return plane.sound.map((col) => rows.reduce((s, r) => s + col[r], 0) / rows.length)
}

function nearest(plane: Plane, target: { valence: number; energy: number }, centre: number[] | null, ok: (r: number) => boolean): number {
  let best = -1
  let bestD = Infinity
  const k = plane.sound.length
  for (let r = 0; r < plane.valence.length; r++) {
    let d = (plane.valence[r] - target.valence) ** 2 + (plane.energy[r] - target.energy) ** 2
    if (centre) for (let j = 0; j < k; j++) d += (SEED_WEIGHT * ((plane.sound[j][r] - centre[j]) / plane.sd[j]) ** 2) / k
    if (d < bestD && ok(r)) { bestD = d; best = r }
  }
  return best
}

function topMood(saved: Pick<SavedMoods, 'proba'>, row: number): Mood {
  let best = 0
  for (let c = 1; c < MOODS.length; c++) if (saved.proba[row * MOODS.length + c] > saved.proba[row * MOODS.length + best]) best = c
  return MOODS[best]
}
