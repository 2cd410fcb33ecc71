import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ArtistCatalogue } from '../../src/models/hybrid/artist-tracks.js'
import { artistKey } from '../../src/data/link-artists.js'
import { makeTrack } from '../helpers/make-track.js'

// Two dims. The Alpha: A1 = [1, 0], A2 = [0, 1]; Beta: B1 = [1, 0].
// Taste Alpha 10, Beta 5 -> sound = 10 * [0.5, 0.5] + 5 * [1, 0] = [10, 5].
// cos(A1) = cos(B1) = 10 / sqrt(125) = 0.894427, cos(A2) = 5 / sqrt(125) = 0.447214.
// Scores: A1 = 1 * (1 + 0.894427) / 2 = 0.947214, A2 = 0.723607, B1 = 0.5 * 0.947214 = 0.473607.
const tracks = [
  makeTrack({ id: 'A1', artists: ['The Alpha'] }),
  makeTrack({ id: 'A2', artists: ['The Alpha'] }),
  makeTrack({ id: 'B1', artists: ['Beta'] }),
]
const catalogue = new ArtistCatalogue(tracks, Float32Array.from([1, 0, 0, 1, 1, 0]), 2)
const taste = [
  { artist: 'alpha', weight: 10 },
  { artist: 'Beta', weight: 5 },
  { artist: 'Nobody', weight: 50 },
]

test('artist taste becomes tracks ranked by artist weight and closeness to the listener sound', () => {
  const out = catalogue.recommend(taste, { n: 5 })
  assert.deepEqual(out.map((r) => r.track.id), ['A1', 'A2', 'B1'])
  const expected = [0.947214, 0.723607, 0.473607]
  out.forEach((r, i) => assert.ok(Math.abs(r.score - expected[i]) < 1e-5, `${r.track.id} ${r.score}`))
  assert.deepEqual(out.map((r) => r.artist), ['alpha', 'alpha', 'Beta'])
})

test('per-artist cap and exclusions', () => {
  assert.deepEqual(catalogue.recommend(taste, { perArtist: 1 }).map((r) => r.track.id), ['A1', 'B1'])
  assert.deepEqual(catalogue.recommend(taste, { exclude: new Set(['A1']) }).map((r) => r.track.id), ['A2', 'B1'])
  assert.deepEqual(catalogue.recommend([{ artist: 'Nobody', weight: 1 }]), [])
})

test('artist names match without case, accents or a leading "the"', () => {
  assert.equal(artistKey('  The  Beatles '), artistKey('beatles'))
  assert.equal(artistKey('Beyoncé'), artistKey('BEYONCE'))
})

test('accept: a rejected track gives way to the artist\'s next one (list hygiene)', () => {
  assert.deepEqual(catalogue.recommend(taste, { perArtist: 1, accept: (row) => row !== 0 }).map((r) => r.track.id), ['A2', 'B1'])
})
