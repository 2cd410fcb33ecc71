import { before, test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import type { Track } from '../../src/core/track.js'
import { readCatalogue } from '../../src/data/read-catalogue.js'
import { FeaturePipeline } from '../../src/features/pipeline.js'
import { toSparseRows } from '../../src/index/exact-sparse.js'
import { ArtistCatalogue, type ArtistTaste } from '../../src/models/hybrid/artist-tracks.js'
import { recordingKeys, representativeRows } from '../../src/rerank/recording.js'
import { ArtistCatalogue as Before } from '../../bench/lib/artist-tracks-before.js'
import { makeTrack } from '../helpers/make-track.js'
import { repoRoot } from '../helpers/paths.js'

// The artist tables built from the engine's sparse rows, with each distinct name normalised once and the
// engine's id -> row map, against the catalogue as it was (dense matrix, every credit normalised): on the
// bundled 114k catalogue, the same rows for every credited name, the same means and scores bit for bit, and
// the same lists.
let tracks: Track[]
let dims: number
let before_: Before
let after: ArtistCatalogue
let names: string[]
let keys: string[]

before(async () => {
  tracks = (await readCatalogue(join(repoRoot, 'data', 'spotify-tracks-114k', 'dataset.csv.gz'))).tracks
  const pipeline = FeaturePipeline.fit(tracks)
  dims = pipeline.dims
  const dense = pipeline.transform(tracks)
  keys = recordingKeys(tracks)
  before_ = new Before(tracks, dense, dims, keys)
  after = new ArtistCatalogue(tracks, toSparseRows(dense, dims), dims, keys, new Map(tracks.map((t, row) => [t.id, row])))
  names = [...new Set(tracks.flatMap((t) => t.artists))]
})

test('every credited name (and names differing only in case, accents or "The") finds the same rows', () => {
  // Some tracks credit one artist twice, or two names of one key: those rows are listed twice in both.
  const twice = names.filter((a) => new Set(before_.rowsOf(a)).size < before_.rowsOf(a).length)
  for (const a of [...names, ...names.slice(0, 500).map((a) => `  The ${a.toUpperCase()} `), 'Nobody At All']) {
    assert.deepEqual(after.rowsOf(a), before_.rowsOf(a), a)
  }
  assert.ok(names.length > 20_000, `${names.length} names`)
  // Not required, but shows the repeated-row case is exercised when the catalogue has it.
  if (twice.length > 0) assert.deepEqual(after.rowsOf(twice[0]), before_.rowsOf(twice[0]))
})

test('means and scores are the same bit for bit, and lists are the same', () => {
  const meanOf = (c: object, a: string) => (c as { meanOf(a: string): Float64Array }).meanOf(a)
  // Every 37th name: several thousand artists, from one track to hundreds.
  const some = names.filter((_, i) => i % 37 === 0)
  // Each row's representative, from the id -> row map given instead of representativeRows' own.
  const reps = (c: object) => (c as { recordingIndex(): { reps: Int32Array } }).recordingIndex().reps
  assert.deepEqual(reps(after), representativeRows(tracks, keys))
  for (const a of some) assert.deepEqual(meanOf(after, a), meanOf(before_, a), a)
  for (let l = 0; l < 60; l++) {
    const taste: ArtistTaste[] = Array.from({ length: 1 + (l % 7) }, (_, j) => ({ artist: some[(l * 13 + j * 29) % some.length], weight: 1 + ((l + j) % 5) }))
    const profile = l % 2 ? taste.slice(0, 1) : undefined
    const a = after.score(taste, profile)
    const b = before_.score(taste, profile)
    assert.deepEqual(a.liked, b.liked)
    assert.deepEqual(a.scores, b.scores)
    const exclude = new Set(before_.recommend(taste, { n: 3 }).map((r) => r.track.id))
    for (const opts of [{ n: 20 }, { n: 10, perArtist: 1, exclude, profile }]) {
      const x = after.recommend(taste, opts)
      const y = before_.recommend(taste, opts)
      assert.deepEqual(x.map((r) => [r.track.id, r.artist, r.score]), y.map((r) => [r.track.id, r.artist, r.score]))
    }
  }
})

test('vectors that do not fit the tracks are refused', () => {
  assert.throws(() => new ArtistCatalogue(tracks.slice(0, 2), new Float32Array(3), 2), /E_BAD_ARGUMENT|3 values for 2 tracks/)
  const rows = toSparseRows(new Float32Array(6), 2)
  assert.throws(() => new ArtistCatalogue(tracks.slice(0, 2), rows, 2), /sparse rows of 3 x 2 for 2 tracks/)
})

test('a track crediting one artist twice, by one name or two of one key, is listed (and weighs) twice, as before', () => {
  const few = [
    makeTrack({ id: 'T0', artists: ['The Alpha', 'Alpha'] }),
    makeTrack({ id: 'T1', artists: ['Beta', 'Beta', 'alpha'] }),
    makeTrack({ id: 'T2', artists: ['Alpha'] }),
  ]
  const m = Float32Array.from([1, 0, 0, 2, 3, 0])
  const a = new ArtistCatalogue(few, m, 2)
  const b = new Before(few, m, 2)
  assert.deepEqual(a.rowsOf('Alpha'), [0, 0, 1, 2])
  assert.deepEqual(a.rowsOf('Beta'), [1, 1])
  for (const name of ['Alpha', 'Beta']) assert.deepEqual(a.rowsOf(name), b.rowsOf(name))
  const taste = [{ artist: 'alpha', weight: 3 }, { artist: 'Beta', weight: 1 }]
  assert.deepEqual(a.score(taste).scores, b.score(taste).scores)
})
