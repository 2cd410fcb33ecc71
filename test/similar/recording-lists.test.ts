import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createExactIndex } from '../../src/index/exact.js'
import { ArtistCatalogue } from '../../src/models/hybrid/artist-tracks.js'
import { recordingKeys } from '../../src/rerank/recording.js'
import { filteredNeighbours } from '../../src/similar/similar.js'
import { makeTrack } from '../helpers/make-track.js'

// Two dims. The seed is [1, 0]; 'copy' (a compilation copy, popularity 2) is nearest at [1, 0.1], its album
// release 'album' (popularity 70) is further at [1, 0.3], and 'other' (another song) sits between at [1, 0.2].
const song = { name: 'Clint Eastwood', artists: ['Gorillaz'], durationMs: 340_920 }
const tracks = [
  makeTrack({ id: 'seed', name: 'Feel Good Inc.', artists: ['Gorillaz'], durationMs: 221_000, popularity: 80 }),
  makeTrack({ id: 'copy', ...song, popularity: 2 }),
  makeTrack({ id: 'album', ...song, popularity: 70 }),
  makeTrack({ id: 'other', name: 'DARE', artists: ['Gorillaz'], durationMs: 244_000, popularity: 60 }),
]
const matrix = Float32Array.from([1, 0, 1, 0.1, 1, 0.3, 1, 0.2])
const keys = recordingKeys(tracks)

test('similar tracks: a recording ranks by its nearest release and is shown as its most popular one', () => {
  const index = createExactIndex(matrix, 2, 'euclidean', { backend: 'ts' })
  const filters = { excludeSeedArtist: false, collapseDuplicates: true, genres: [] }
  const hits = filteredNeighbours(index, tracks, keys, 0, matrix.subarray(0, 2), 2, filters)
  assert.deepEqual(hits.map((h) => tracks[h.index].id), ['album', 'other'])
  assert.ok(Math.abs(hits[0].distance - 0.1) < 1e-6, 'the distance is the nearest release\'s')
  const plain = filteredNeighbours(index, tracks, keys, 0, matrix.subarray(0, 2), 3, { ...filters, collapseDuplicates: false })
  assert.deepEqual(plain.map((h) => tracks[h.index].id), ['copy', 'other', 'album'], 'without collapsing every release is listed')
})

test('artist tracks: one entry per recording, shown as its most popular release; excluding one release excludes all', () => {
  // Every track by Gorillaz; the listener's sound is the seed's direction, so 'copy' scores highest.
  const catalogue = new ArtistCatalogue(tracks, matrix, 2)
  const taste = [{ artist: 'Gorillaz', weight: 1 }]
  const out = catalogue.recommend(taste, { n: 4, perArtist: 4, profile: [{ artist: 'Gorillaz', weight: 1 }] })
  assert.deepEqual(out.map((r) => r.track.id).sort(), ['album', 'other', 'seed'])
  assert.equal(out.filter((r) => r.track.name === 'Clint Eastwood').length, 1)
  const without = catalogue.recommend(taste, { n: 4, perArtist: 4, exclude: new Set(['copy']) })
  assert.deepEqual(without.map((r) => r.track.id).sort(), ['other', 'seed'])
})
