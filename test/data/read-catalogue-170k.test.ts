import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readCatalogue } from '../../src/data/read-catalogue.js'
import { byId, catalogueFixture } from './catalogue-fixtures.js'

const DATA = catalogueFixture('spotify-170k', 'data.csv')

test('170k: report, and time_signature imputed for every track from the fallback', async () => {
  const { report } = await readCatalogue(DATA, { strict: true })
  assert.equal(report.layout, 'spotify-170k')
  assert.deepEqual([report.rows, report.tracks, report.merged, report.skipped], [4, 4, 0, 0])
  assert.deepEqual(report.imputed, { energy: 1, loudness: 1, time_signature: 4 })
  assert.equal(report.artists, undefined)
})

test('170k: names, artists, years and dates', async () => {
  const { tracks } = await readCatalogue(DATA)
  assert.deepEqual(tracks.map((t) => t.id), ['s1', 's2', 's3', 's4'])
  assert.equal(byId(tracks, 's1').name, 'Concerto in D, Finale')
  assert.deepEqual(byId(tracks, 's1').artists, ['Composer One', 'Conductor Two', 'Orchestra Three'])
  assert.equal(byId(tracks, 's2').name, 'He said "hi"')
  assert.deepEqual(byId(tracks, 's2').artists, ["Sinead O'Connor"])
  assert.deepEqual(byId(tracks, 's3').artists, ["Guns N' Roses"])
  assert.deepEqual(byId(tracks, 's4').artists, [])
  assert.deepEqual(tracks.map((t) => [t.releaseYear, t.releaseDate]), [
    [1921, '1921'], [1990, '1990-03-05'], [1987, null], [2000, '2000-02-29'],
  ])
  assert.deepEqual(tracks.map((t) => t.genres), [[], [], [], []])
  assert.equal(byId(tracks, 's2').explicit, true)
})

test('170k: columns are mapped by name, whatever their order', async () => {
  const { tracks } = await readCatalogue(DATA)
  assert.deepEqual(Array.from(byId(tracks, 's1').features), [0.28, 0.21, 10, -20.1, 1, 0.037, 0.98, 0.88, 0.66, 0.06, 80.9, 4])
  // energy median of .21 .8 .4; loudness median of -20.1 -5.5 -9.5
  const s3 = byId(tracks, 's3').features
  assert.deepEqual([s3[1], s3[3]], [0.4, -9.5])
  assert.equal(byId(tracks, 's1').popularity, 4)
  assert.equal(byId(tracks, 's1').durationMs, 831667)
})
