import { createReadStream } from 'node:fs'
import { createGunzip } from 'node:zlib'
import { SegueError } from '../../core/errors.js'
import type { RawInteraction } from '../interactions.js'
import { normaliseHeader, type NumericRule, type RowCells } from '../row-cells.js'
import { listensResult, requiredNumber, type ListensReport } from './events.js'
import { readTable, type ReadListensOptions, type TableLayout } from './read-table.js'
import { parseTimeCell } from './time.js'

/** Which header column plays which part; names are compared case-insensitively. */
export interface ListensColumns {
  user?: string
  item?: string
  /** Play count, rating or weight. Without one, every row is one event of value 1. */
  value?: string
  /** Unix seconds or an ISO 8601 string. */
  time?: string
}

export interface ReadListensFileOptions extends ReadListensOptions {
  /** Overrides the columns found by their usual names (see COLUMN_ALIASES). */
  columns?: ListensColumns
}

export interface ListensFileReport extends ListensReport {
  delimiter: ',' | '\t'
  /** The header columns used, as normaliseHeader wrote them. */
  columns: { user: string; item: string; value?: string; time?: string }
}

/** The usual names of each column, most specific first: a file with both `track_id` and `artist` keys by track. */
export const COLUMN_ALIASES = {
  user: ['user', 'user_id', 'userid', 'username', 'user_name', 'listener'],
  item: ['item', 'item_id', 'itemid', 'track_id', 'trackid', 'track', 'song_id', 'song', 'artist_id', 'artistid', 'artist', 'movie_id', 'movieid'],
  value: ['count', 'plays', 'play_count', 'playcount', 'rating', 'weight', 'value', 'score'],
  time: ['timestamp', 'time', 'ts', 'datetime', 'played_at'],
} as const

type Role = keyof typeof COLUMN_ALIASES

/** Any finite number: ratings may be negative (a thumbs-down), play counts are not checked further. */
const VALUE_RULE: NumericRule = { min: -Number.MAX_VALUE, max: Number.MAX_VALUE }

/**
 * Reads a listening log or ratings file with a header row, comma- or tab-separated (a tab in the header
 * line means tabs). Tab-separated files are read without quoting, as TSV defines none.
 */
export async function readListens(path: string, opts: ReadListensFileOptions = {}): Promise<{ events: RawInteraction[]; report: ListensFileReport }> {
  const delimiter = (await firstLine(path)).includes('\t') ? '\t' : ','
  let columns: ListensFileReport['columns'] | undefined
  const layout: TableLayout<RawInteraction> = {
    phase: 'read listens',
    delimiter,
    quote: delimiter === ',',
    rowReader: (header) => {
      columns = resolveColumns(normaliseHeader([...header]), opts.columns ?? {}, path)
      return eventReader(columns)
    },
  }
  const { values, report } = await readTable(path, layout, opts)
  const result = listensResult(values, report)
  // readTable calls rowReader before any row, or throws, so columns is set here.
  return { events: result.events, report: { ...result.report, delimiter, columns: columns! } }
}

function eventReader(cols: ListensFileReport['columns']): (c: RowCells) => RawInteraction {
  const { user, item, value, time } = cols
  return (c) => {
    const e: RawInteraction = { user: c.required(user), item: c.required(item), value: value === undefined ? 1 : requiredNumber(c, value, VALUE_RULE) }
    if (time !== undefined) e.time = parseTimeCell(c.text(time), time)
    return e
  }
}

function resolveColumns(header: string[], asked: ListensColumns, file: string): ListensFileReport['columns'] {
  const pick = (role: Role) => pickColumn(header, role, asked[role], file)
  const user = pick('user')
  const item = pick('item')
  if (user === undefined || item === undefined) {
    const role: Role = user === undefined ? 'user' : 'item'
    const hint = COLUMN_ALIASES[role].join(', ')
    throw new SegueError('E_INPUT_FORMAT', `${file}: no ${role} column in the header (looked for ${hint}; found ${header.join(', ')})`, { location: { file } })
  }
  return dropUndefined({ user, item, value: pick('value'), time: pick('time') })
}

/** The column asked for (which must exist), else the first usual name present. */
function pickColumn(header: string[], role: Role, asked: string | undefined, file: string): string | undefined {
  if (asked !== undefined) {
    const name = asked.trim().toLowerCase()
    if (header.includes(name)) return name
    throw new SegueError('E_INPUT_FORMAT', `${file}: the ${role} column '${asked}' is not in the header (found ${header.join(', ')})`, { location: { file } })
  }
  return COLUMN_ALIASES[role].find((alias) => header.includes(alias))
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T
}

/** The first line of a (possibly gzipped) file, up to 64 KiB of it. */
async function firstLine(path: string): Promise<string> {
  const input = createReadStream(path, { end: 65_535 })
  const text = path.endsWith('.gz') ? input.pipe(createGunzip()) : input
  let head = ''
  try {
    for await (const chunk of text) {
      head += (chunk as Buffer).toString('utf8')
      if (head.includes('\n') || head.length >= 65_536) break
    }
  } catch {
    // A missing or unreadable file is reported by the real read that follows, with the usual message.
  } finally {
    input.destroy()
  }
  return head.split('\n')[0]
}
