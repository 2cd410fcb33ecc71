import type { Track } from '../core/track.js'

/*
 * Recording identity: which catalogue rows are releases of one recording (the album track, the single, a
 * compilation copy, a remaster), so that every list shows a recording once and a verdict on one release holds
 * for all of them.
 *
 * Two tracks are releases of one recording when all of these hold:
 *
 * 1. Title. Their titles are equal once case, accents, punctuation and spacing are ignored and trailing
 *    release notes are dropped: remaster notes in their usual spellings ("- Remastered 2011", "(2009 -
 *    Remaster)", "- 2005 Digital Remaster", "- Remasterizado"), edition notes ("- Deluxe Edition", "(30th
 *    Anniversary Edition)", "- Bonus Track") and "- Album/Single/Original Version". These describe a release,
 *    not a performance. Every other note stays part of the title, so a live take, a remix (by anyone), an
 *    edit, an acoustic, instrumental, demo, mono or stereo version, a reprise, a cover's "Glee Cast Version"
 *    or a "(feat. X)" version never matches the plain title: the note says it is different audio, or we cannot
 *    tell.
 * 2. Artists. The same set of artist names (order, case and accents ignored): a different song with the same
 *    title by other artists is another recording. One set may also strictly contain the other (a compilation
 *    that leaves out the composer or a guest), but only under the strict guard below, because a duet and the
 *    solo version ("Winter Wonderland" by Tony Bennett, and with Lady Gaga) often last the same time.
 * 3. Audio. Title and artists alone would merge re-recordings, album and single edits and same-titled songs,
 *    so the audio must agree too. With the same artists: durations within DURATION_TOLERANCE_MS, every 0-1
 *    feature within FEATURE_TOLERANCE and tempi within TEMPO_TOLERANCE (a doubled or halved tempo counts as
 *    the same, a common analysis slip). Loudness, key and mode are not compared: remastering moves loudness
 *    by several dB, and key detection flips between masters of one recording. With contained artists:
 *    the same audio, as a copied file measures (STRICT_* tolerances on every feature, loudness included).
 *    Unknown artists or durations never match.
 *
 * Each group's representative is its most popular release (ties: the lowest id); every other release is
 * compared with the representative, never with another member, so matches do not chain. Where unsure the rules
 * keep tracks apart: a duplicate left in a list costs less than a recording wrongly hidden.
 */

/** Remastered releases of one recording differ by up to ~3 s (longer or shorter fades); edits by more. */
const DURATION_TOLERANCE_MS = 3000
/**
 * Remasters move energy, acousticness and valence by up to ~0.25; a live or acoustic take moves liveness or
 * acousticness by more (measured on the 114k catalogue's title-matched pairs).
 */
const FEATURE_TOLERANCE = 0.25
/** Relative tempo difference of one recording measured twice. */
const TEMPO_TOLERANCE = 0.04
/** A copied file: re-measured features agree to the second decimal and durations to the second. */
const STRICT_DURATION_MS = 1000
const STRICT_FEATURE_TOLERANCE = 0.02
const STRICT_LOUDNESS_DB = 0.5
const STRICT_TEMPO_TOLERANCE = 0.01

/** Feature positions in Track.features (AUDIO_FEATURES order). */
const UNIT_FEATURES = [0, 1, 5, 6, 7, 8, 9] // danceability, energy, speechiness, acousticness, instrumentalness, liveness, valence
const KEY = 2
const LOUDNESS = 3
const MODE = 4
const TEMPO = 10
const TIME_SIGNATURE = 11

const RELEASE_NOTE = [
  String.raw`(?:\d{4}\s*-?\s*)?(?:digital(?:ly)?\s+)?remaster(?:ed|izad[oa])?(?:\s+(?:\d{4}|version))*`,
  String.raw`vers(?:ao|ion)\s+remasterizad[ao]`,
  String.raw`(?:\d+(?:st|nd|rd|th)\s+)?(?:deluxe(?:\s+(?:edition|version))?|(?:expanded|special|anniversary)\s+(?:edition|version))`,
  String.raw`bonus(?:\s+track)?`,
  String.raw`(?:album|single|original)\s+version`,
].join('|')
/** One release note at the very end of a (lower-cased, accent-free) title: "- note", "(note)" or "[note]". */
const TRAILING_NOTE = new RegExp(String.raw`\s*(?:-\s*(?:${RELEASE_NOTE})|[([]\s*(?:${RELEASE_NOTE})\s*[)\]])\s*$`)

/** Words every release note contains one of: titles without them skip the costlier note pattern. */
const NOTE_WORD = /remaster|deluxe|edition|bonus|version/

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/

/** Lower case without accents; plain ASCII (most titles) skips Unicode normalisation. */
function fold(s: string): string {
  return (PRINTABLE_ASCII.test(s) ? s : s.normalize('NFD').replace(/\p{M}+/gu, '')).toLowerCase()
}

/** A title as recordings compare it: folded, release notes dropped (repeatedly), punctuation as spaces. */
export function recordingTitle(name: string): string {
  const ascii = PRINTABLE_ASCII.test(name)
  let s = (ascii ? name : name.normalize('NFD').replace(/\p{M}+/gu, '')).toLowerCase()
  if (NOTE_WORD.test(s)) {
    s = s.replace(/\s+/g, ' ').trim()
    for (let t = s.replace(TRAILING_NOTE, ''); t !== s; t = s.replace(TRAILING_NOTE, '')) s = t
  }
  return s.replace(ascii ? /[^a-z0-9]+/g : /[^\p{L}\p{N}]+/gu, ' ').trim()
}

/** The distinct artist names of a track, folded and sorted. */
export function artistSet(t: Track): string[] {
  return [...new Set(t.artists.map((a) => fold(a).replace(/\s+/g, ' ').trim()).filter((a) => a !== ''))].sort()
}

/** 'same', 'contained' (one set strictly inside the other) or null when the credits do not fit. */
function artistRelation(a: readonly string[], b: readonly string[]): 'same' | 'contained' | null {
  if (a.length === 0 || b.length === 0) return null
  const [small, large] = a.length <= b.length ? [a, b] : [b, a]
  if (!small.every((x) => large.includes(x))) return null
  return small.length === large.length ? 'same' : 'contained'
}

function tempoClose(a: number, b: number, tolerance: number): boolean {
  if (!(a > 0 && b > 0)) return a === b
  const ratio = Math.max(a, b) / Math.min(a, b)
  return Math.abs(ratio - 1) <= tolerance || Math.abs(ratio / 2 - 1) <= tolerance
}

/** Rule 3 above: the audio of two tracks agrees, loosely (same artists) or strictly (contained artists). */
function sameAudio(a: Track, b: Track, strict: boolean): boolean {
  if (a.durationMs === null || b.durationMs === null) return false
  if (Math.abs(a.durationMs - b.durationMs) > (strict ? STRICT_DURATION_MS : DURATION_TOLERANCE_MS)) return false
  const tolerance = strict ? STRICT_FEATURE_TOLERANCE : FEATURE_TOLERANCE
  if (UNIT_FEATURES.some((j) => Math.abs(a.features[j] - b.features[j]) > tolerance)) return false
  if (!tempoClose(a.features[TEMPO], b.features[TEMPO], strict ? STRICT_TEMPO_TOLERANCE : TEMPO_TOLERANCE)) return false
  if (!strict) return true
  return Math.abs(a.features[LOUDNESS] - b.features[LOUDNESS]) <= STRICT_LOUDNESS_DB &&
    [KEY, MODE, TIME_SIGNATURE].every((j) => a.features[j] === b.features[j])
}

interface Prepared {
  track: Track
  title: string
  artists: string[]
}

function prepare(t: Track): Prepared {
  return { track: t, title: recordingTitle(t.name), artists: artistSet(t) }
}

function samePrepared(a: Prepared, b: Prepared): boolean {
  if (a.title !== b.title) return false
  const relation = artistRelation(a.artists, b.artists)
  return relation !== null && sameAudio(a.track, b.track, relation === 'contained')
}

/** True when two tracks are releases of one recording, by the rules above. */
export function sameRecording(a: Track, b: Track): boolean {
  return samePrepared(prepare(a), prepare(b))
}

/** Most popular first (unknown popularity last), then the lowest id: the order representatives are chosen in. */
function byPrecedence(a: Track, b: Track): number {
  return (b.popularity ?? -1) - (a.popularity ?? -1) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

const keysCache = new WeakMap<readonly Track[], string[]>()

/**
 * The recording key of every track: the id of its recording's representative (its most popular release), so
 * rows share a key exactly when they are releases of one recording, and the key names the release to show.
 * Needs the whole catalogue (a release is matched against the others); computed once per tracks array.
 */
export function recordingKeys(tracks: readonly Track[]): string[] {
  const cached = keysCache.get(tracks)
  if (cached) return cached
  const keys = tracks.map((t) => t.id)
  for (const rows of sharedTitles(tracks)) {
    const group = rows.map((row) => ({ row, ...prepare(tracks[row]) })).sort((a, b) => byPrecedence(a.track, b.track))
    const representatives: Prepared[] = []
    for (const p of group) {
      const rep = representatives.find((r) => samePrepared(p, r))
      if (rep) keys[p.row] = rep.track.id
      else representatives.push(p)
    }
  }
  keysCache.set(tracks, keys)
  return keys
}

/** Rows grouped by recording title, only the titles more than one row shares (the rest are their own recording). */
function sharedTitles(tracks: readonly Track[]): number[][] {
  const first = new Map<string, number>()
  const groups = new Map<string, number[]>()
  tracks.forEach((t, row) => {
    const title = recordingTitle(t.name)
    const at = first.get(title)
    if (at === undefined) first.set(title, row)
    else {
      const rows = groups.get(title)
      if (rows) rows.push(row)
      else groups.set(title, [at, row])
    }
  })
  return [...groups.values()]
}

const representativesCache = new WeakMap<readonly string[], Int32Array>()

/**
 * For each row, the row of its recording's representative (the release lists show), from the keys of
 * `recordingKeys`. Computed once per keys array.
 */
export function representativeRows(tracks: readonly Track[], keys: readonly string[], rowOf?: ReadonlyMap<string, number>): Int32Array {
  const cached = representativesCache.get(keys)
  if (cached) return cached
  // A key is its representative's id: the id -> row map at hand (the engine's rowOf) answers, else one is made.
  const rowOfId = rowOf ?? new Map(tracks.map((t, row) => [t.id, row]))
  const reps = Int32Array.from(keys, (key, row) => rowOfId.get(key) ?? row)
  representativesCache.set(keys, reps)
  return reps
}
