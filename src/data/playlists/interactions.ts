import type { Csr } from '../../core/csr.js'
import { SegueError } from '../../core/errors.js'
import { IdMap } from '../../core/ids.js'
import type { Interactions } from '../interactions.js'
import type { Playlist, PlaylistSet } from './types.js'

/**
 * Playlists as implicit listening data: user = String(pid), item = track id, value = how many times the track
 * occurs in that playlist. The item map lists every track of `set.tracks` in index order, so an item's dense
 * id is its index into `set.tracks`, also for tracks found only in playlists left out of `playlists`
 * (a train/test split keeps one numbering). Users follow the order of `playlists` (default: all of them).
 */
export function playlistInteractions(set: PlaylistSet, playlists: readonly Playlist[] = set.playlists): Interactions {
  const items = IdMap.from(set.tracks.map((t) => t.id))
  if (items.size !== set.tracks.length) throw new SegueError('E_BAD_ARGUMENT', 'set.tracks lists a track id twice')
  const users = new IdMap()
  for (const p of playlists) {
    const before = users.size
    if (users.add(String(p.pid)) !== before) throw new SegueError('E_BAD_ARGUMENT', `playlist pid ${p.pid} is given twice`)
  }
  return { users, items, matrix: countMatrix(playlists, set.tracks.length), kind: 'implicit' }
}

/** The CSR of per-playlist track counts, built row by row: sort the row's tracks, count each run. */
function countMatrix(playlists: readonly Playlist[], cols: number): Csr {
  let total = 0
  for (const p of playlists) total += p.tracks.length
  const indptr = new Int32Array(playlists.length + 1)
  const indices = new Int32Array(total)
  const data = new Float32Array(total)
  let w = 0
  let longest = 0
  for (const p of playlists) longest = Math.max(longest, p.tracks.length)
  const row = new Int32Array(longest)
  playlists.forEach((p, r) => {
    const n = p.tracks.length
    for (let i = 0; i < n; i++) {
      const t = p.tracks[i]
      if (!(Number.isInteger(t) && t >= 0 && t < cols)) {
        throw new SegueError('E_BAD_ARGUMENT', `playlist pid ${p.pid}: track index ${t} is outside set.tracks (0..${cols - 1})`)
      }
      row[i] = t
    }
    const sorted = row.subarray(0, n).sort()
    for (let i = 0; i < n; i++) {
      if (i > 0 && sorted[i] === sorted[i - 1]) data[w - 1]++
      else {
        indices[w] = sorted[i]
        data[w++] = 1
      }
    }
    indptr[r + 1] = w
  })
  return { rows: playlists.length, cols, indptr, indices: indices.slice(0, w), data: data.slice(0, w) }
}
