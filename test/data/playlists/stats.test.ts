import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { linkPlaylistTracks } from '../../../src/data/playlists/link.js'
import { readPlaylists } from '../../../src/data/playlists/read.js'
import { playlistStats } from '../../../src/data/playlists/stats.js'
import { makeTrack } from '../../helpers/make-track.js'
import { fixturesDir } from '../../helpers/paths.js'

const id = (n: number) => `FixtureTrack${String(n).padStart(10, '0')}`

test('playlist stats: rows, repeats, length spread and coverage rows by id and by name', async () => {
  const { set } = await readPlaylists(join(fixturesDir, 'playlists', 'tsv'))
  // Lengths 4, 3, 2; playlist 7 holds track 1 twice.
  assert.deepEqual(playlistStats(set), { playlists: 3, rows: 9, tracks: 6, repeats: 1, length: { min: 2, median: 3, max: 4 } })
  const catalogue = [
    makeTrack({ id: id(3), name: 'x', artists: ['y'] }),
    makeTrack({ id: 'other', name: 'Harbour Lights', artists: ['Mina Okafor'] }),
  ]
  // Track 3 by id (in playlists 7 and 3: 2 rows); track 2 by name (in 7 and 1000002: 2 rows).
  assert.deepEqual(playlistStats(set, linkPlaylistTracks(set, catalogue)).catalogue, { byId: 1, byName: 1, rowsById: 2, rowsByName: 2 })
  const even = { ...set, playlists: set.playlists.slice(0, 2) }
  assert.deepEqual(playlistStats(even).length, { min: 3, median: 3.5, max: 4 })
  assert.deepEqual(playlistStats({ ...set, playlists: [] }).length, { min: 0, median: 0, max: 0 })
})
