import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { SegueError } from '../../core/errors.js'
import { readLastfm1k } from '../../data/listens/lastfm-1k.js'
import { readMovieLensRatings } from '../../data/listens/movielens.js'
import { readPlaylists } from '../../data/playlists/read.js'
import { sequencesFromEvents, sequencesFromPlaylists, type SequenceData } from './data.js'

/** Where ordered listening comes from. */
export type SequenceSourceKind = 'movielens' | 'playlists' | 'lastfm-1k'

/**
 * Items met in fewer playlists are dropped from playlist sequences: the MPD sample's 202k tracks are mostly
 * met once, and an item met once can be neither learnt nor predicted (SASRec's sets are 5-core the same way).
 */
export const PLAYLIST_MIN_ITEM_COUNT = 5

/**
 * Reads ordered listening from a path, telling the layout apart: a MovieLens folder (u.data, time-ordered
 * ratings), a playlists folder or MPD file (track order), or a Last.fm 1K plays file
 * (userid-timestamp-artid-artname-traid-traname.tsv, time order).
 */
export async function readSequences(path: string, opts: { minItemCount?: number } = {}): Promise<{ kind: SequenceSourceKind; data: SequenceData }> {
  if (!existsSync(path)) throw new SegueError('E_INPUT_FILE', `${path}: no such file or folder`)
  const dir = statSync(path).isDirectory()
  if (dir && (existsSync(join(path, 'u.data')) || existsSync(join(path, 'u.data.gz')))) {
    const file = existsSync(join(path, 'u.data')) ? join(path, 'u.data') : join(path, 'u.data.gz')
    const { events } = await readMovieLensRatings(file)
    return { kind: 'movielens', data: sequencesFromEvents(events, opts) }
  }
  if (!dir && /userid-timestamp|lastfm|\.tsv(\.gz)?$/i.test(path) && !/playlist/i.test(path)) {
    const { events } = await readLastfm1k(path)
    return { kind: 'lastfm-1k', data: sequencesFromEvents(events, opts) }
  }
  const { set } = await readPlaylists(path)
  return { kind: 'playlists', data: sequencesFromPlaylists(set, { minItemCount: opts.minItemCount ?? PLAYLIST_MIN_ITEM_COUNT }) }
}
