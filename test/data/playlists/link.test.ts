import { test } from 'node:test'
import assert from 'node:assert/strict'
import { LINKED_BY_ID, LINKED_BY_NAME, LINKED_NONE, linkPlaylistTracks, recordingKey } from '../../../src/data/playlists/link.js'
import type { PlaylistSet, PlaylistTrack } from '../../../src/data/playlists/types.js'
import { makeTrack } from '../../helpers/make-track.js'

function setOf(tracks: PlaylistTrack[]): PlaylistSet {
  return { tracks, trackIndex: new Map(tracks.map((t, i) => [t.id, i])), playlists: [{ pid: 0, name: 'all', tracks: tracks.map((_, i) => i) }] }
}

const catalogue = [
  makeTrack({ id: 'A', name: 'Harbour Lights', artists: ['Mina Okafor'], popularity: 40 }),
  makeTrack({ id: 'X1', name: 'Harbour Lights', artists: ['Mina Okafor'], popularity: 10 }),
  makeTrack({ id: 'X2', name: 'Harbour  lights', artists: ['mina okafor'], popularity: 70 }),
  makeTrack({ id: 'X3', name: 'Lift', artists: ['Iron Ferns'], popularity: null }),
  makeTrack({ id: 'X4', name: 'Duet', artists: ['Lead Voice', 'Guest Singer'], popularity: 50 }),
  makeTrack({ id: 'X5', name: 'Lift', artists: ['Iron Ferns'], popularity: null }),
]

test('linking: id first, then first artist + title folded (NFKC, case, spaces), most popular release per key', () => {
  const set = setOf([
    { id: 'A', artist: 'Someone Else', title: 'Other' },
    { id: 'B', artist: ' Mina   OKAFOR', title: 'Harbour Lights ' },
    { id: 'C', artist: 'Ｉｒｏｎ Ｆｅｒｎｓ', title: 'lift' },
    { id: 'D', artist: 'Guest Singer', title: 'Duet' },
    { id: 'E', artist: 'Nobody', title: 'Nothing' },
    { id: 'F', artist: 'Lead Voice', title: 'duet' },
  ])
  const link = linkPlaylistTracks(set, catalogue)
  // A by id although its names differ; B to X2 (popularity 70 beats 40 and 10); C to X3 (both unknown: the
  // first); D not at all (the catalogue credits Guest Singer second); E nowhere; F to X4 by its first artist.
  assert.deepEqual([...link.rowOf], [0, 2, 3, -1, -1, 4])
  assert.deepEqual([...link.how], [LINKED_BY_ID, LINKED_BY_NAME, LINKED_BY_NAME, LINKED_NONE, LINKED_NONE, LINKED_BY_NAME])
  assert.equal(link.byId, 1)
  assert.equal(link.byName, 3)
})

test('recording key: compatibility forms, case and white space fold; punctuation does not', () => {
  assert.equal(recordingKey('Ｂｅｙｏｎｃé', 'Halo\u00a0 (Live)'), recordingKey('beyoncé', 'halo (live)'))
  assert.notEqual(recordingKey('Kendrick Lamar', 'HUMBLE.'), recordingKey('Kendrick Lamar', 'HUMBLE'))
  assert.notEqual(recordingKey('A', 'B C'), recordingKey('A B', 'C'))
})
