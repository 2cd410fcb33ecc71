import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readCatalogue } from '../../src/data/read-catalogue.js'
import { SKIP_NO_SHARED, realFile } from '../helpers/paths.js'
import { byId, catalogueFixture, re, segueError } from './catalogue-fixtures.js'

const DATASET = catalogueFixture('spotify-114k', 'dataset.csv')

test('114k fixture: one track per id, carrying every genre it is listed under', async () => {
  const { tracks, report } = await readCatalogue(DATASET)
  assert.equal(report.layout, 'spotify-114k')
  assert.deepEqual([report.rows, report.tracks, report.merged, report.skipped], [7, 4, 2, 1])
  assert.deepEqual(tracks.map((t) => t.id), ['k1', 'k2', 'k3', 'k5'])
  assert.deepEqual(byId(tracks, 'k1').genres, ['acoustic', 'blues'])
  // k2 appears twice under the same genre, as 444 ids of the real file do.
  assert.deepEqual(byId(tracks, 'k2').genres, ['acoustic'])
  assert.equal(byId(tracks, 'k1').popularity, 41)
})

test('114k fixture: artists split on ";", quoted album and name, True/False, empty cells', async () => {
  const { tracks } = await readCatalogue(DATASET)
  const k1 = byId(tracks, 'k1')
  assert.deepEqual([k1.artists, k1.album, k1.name, k1.explicit], [['Artist One', 'Artist Two'], 'Album One', 'Song One', false])
  const k2 = byId(tracks, 'k2')
  assert.deepEqual([k2.artists, k2.album, k2.name, k2.explicit], [['Solo'], 'Album, Two', 'Song "Two"', true])
  const k3 = byId(tracks, 'k3')
  assert.deepEqual([k3.artists, k3.album, k3.name, k3.genres], [[], null, '', ['k-pop']])
  assert.deepEqual(Array.from(k1.features), [0.55, 0.6, 1, -6.5, 1, 0.05, 0.1, 1.01e-6, 0.2, 0.7, 120.5, 4])
})

test('114k fixture: a bad row is skipped, a missing value imputed with the median', async () => {
  const { tracks, report } = await readCatalogue(DATASET)
  assert.deepEqual(report.skipReasons, [`${DATASET}:6 column 'tempo' value 'fast': not a number`])
  assert.deepEqual(report.imputed, { danceability: 1 })
  // median of .55, .4, .9 over the distinct tracks k1, k2, k3
  assert.equal(byId(tracks, 'k5').features[0], 0.55)
  await assert.rejects(readCatalogue(DATASET, { strict: true }), segueError('E_INPUT_ROW', new RegExp(`^${re(DATASET)}:6 column 'tempo'`)))
})

const REAL = realFile('spotify-tracks-114k', 'dataset.csv')

test('real 114k file: 114,000 rows fold into 89,741 tracks', { skip: REAL === null && SKIP_NO_SHARED }, async () => {
  const { tracks, report } = await readCatalogue(REAL as string, { strict: true })
  assert.deepEqual([report.rows, report.tracks, report.merged, report.skipped], [114000, 89741, 24259, 0])
  assert.deepEqual(report.imputed, {})
  const genres = new Set(tracks.flatMap((t) => t.genres))
  assert.equal(genres.size, 114)

  // Listed under nine genres, more than any other track.
  const baby = byId(tracks, '6S3JlDAGk3uu3NtZbPnuhS')
  assert.deepEqual(baby.genres, [
    'blues', 'country', 'folk', 'j-pop', 'j-rock', 'power-pop', 'psych-rock', 'singer-songwriter', 'songwriter',
  ])
  assert.deepEqual([baby.name, baby.artists, baby.popularity, baby.durationMs], ['Baby Blue - Remastered 2010', ['Badfinger'], 67, 217346])
  assert.deepEqual(Array.from(baby.features), [0.623, 0.876, 11, -7.788, 1, 0.066, 0.0189, 0.0134, 0.0728, 0.515, 124.431, 4])

  // The one row with no artists, album or name is kept.
  const blank = byId(tracks, '1kR4gIb7nGxHPI3D2ifs59')
  assert.deepEqual([blank.name, blank.artists, blank.album, blank.genres], ['', [], null, ['k-pop']])
  // Its two rows give popularity 0 (acoustic) and 1 (rock); the highest is kept.
  const winter = byId(tracks, '2qESE1ZeWly7I3YjyTXmXh')
  assert.deepEqual([winter.popularity, winter.genres], [1, ['acoustic', 'rock']])
})
