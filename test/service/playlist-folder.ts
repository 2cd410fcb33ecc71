import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Hand-made playlists (invented, never MPD content): pid, name, and each track's id, artist and title. */
export type Lists = [number, string, [string, string, string][]][]

/** A temporary folder in the sample's TSV layout (playlists.tsv, playlist_tracks.tsv) holding `lists`. */
export function playlistFolder(lists: Lists): string {
  const dir = mkdtempSync(join(tmpdir(), 'segue-playlists-'))
  writeFileSync(join(dir, 'playlists.tsv'), 'pid\tname\tnum_tracks\n' + lists.map(([pid, name, t]) => `${pid}\t${name}\t${t.length}\n`).join(''))
  const rows = lists.flatMap(([pid, , t]) => t.map(([id, artist, title], pos) => `${pid}\t${pos}\t${id}\t${artist}\t${title}\n`))
  writeFileSync(join(dir, 'playlist_tracks.tsv'), 'pid\tpos\ttrack_id\tartist_name\ttrack_name\n' + rows.join(''))
  return dir
}
