import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { buildInteractions } from '../../../src/data/interactions.js'
import { playlistInteractions } from '../../../src/data/playlists/interactions.js'
import { readPlaylists } from '../../../src/data/playlists/read.js'
import type { Interactions } from '../../../src/data/interactions.js'
import { fixturesDir } from '../../helpers/paths.js'
import { segueError } from '../catalogue-fixtures.js'

const fixture = join(fixturesDir, 'playlists', 'tsv')
const id = (n: number) => `FixtureTrack${String(n).padStart(10, '0')}`

/** Each user's row as [raw item id, value] pairs. */
function rows(d: Interactions): [string, [string, number][]][] {
  const m = d.matrix
  return d.users.rawIds().map((u, r) => {
    const entries: [string, number][] = []
    for (let p = m.indptr[r]; p < m.indptr[r + 1]; p++) entries.push([d.items.rawId(m.indices[p]), m.data[p]])
    return [u, entries]
  })
}

test('playlist interactions: users are pids, values count a track within its playlist', async () => {
  const { set } = await readPlaylists(fixture)
  const d = playlistInteractions(set)
  assert.equal(d.kind, 'implicit')
  assert.deepEqual(rows(d), [
    ['7', [[id(1), 2], [id(2), 1], [id(3), 1]]],
    ['1000002', [[id(2), 1], [id(4), 1], [id(5), 1]]],
    ['3', [[id(3), 1], [id(6), 1]]],
  ])
  // The same matrix as the general builder gives from one event per row.
  const events = set.playlists.flatMap((p) => p.tracks.map((t) => ({ user: String(p.pid), item: set.tracks[t].id, value: 1 })))
  const general = buildInteractions(events, 'implicit')
  assert.deepEqual(rows(general), rows(d))
})

test('dense item id === index into set.tracks, also for tracks only in playlists left out', async () => {
  const { set } = await readPlaylists(fixture)
  const d = playlistInteractions(set, [set.playlists[2]])
  assert.deepEqual(d.users.rawIds(), ['3'])
  assert.equal(d.items.size, set.tracks.length)
  assert.equal(d.matrix.cols, set.tracks.length)
  set.tracks.forEach((t, i) => assert.equal(d.items.dense(t.id), i))
  assert.deepEqual([...d.matrix.indices], [set.trackIndex.get(id(3)), set.trackIndex.get(id(6))])
  assert.deepEqual(rows(d), [['3', [[id(3), 1], [id(6), 1]]]])
})

test('a playlist given twice, or a track index outside the set, is refused', async () => {
  const { set } = await readPlaylists(fixture)
  assert.throws(() => playlistInteractions(set, [set.playlists[0], set.playlists[0]]), segueError('E_BAD_ARGUMENT', /playlist pid 7 is given twice/))
  const odd = { ...set.playlists[1], tracks: [0, 6] }
  assert.throws(() => playlistInteractions(set, [odd]), segueError('E_BAD_ARGUMENT', /pid 1000002: track index 6 is outside set\.tracks \(0\.\.5\)/))
})
