import type { RawInteraction } from '../interactions.js'
import { RowProblem, type NumericRule, type RowCells } from '../row-cells.js'
import { listensResult, requiredNumber, wholeId, type ListensReport, type ReadListensResult } from './events.js'
import { plainOrGz, requireColumns, type ReadListensOptions, type TableReport } from './read-table.js'
import { readTsvTable, type TsvLayout } from './tsv-table.js'

/*
 * HetRec 2011 Last.fm 2K (GroupLens): tab-separated, one header row, no quoting. user_artists, tags,
 * user_taggedartists and user_friends end lines with CRLF. artists.dat is UTF-8 although the dataset is
 * often described as Latin-1, while tags.dat really is Latin-1 (eight tags such as 'rock français'): every
 * text file is therefore decoded line by line as UTF-8 where valid and Latin-1 otherwise. The files are small
 * (at most a few MB inflated) and never quoted, so they are read whole and split by hand (tsv-table.ts).
 */

/** Play counts are whole and not negative; the largest in the real file is 352,698. */
const PLAYS_RULE: NumericRule = { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true }
const DAY_RULE: NumericRule = { min: 1, max: 31, integer: true }
const MONTH_RULE: NumericRule = { min: 1, max: 12, integer: true }
/** Wide on purpose: the real file has a few taggings dated 1956 to 1979, before Last.fm existed; kept as written. */
const YEAR_RULE: NumericRule = { min: 1000, max: 2999, integer: true }

/** One row of user_taggedartists.dat: `user` tagged `artist` with `tag` on that day. */
export interface HetrecTagging {
  user: string
  artist: string
  tag: string
  /** The day, as unix seconds at 00:00 UTC. */
  time: number
}

function hetrecLayout<T>(file: string, phase: string, columns: readonly string[], read: (c: RowCells) => T): TsvLayout<T> {
  return {
    phase,
    rowReader: (header) => {
      requireColumns(header, columns, file)
      return read
    },
  }
}

/** user_artists.dat: one event per (user, artist), value = play count. */
export async function readHetrecPlays(path: string, opts: ReadListensOptions = {}): Promise<ReadListensResult> {
  const layout = hetrecLayout(path, 'read plays', ['userID', 'artistID', 'weight'], (c) => ({
    user: wholeId(c, 'userid'),
    item: wholeId(c, 'artistid'),
    value: requiredNumber(c, 'weight', PLAYS_RULE),
  }))
  const { values, report } = await readTsvTable(path, layout, opts)
  return listensResult(values, report)
}

/** artists.dat: artist id -> name as written. The url and pictureURL columns are not kept. */
export function readHetrecArtists(path: string, opts: ReadListensOptions = {}) {
  return readNames(path, 'read artists', 'id', 'name', opts)
}

/** tags.dat: tag id -> tag text. */
export function readHetrecTags(path: string, opts: ReadListensOptions = {}) {
  return readNames(path, 'read tags', 'tagID', 'tagValue', opts)
}

/** An id -> text table; a repeated id is a malformed row, as the first one read may not be the right one. */
async function readNames(path: string, phase: string, idColumn: string, textColumn: string, opts: ReadListensOptions) {
  const names = new Map<string, string>()
  const [id, text] = [idColumn.toLowerCase(), textColumn.toLowerCase()]
  const layout = hetrecLayout(path, phase, [id, text], (c) => {
    const key = wholeId(c, id)
    if (names.has(key)) throw new RowProblem('duplicate id', id, key)
    names.set(key, c.text(text))
    return key
  })
  const { report } = await readTsvTable(path, layout, opts)
  return { names, report }
}

/** user_taggedartists.dat: who tagged which artist with which tag, and on what day. */
export async function readHetrecTaggings(path: string, opts: ReadListensOptions = {}) {
  const columns = ['userID', 'artistID', 'tagID', 'day', 'month', 'year']
  const layout = hetrecLayout(path, 'read taggings', columns, (c): HetrecTagging => ({
    user: wholeId(c, 'userid'),
    artist: wholeId(c, 'artistid'),
    tag: wholeId(c, 'tagid'),
    time: dayToUnix(c),
  }))
  const { values, report } = await readTsvTable(path, layout, opts)
  return { taggings: values, report }
}

/** user_friends.dat: [user, friend] pairs as listed; the file lists each friendship in both directions. */
export async function readHetrecFriends(path: string, opts: ReadListensOptions = {}) {
  const layout = hetrecLayout(path, 'read friends', ['userID', 'friendID'], (c) => [wholeId(c, 'userid'), wholeId(c, 'friendid')] as [string, string])
  const { values, report } = await readTsvTable(path, layout, opts)
  return { friends: values, report }
}

function dayToUnix(c: RowCells): number {
  const [d, m, y] = [requiredNumber(c, 'day', DAY_RULE), requiredNumber(c, 'month', MONTH_RULE), requiredNumber(c, 'year', YEAR_RULE)]
  const ms = Date.UTC(y, m - 1, d)
  if (new Date(ms).getUTCDate() !== d) throw new RowProblem(`no day ${d} in month ${m} of ${y}`, 'day', String(d))
  return ms / 1000
}

/** How reading a HetRec folder went, file by file. */
export interface HetrecReport {
  plays: ListensReport
  artists: TableReport
  tags: TableReport
  taggings: TableReport
  friends: TableReport
  /** Taggings whose tag id is missing from tags.dat; counted under the key '#<id>'. */
  unknownTags: number
}

export interface HetrecData {
  /** user = userID, item = artistID, value = play count. */
  events: RawInteraction[]
  /** artistID -> name. */
  artists: Map<string, string>
  /** artistID -> tag text -> how many users gave the artist that tag. */
  tags: Map<string, Map<string, number>>
  /** [userID, friendID], both directions listed. */
  friends: [string, string][]
  report: HetrecReport
}

/**
 * Reads a HetRec 2011 Last.fm 2K folder: the shared originals (`*.dat`) or the bundled copies (`*.dat.gz`).
 * Files are read one after another, each reporting its own progress phase.
 */
export async function readHetrec(dir: string, opts: ReadListensOptions = {}): Promise<HetrecData> {
  const plays = await readHetrecPlays(plainOrGz(dir, 'user_artists.dat'), opts)
  const artists = await readHetrecArtists(plainOrGz(dir, 'artists.dat'), opts)
  const tagNames = await readHetrecTags(plainOrGz(dir, 'tags.dat'), opts)
  const taggings = await readHetrecTaggings(plainOrGz(dir, 'user_taggedartists.dat'), opts)
  const friends = await readHetrecFriends(plainOrGz(dir, 'user_friends.dat'), opts)
  const { tags, unknownTags } = tagsPerArtist(taggings.taggings, tagNames.names)
  const report = {
    plays: plays.report,
    artists: artists.report,
    tags: tagNames.report,
    taggings: taggings.report,
    friends: friends.report,
    unknownTags,
  }
  return { events: plays.events, artists: artists.names, tags, friends: friends.friends, report }
}

/** How reading the listening part of a HetRec folder went: plays and artist names. */
export interface HetrecListeningReport {
  plays: ListensReport
  artists: TableReport
}

/**
 * The listening part of a HetRec folder: plays and artist names, without tags, taggings and friends, which
 * collaborative models and their evaluation never read (about half of what readHetrec reads).
 */
export async function readHetrecListening(dir: string, opts: ReadListensOptions = {}) {
  const plays = await readHetrecPlays(plainOrGz(dir, 'user_artists.dat'), opts)
  const artists = await readHetrecArtists(plainOrGz(dir, 'artists.dat'), opts)
  const report: HetrecListeningReport = { plays: plays.report, artists: artists.report }
  return { events: plays.events, artists: artists.names, report }
}

function tagsPerArtist(taggings: readonly HetrecTagging[], names: ReadonlyMap<string, string>) {
  const tags = new Map<string, Map<string, number>>()
  let unknownTags = 0
  for (const t of taggings) {
    const name = names.get(t.tag)
    if (name === undefined) unknownTags++
    let counts = tags.get(t.artist)
    if (counts === undefined) tags.set(t.artist, (counts = new Map()))
    const key = name ?? `#${t.tag}`
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  return { tags, unknownTags }
}
