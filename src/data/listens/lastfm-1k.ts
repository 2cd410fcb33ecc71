import { SegueError } from '../../core/errors.js'
import type { RawInteraction } from '../interactions.js'
import { RowProblem, type RowCells } from '../row-cells.js'
import { listensResult, type ListensReport } from './events.js'
import { readTable, type ReadListensOptions, type TableLayout } from './read-table.js'
import { parseIsoCell } from './time.js'

/*
 * Last.fm 1K (Celma, 2010): userid-timestamp-artid-artname-traid-traname.tsv, one play per line, no header,
 * tab-separated, no quoting (titles carry bare quotes). Many plays lack a MusicBrainz id.
 */

const COLUMNS = ['userid', 'timestamp', 'artist_mbid', 'artist_name', 'track_mbid', 'track_name'] as const

/** Joins artist and title into an item id when a track has no MusicBrainz id. */
export const ARTIST_TRACK_SEPARATOR = ' — '

export interface ReadLastfm1kOptions extends ReadListensOptions {
  /**
   * 'track' (default): item = track MBID, else `artist — title`. 'artist': item = artist MBID, else the
   * artist's name. An item keyed by name and one keyed by MBID stay apart even when they are the same.
   */
  level?: 'track' | 'artist'
}

/** Plays of value 1 with their time, and a display name per item (`artist — title`, or the artist). */
export async function readLastfm1k(
  path: string,
  opts: ReadLastfm1kOptions = {},
): Promise<{ events: RawInteraction[]; names: Map<string, string>; report: ListensReport }> {
  const level = opts.level ?? 'track'
  if (level !== 'track' && level !== 'artist') {
    throw new SegueError('E_BAD_ARGUMENT', `Last.fm 1K level must be 'track' or 'artist', got '${String(level)}'`)
  }
  const names = new Map<string, string>()
  const itemOf = level === 'track' ? trackItem : artistItem
  const layout: TableLayout<RawInteraction> = {
    phase: 'read plays',
    delimiter: '\t',
    quote: false,
    columns: COLUMNS,
    rowReader: () => (c) => {
      const { item, name } = itemOf(c)
      const event = { user: c.required('userid'), item, value: 1, time: parseIsoCell(c.text('timestamp'), 'timestamp') }
      if (!names.has(item)) names.set(item, name)
      return event
    },
  }
  const { values, report } = await readTable(path, layout, opts)
  return { ...listensResult(values, report), names }
}

/** Without an MBID a track is known only by artist and title, so both must be there. */
function trackItem(c: RowCells): { item: string; name: string } {
  const artist = c.trimmed('artist_name')
  const title = c.trimmed('track_name')
  const mbid = c.trimmed('track_mbid')
  const name = [artist, title].filter((s) => s !== '').join(ARTIST_TRACK_SEPARATOR)
  if (mbid !== '') return { item: mbid, name: name !== '' ? name : mbid }
  if (title === '') throw new RowProblem('track has neither a title nor an MBID', 'track_name', '')
  if (artist === '') throw new RowProblem('track has neither an artist name nor an MBID', 'artist_name', '')
  return { item: name, name }
}

function artistItem(c: RowCells): { item: string; name: string } {
  const name = c.trimmed('artist_name')
  const mbid = c.trimmed('artist_mbid')
  if (name === '' && mbid === '') throw new RowProblem('artist has neither a name nor an MBID', 'artist_name', '')
  return { item: mbid !== '' ? mbid : name, name: name !== '' ? name : mbid }
}
