import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs'
import { basename, join } from 'node:path'
import { constants, gunzipSync } from 'node:zlib'
import { SegueError } from '../core/errors.js'
import { bundledDataDir } from '../core/paths.js'
import { buildInteractions, type Interactions, type RawInteraction } from '../data/interactions.js'
import { readHetrecListening } from '../data/listens/hetrec.js'
import { readLastfm1k } from '../data/listens/lastfm-1k.js'
import { readListens } from '../data/listens/listens-file.js'
import { readMovieLensRatings } from '../data/listens/movielens.js'
import type { ReadListensOptions } from '../data/listens/read-table.js'

export type ListeningFormat = 'hetrec-2k' | 'movielens-100k' | 'lastfm-1k' | 'listens'

/** Listening data ready for the models, with what is needed to show raw ids to a person. */
export interface ListeningData {
  data: Interactions
  source: string
  format: ListeningFormat
  /** A display name per raw item id, where the source has names (artists for HetRec). */
  itemNames: Map<string, string>
  /** What an item is in this data: an artist (HetRec, Last.fm 1K artist level) or a track/movie/other item. */
  itemKind: 'artist' | 'item'
  /** Per-file reader reports, for the user to see what was skipped. */
  report: unknown
}

export const BUNDLED_LISTENING = join(bundledDataDir(), 'hetrec2011-lastfm-2k')

/**
 * Reads listening data in any supported layout, detected from the path and the first line:
 * a HetRec Last.fm 2K folder, a MovieLens 100K folder or u.data/uN.base file, a Last.fm 1K log
 * (six tab-separated columns, no header), or a generic listens CSV/TSV with a header.
 */
export async function loadListening(path: string = BUNDLED_LISTENING, opts: ReadListensOptions = {}): Promise<ListeningData> {
  if (!existsSync(path)) throw new SegueError('E_INPUT_FILE', `${path}: file or folder not found`, { location: { file: path } })
  const format = detectFormat(path)
  switch (format) {
    case 'hetrec-2k': {
      // Plays and artist names only: tags, taggings and friends are never part of ListeningData.
      const h = await readHetrecListening(path, opts)
      return listening(h.events, 'implicit', path, format, h.artists, 'artist', h.report)
    }
    case 'movielens-100k': {
      const file = statSync(path).isDirectory() ? join(path, 'u.data') : path
      const r = await readMovieLensRatings(file, opts)
      return listening(r.events, 'explicit', path, format, new Map(), 'item', r.report)
    }
    case 'lastfm-1k': {
      const r = await readLastfm1k(path, { ...opts, level: 'artist' })
      return listening(r.events, 'implicit', path, format, r.names, 'artist', r.report)
    }
    case 'listens': {
      const r = await readListens(path, opts)
      const explicit = /rating|stars|score/i.test(r.report.columns.value ?? '')
      return listening(r.events, explicit ? 'explicit' : 'implicit', path, format, new Map(), 'item', r.report)
    }
  }
}

function listening(
  events: RawInteraction[],
  kind: 'implicit' | 'explicit',
  source: string,
  format: ListeningFormat,
  itemNames: Map<string, string>,
  itemKind: 'artist' | 'item',
  report: unknown,
): ListeningData {
  if (events.length === 0) throw new SegueError('E_INPUT_FORMAT', `${source}: no listening events were read`)
  return { data: buildInteractions(events, kind), source, format, itemNames, itemKind, report }
}

export function detectFormat(path: string): ListeningFormat {
  if (statSync(path).isDirectory()) {
    if (['user_artists.dat', 'user_artists.dat.gz'].some((f) => existsSync(join(path, f)))) return 'hetrec-2k'
    if (existsSync(join(path, 'u.data'))) return 'movielens-100k'
    throw new SegueError('E_INPUT_FORMAT', `${path}: a folder, but neither HetRec Last.fm 2K (user_artists.dat) nor MovieLens 100K (u.data)`)
  }
  const name = basename(path).replace(/\.gz$/, '')
  if (name === 'u.data' || /^u[1-5ab]\.(base|test)$/.test(name)) return 'movielens-100k'
  const fields = firstLine(path).split('\t')
  if (fields.length === 6 && /^\d{4}-\d{2}-\d{2}T/.test(fields[1] ?? '')) return 'lastfm-1k'
  return 'listens'
}

/** The first line of a file (gzip or plain), read without loading the whole file. */
function firstLine(path: string): string {
  const fd = openSync(path, 'r')
  try {
    const buf = Buffer.alloc(64 * 1024)
    const head = buf.subarray(0, readSync(fd, buf, 0, buf.length, 0))
    const text = path.endsWith('.gz') ? gunzipPrefix(head, path) : head
    return text.toString('utf8').split(/\r?\n/)[0]
  } finally {
    closeSync(fd)
  }
}

/** Inflates the start of a gzip file; a sync flush lets a truncated stream give what it holds so far. */
function gunzipPrefix(head: Buffer, path: string): Buffer {
  try {
    return gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH })
  } catch (cause) {
    throw new SegueError('E_INPUT_FILE', `${path}: not valid gzip (${(cause as Error).message})`, { cause })
  }
}
