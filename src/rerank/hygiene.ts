import type { Track } from '../core/track.js'
import { artistSet, recordingTitle } from './recording.js'

/*
 * List hygiene: what no list offers a listener unless their own history asks for it.
 *
 * Three classes of track, each found by rules on the track alone (title, artists, genres), so a row is
 * classified the first time a list looks at it and the answer is kept in a byte per row:
 * - kids: children's music (nursery rhymes, kids' party and educational songs);
 * - karaoke: backing tracks and sound-alike recordings sold as karaoke;
 * - cover: covers and tribute versions marked as such.
 * A fourth rule depends on the listener: a "cover of a positive" is a track with the same base title as one
 * the listener picked, liked or played (the title without bracketed or dashed notes), by none of its artists.
 *
 * The listener's own history lifts a class: when any of their positives (the request's seeds, their likes and
 * plays, see service/profile.ts) is in a class, that class is allowed for them; covers of a positive are
 * allowed when covers are (a listener who likes a cover may be given the original, which looks like a cover of
 * it). Similar tracks use the seed as the history.
 *
 * Within one list, a fifth rule (SameTitleGuard): one track per base title when the artists differ, the first
 * placed, so a list does not show a cover beside its original whichever of them the listener's history holds.
 *
 * Where unsure the rules keep a track: hiding an original costs more than showing a cover. Measured on the
 * bundled 114k catalogue in test/rerank/hygiene-real.test.ts and bench/hygiene.bench.ts.
 */

export const HYGIENE_CLASSES = ['kids', 'karaoke', 'cover'] as const
export type HygieneClass = (typeof HYGIENE_CLASSES)[number]

/** One bit per class in a row's byte; KNOWN marks a row already classified. */
export const CLASS_BIT: Readonly<Record<HygieneClass, number>> = { kids: 1, karaoke: 2, cover: 4 }
const KNOWN = 0x80

/** The parts of a track the rules read, worked out once. */
interface Parsed {
  /** Folded title (lower case, accents dropped). */
  title: string
  /** The title's notes: bracketed parts and what follows " - ", folded. */
  notes: string[]
  /** Folded artist names. */
  artists: string[]
  genres: readonly string[]
}

export interface HygieneRule {
  name: string
  cls: HygieneClass
  /** One line: why the rule holds, and what it leaves alone. */
  reason: string
  test(t: Parsed): boolean
}

/** Genres under which the 114k catalogue files children's music; 'disney' and 'show-tunes' are film and stage music for all ages. */
export const KIDS_GENRES: ReadonlySet<string> = new Set(['children', 'kids'])
/** Kidz Bop re-records hits for children; its tracks are filed under pop genres too. */
const KIDS_ARTIST = /\bkidz bop\b/
/** "karaoke" inside a note ("- Instrumental Karaoke", "(Karaoke Version)"); a song titled "Karaoke" is kept. */
const KARAOKE_NOTE = /\bkaraoke\b/
/** Karaoke labels name the song they imitate: "in the style of X", "originally performed by X", "made famous by X". */
const SOUNDALIKE = /\b(?:in the style of|originally performed by|(?:as )?made famous by)\b/
/** Artist names of karaoke labels ("Karaoke Hits Band", "The Karaoke Channel"). */
const KARAOKE_ARTIST = /\bkaraoke\b/
/** "cover" inside a note ("- Cover of Journey", "(Survivor Cover)", "(Cover)"); "Take Cover" or "Under Cover of Darkness" are titles. */
const COVER_NOTE = /\bcover\b/
/** "tribute" inside a note ("- Avicii Tribute", "(Tribute to X)"), except a DJ's "Tribute Mix", which is a remix. */
const TRIBUTE_NOTE = /\btribute\b(?!\s+(?:mix|edit|remix))/
/** Cover acts by name: tribute bands, "... Covers" projects, and Glee Cast, whose tracks are covers sung on the show ("(Glee Cast Version)"). */
const COVER_ARTIST = /\btribute\b|\bcovers\b|^glee cast$/

export const HYGIENE_RULES: readonly HygieneRule[] = [
  { name: 'kids-genre', cls: 'kids', reason: 'listed under a children\'s genre (children, kids)', test: (t) => t.genres.some((g) => KIDS_GENRES.has(g)) },
  { name: 'kids-artist', cls: 'kids', reason: 'by Kidz Bop, children\'s re-recordings of hits', test: (t) => t.artists.some((a) => KIDS_ARTIST.test(a)) },
  { name: 'karaoke-note', cls: 'karaoke', reason: 'a note of the title says karaoke', test: (t) => t.notes.some((n) => KARAOKE_NOTE.test(n)) },
  { name: 'karaoke-soundalike', cls: 'karaoke', reason: 'titled "in the style of" / "originally performed by" / "made famous by" another artist', test: (t) => SOUNDALIKE.test(t.title) },
  { name: 'karaoke-artist', cls: 'karaoke', reason: 'by a karaoke label', test: (t) => t.artists.some((a) => KARAOKE_ARTIST.test(a)) },
  { name: 'cover-note', cls: 'cover', reason: 'a note of the title says cover', test: (t) => t.notes.some((n) => COVER_NOTE.test(n)) },
  { name: 'tribute-note', cls: 'cover', reason: 'a note of the title says tribute (not a "tribute mix")', test: (t) => t.notes.some((n) => TRIBUTE_NOTE.test(n)) },
  { name: 'cover-artist', cls: 'cover', reason: 'by a tribute band, a covers project or Glee Cast', test: (t) => t.artists.some((a) => COVER_ARTIST.test(a)) },
]

/*
 * Not a rule: "(<performer> Version)" naming the lead artist. On the 114k catalogue it flags 118 tracks, but
 * beyond Glee Cast (a cover act by name above) most are originals: SMASH Cast's songs written for the show, the
 * singer versions of film songs ("Bekhayali (Arijit Singh Version)"), Carl Craig's "Attenuator - Carl Craig Version".
 */

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/

function fold(s: string): string {
  return (PRINTABLE_ASCII.test(s) ? s : s.normalize('NFD').replace(/\p{M}+/gu, '')).toLowerCase().replace(/\s+/g, ' ').trim()
}

const BRACKETED = /[([{]([^()[\]{}]*)[)\]}]/g
/** " - note" at the end of a title, the usual Spotify way of writing a version. */
const DASH_NOTE = /\s[-–—]\s+(.*)$/

function parse(t: Track): Parsed {
  const title = fold(t.name)
  const notes: string[] = []
  for (const m of title.matchAll(BRACKETED)) notes.push(m[1].trim())
  const dash = DASH_NOTE.exec(title.replace(BRACKETED, ' '))
  if (dash) notes.push(dash[1].trim())
  return { title, notes, artists: t.artists.map(fold), genres: t.genres }
}

/** The names of the rules a track meets (empty for most tracks). */
export function hygieneRulesOf(t: Track): string[] {
  const p = parse(t)
  return HYGIENE_RULES.filter((r) => r.test(p)).map((r) => r.name)
}

/** Every word the rules on titles and artists look for (all plain ASCII): a track with none of them needs no parsing. */
const TELLING = /karaoke|cover|tribute|style\s+of|performed\s+by|famous\s+by|kidz\s+bop|glee\s+cast/i

/** The class bits of a track, by the rules above. */
export function trackClasses(t: Track): number {
  // Most tracks have no telling word: only the genre rule can flag them, and parsing is skipped.
  if (!mayBeTelling(t)) return t.genres.some((g) => KIDS_GENRES.has(g)) ? CLASS_BIT.kids : 0
  const p = parse(t)
  let bits = 0
  for (const r of HYGIENE_RULES) if ((bits & CLASS_BIT[r.cls]) === 0 && r.test(p)) bits |= CLASS_BIT[r.cls]
  return bits
}

function mayBeTelling(t: Track): boolean {
  return TELLING.test(t.name) || t.artists.some((a) => TELLING.test(a))
}

interface CatalogueHygiene {
  /** Per row: KNOWN | class bits once classified, 0 before. */
  bits: Uint8Array
  /** Per row: base title once asked for. */
  baseTitles: (string | undefined)[]
  /** Per row: artistSet once asked for (shared by every list and allowance: never changed). */
  artists: (readonly string[] | undefined)[]
}

const caches = new WeakMap<readonly Track[], CatalogueHygiene>()

function cacheOf(tracks: readonly Track[]): CatalogueHygiene {
  let c = caches.get(tracks)
  if (!c) caches.set(tracks, (c = { bits: new Uint8Array(tracks.length), baseTitles: new Array(tracks.length), artists: new Array(tracks.length) }))
  return c
}

/** A row's class bits, classified on first use and kept (one byte per row of the catalogue). */
export function classesOfRow(tracks: readonly Track[], row: number): number {
  const c = cacheOf(tracks)
  let b = c.bits[row]
  if (b === 0) c.bits[row] = b = KNOWN | trackClasses(tracks[row])
  return b & ~KNOWN
}

/** Classifies every row at once (benchmarks, reports); lists classify lazily through classesOfRow. */
export function classifyCatalogue(tracks: readonly Track[]): Uint8Array {
  for (let row = 0; row < tracks.length; row++) classesOfRow(tracks, row)
  return cacheOf(tracks).bits
}

/**
 * A title as covers share it: release and version notes (anything bracketed or after " - ") and "feat." credits
 * dropped, then folded as recordings compare titles. "Bohemian Rhapsody (Glee Cast Version)" and "Bohemian
 * Rhapsody - Remastered 2011" both give "bohemian rhapsody". A title that is all notes keeps them.
 */
export function baseTitle(name: string): string {
  const stripped = name
    .replace(BRACKETED, ' ')
    .replace(DASH_NOTE, '')
    .replace(/\s(?:feat|ft|featuring)\.?\s.*$/i, '')
  return recordingTitle(stripped) || recordingTitle(name)
}

function baseTitleOfRow(tracks: readonly Track[], row: number): string {
  const c = cacheOf(tracks)
  return (c.baseTitles[row] ??= baseTitle(tracks[row].name))
}

/** A row's artistSet, worked out on first use and kept: the one array is shared, so no caller may change it. */
function artistSetOfRow(tracks: readonly Track[], row: number): readonly string[] {
  const c = cacheOf(tracks)
  return (c.artists[row] ??= artistSet(tracks[row]))
}

/**
 * A same-titled track by other artists counts as a cover of the listener's only when it is at least this many
 * popularity points below it: a cover sits well below the song it covers, while an original, a remix's source
 * or another song of that title is as popular or more (measured on 20,000 similar-track neighbours of 1,000 random
 * seeds: a gap of 1 hid Sterling Void's "It's Alright", the original of a remix seed). Unknown popularity counts as 0.
 */
const COVER_POPULARITY_GAP = 10

/** What a listener's history allows: class bits, and their positives' base titles with the artists of each. */
export interface HygieneAllowance {
  allowed: number
  titles: Map<string, { artists: readonly string[]; popularity: number }[]>
}

/**
 * The allowance of a listener whose positives (seeds, likes, plays) are these rows: every class one of them is
 * in; covers too when two positives are one title by different artists (they collect versions of a song).
 */
export function allowanceOf(tracks: readonly Track[], positiveRows: Iterable<number>): HygieneAllowance {
  let allowed = 0
  const titles = new Map<string, { artists: readonly string[]; popularity: number }[]>()
  for (const row of positiveRows) {
    allowed |= classesOfRow(tracks, row)
    const title = baseTitleOfRow(tracks, row)
    const entry = { artists: artistSetOfRow(tracks, row), popularity: tracks[row].popularity ?? 0 }
    const same = titles.get(title)
    if (!same) titles.set(title, [entry])
    else {
      if (same.some((s) => !sharesArtist(s.artists, entry.artists))) allowed |= CLASS_BIT.cover
      same.push(entry)
    }
  }
  return { allowed, titles }
}

/**
 * The allowance of `base`'s positives and `rows` together, as allowanceOf would give for all of them (base is
 * left as it was): a cached history's allowance plus one request's seeds.
 */
export function extendAllowance(tracks: readonly Track[], base: HygieneAllowance, rows: Iterable<number>): HygieneAllowance {
  let allowed = base.allowed
  const titles = new Map(base.titles)
  for (const row of rows) {
    allowed |= classesOfRow(tracks, row)
    const title = baseTitleOfRow(tracks, row)
    const entry = { artists: artistSetOfRow(tracks, row), popularity: tracks[row].popularity ?? 0 }
    const same = titles.get(title)
    if (same?.some((s) => !sharesArtist(s.artists, entry.artists))) allowed |= CLASS_BIT.cover
    titles.set(title, same ? [...same, entry] : [entry])
  }
  return { allowed, titles }
}

function sharesArtist(a: readonly string[], b: readonly string[]): boolean {
  return a.some((x) => b.includes(x))
}

/** True when a row may appear in a list for a listener with this allowance. */
export function passesHygiene(tracks: readonly Track[], allowance: HygieneAllowance, row: number): boolean {
  if ((classesOfRow(tracks, row) & ~allowance.allowed) !== 0) return false
  if ((allowance.allowed & CLASS_BIT.cover) !== 0 || allowance.titles.size === 0) return true
  const same = allowance.titles.get(baseTitleOfRow(tracks, row))
  return !same || !isCoverOfPositive(tracks, row, same)
}

function isCoverOfPositive(tracks: readonly Track[], row: number, versions: readonly { artists: readonly string[]; popularity: number }[]): boolean {
  const artists = artistSetOfRow(tracks, row)
  if (artists.length === 0 || versions.some((v) => sharesArtist(v.artists, artists))) return false
  const pop = tracks[row].popularity ?? 0
  return versions.some((v) => pop <= v.popularity - COVER_POPULARITY_GAP)
}

/**
 * Titles that name a place on an album rather than a song ("Intro", "Interlude", "Outro - Live", "Skit 2",
 * "Untitled"): tracks so titled by different artists are different pieces, so sameTitle leaves them alone.
 */
const GENERIC_TITLE = /^(?:intro|outro|interlude|skit|prelude|untitled|reprise|hidden track|bonus track|track \d+)(?: \d+)?$/

/**
 * One title per list (the fifth rule at the top of this file): a list never holds two tracks
 * of one base title by artists that share none, as Megadeth's "Paranoid" beside Black Sabbath's. The track
 * placed first (best scored) stays and later ones are left out. Which of the two is the original cannot be told
 * from the catalogue (popularity misleads: Megadeth's cover is at 65, Sabbath's original at 42), and two songs
 * that only share a title lose little when one makes way. Generic titles (GENERIC_TITLE) are exempt; releases
 * of one recording, or an artist's own versions, are the recording rules' business (rerank/recording.ts).
 */
export class SameTitleGuard {
  private readonly kept = new Map<string, (readonly string[])[]>()

  constructor(private readonly tracks: readonly Track[]) {}

  /** False when the list already holds this row's base title by other artists. */
  admits(row: number): boolean {
    const title = baseTitleOfRow(this.tracks, row)
    const earlier = this.kept.get(title)
    if (!earlier || GENERIC_TITLE.test(title)) return true
    const artists = artistSetOfRow(this.tracks, row)
    return artists.length === 0 || earlier.every((a) => sharesArtist(a, artists))
  }

  /** Records a row placed in the list. */
  take(row: number): void {
    const title = baseTitleOfRow(this.tracks, row)
    const earlier = this.kept.get(title)
    if (earlier) earlier.push(artistSetOfRow(this.tracks, row))
    else this.kept.set(title, [artistSetOfRow(this.tracks, row)])
  }
}

/** Rows in order with SameTitleGuard applied: the first of each base title by disjoint artists stays. */
export function oneTitlePerList<T extends { row: number }>(tracks: readonly Track[], list: readonly T[]): T[] {
  const guard = new SameTitleGuard(tracks)
  return list.filter((c) => guard.admits(c.row) && (guard.take(c.row), true))
}

/**
 * The filter every list applies: a predicate on catalogue rows for a listener whose positives are
 * `positiveRows` (see the rules at the top of this file).
 */
export function hygieneFilter(tracks: readonly Track[], positiveRows: Iterable<number>): (row: number) => boolean {
  const allowance = allowanceOf(tracks, positiveRows)
  return (row) => passesHygiene(tracks, allowance, row)
}

/**
 * The rows that stand for an artist-level history (a listener known by the artists they play, as in HetRec):
 * each artist's most popular catalogue track, so their classes allow a class as a liked track would (a listener
 * of a children's artist gets children's tracks). One track each, not all: an artist's whole catalogue would
 * share titles with other artists' and so allow every cover.
 */
export function artistHistoryRows(tracks: readonly Track[], artistNames: Iterable<string>): number[] {
  const wanted = new Set([...artistNames].map(fold))
  const best = new Map<string, number>()
  tracks.forEach((t, row) => {
    for (const a of t.artists) {
      const key = fold(a)
      if (!wanted.has(key)) continue
      const at = best.get(key)
      if (at === undefined || (t.popularity ?? 0) > (tracks[at].popularity ?? 0)) best.set(key, row)
    }
  })
  return [...new Set(best.values())]
}

const profileFilters = new WeakMap<object, (row: number) => boolean>()

/**
 * Makes profileHygiene answer for `profile` from an allowance worked out elsewhere, on first use (a cached
 * history's allowance with the request's seeds added: service/profile.ts). It must be the allowance of the
 * profile's positives.
 */
export function setProfileAllowance(tracks: readonly Track[], profile: object, allowance: () => HygieneAllowance): void {
  let a: HygieneAllowance | undefined
  profileFilters.set(profile, (row) => passesHygiene(tracks, (a ??= allowance()), row))
}

/**
 * hygieneFilter for a listener's profile (its positives: seeds, likes, plays), made once per profile object so
 * the several stages of one request share it.
 */
export function profileHygiene(tracks: readonly Track[], profile: { positives: readonly { row: number }[] }): (row: number) => boolean {
  let f = profileFilters.get(profile)
  if (!f) profileFilters.set(profile, (f = hygieneFilter(tracks, profile.positives.map((p) => p.row))))
  return f
}
