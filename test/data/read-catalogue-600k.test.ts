import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readCatalogue } from '../../src/data/read-catalogue.js'
import { byId, catalogueFixture, re, segueError } from './catalogue-fixtures.js'

const TRACKS = catalogueFixture('spotify-600k', 'tracks.csv')
const BAD = catalogueFixture('spotify-600k-bad', 'tracks.csv')

test('600k: report counts rows, tracks, merges and imputations', async () => {
  const { report } = await readCatalogue(TRACKS)
  assert.equal(report.layout, 'spotify-600k')
  assert.equal(report.file, TRACKS)
  assert.equal(report.rows, 7)
  assert.equal(report.tracks, 6)
  assert.equal(report.merged, 1)
  assert.equal(report.skipped, 0)
  assert.deepEqual(report.imputed, { danceability: 1, key: 1, valence: 2, tempo: 1 })
  assert.deepEqual(report.artists, {
    file: catalogueFixture('spotify-600k', 'artists.csv'), rows: 6, artists: 6, skipped: 0, skipReasons: [],
  })
})

test('600k: tracks come in first-seen order with quoted names and list-literal artists', async () => {
  const { tracks } = await readCatalogue(TRACKS)
  assert.deepEqual(tracks.map((t) => t.id), ['t1', 't2', 't3', 't4', 't5', 't6'])
  assert.equal(byId(tracks, 't1').name, 'Don\'t Stop "Me" Now')
  assert.deepEqual(byId(tracks, 't2').artists, ["Guns N' Roses"])
  assert.deepEqual(byId(tracks, 't3').artists, ["Sinead O'Connor"])
  assert.equal(byId(tracks, 't4').name, 'Hello, World\nLine Two')
  assert.deepEqual(byId(tracks, 't4').artists, ['Artist A', 'Artist B'])
  assert.deepEqual(byId(tracks, 't4').artistIds, ['a_a', 'a_b'])
  assert.deepEqual(byId(tracks, 't5').artists, [])
})

test('600k: genres are the union of the artists\' genres, followers the highest', async () => {
  const { tracks } = await readCatalogue(TRACKS)
  assert.deepEqual(byId(tracks, 't1').genres, ['classic rock', 'glam rock', 'rock'])
  assert.equal(byId(tracks, 't1').artistFollowers, 1000)
  assert.deepEqual(byId(tracks, 't4').genres, ['pop', 'dance pop'])
  assert.equal(byId(tracks, 't4').artistFollowers, 20)
  // Sinead's follower count is empty; an artist absent from artists.csv gives nothing.
  assert.deepEqual(byId(tracks, 't3').genres, ['irish pop'])
  assert.equal(byId(tracks, 't3').artistFollowers, null)
  assert.deepEqual(byId(tracks, 't6').genres, [])
  assert.equal(byId(tracks, 't6').artistFollowers, null)
})

test('600k: dates of every precision, explicit flags, popularity of merged rows', async () => {
  const { tracks } = await readCatalogue(TRACKS)
  const dates = tracks.map((t) => [t.releaseYear, t.releaseDate])
  assert.deepEqual(dates, [
    [1978, '1978-01-26'], [1987, '1987-07-21'], [1990, '1990'], [2001, '2001-05'], [2010, '2010-10-10'],
    [1999, '1999-12-31'],
  ])
  assert.deepEqual(tracks.map((t) => t.explicit), [false, false, false, true, false, true])
  assert.equal(byId(tracks, 't2').popularity, 81)
  assert.equal(byId(tracks, 't5').durationMs, null)
})

test('600k: features in AUDIO_FEATURES order, missing ones replaced by the medians', async () => {
  const { tracks } = await readCatalogue(TRACKS)
  assert.deepEqual(Array.from(byId(tracks, 't4').features), [0.6, 0.7, 0, -6, 0, 0.05, 0.2, 1.01e-6, 0.3, 0.4, 100, 3])
  // danceability median of .55 .45 .5 .6 .7; key of 5 6 5 0 2; valence of .6 .63 .2 .4; tempo of 156.3 125.1 120 100 90
  assert.deepEqual(Array.from(byId(tracks, 't5').features), [0.55, 0.2, 5, -20, 1, 0.04, 0.9, 0.8, 0.11, 0.5, 120, 4])
  assert.equal(byId(tracks, 't6').features[9], 0.5)
})

test('600k: an explicit artistsFile is used; a missing one is an E_INPUT_FILE error', async () => {
  const other = catalogueFixture('spotify-600k-bad', 'artists.csv')
  const { tracks, report } = await readCatalogue(TRACKS, { artistsFile: other })
  assert.equal(report.artists?.file, other)
  assert.deepEqual(byId(tracks, 't1').genres, [])
  const missing = catalogueFixture('spotify-600k', 'no-such-artists.csv')
  await assert.rejects(readCatalogue(TRACKS, { artistsFile: missing }), segueError('E_INPUT_FILE', new RegExp(re(missing))))
})

test('600k lenient: malformed rows are skipped with reasons naming file:line, column and value', async () => {
  const { tracks, report } = await readCatalogue(BAD)
  assert.deepEqual(tracks.map((t) => t.id), ['g1', 'g2', 'g3'])
  assert.equal(report.rows, 11)
  assert.equal(report.skipped, 8)
  assert.deepEqual(report.skipReasons, [
    `${BAD}:3 column 'danceability' value 'abc': not a number`,
    `${BAD}:4 column 'danceability' value '1.7': out of range [0, 1]`,
    `${BAD}:5 column 'tempo' value '-5': out of range [0, 1000]`,
    `${BAD}:6 column 'id' value '': required value is empty`,
    `${BAD}:7 column 'artists' value '['Unclosed]': not a list literal: unterminated string at the end`,
    `${BAD}:8 column 'release_date' value '2001-13-01': not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)`,
    `${BAD}:11: row has 19 columns, the header has 20`,
    `${BAD}:12 column 'explicit' value 'maybe': not a boolean (expected True/False or 1/0)`,
  ])
  assert.equal(byId(tracks, 'g2').name, 'Two\nLines')
  assert.equal(byId(tracks, 'g3').releaseDate, '2000-02-29')
})

test('600k lenient: a bad artists row is skipped and counted in the artists report', async () => {
  const { tracks, report } = await readCatalogue(BAD)
  const artists = catalogueFixture('spotify-600k-bad', 'artists.csv')
  assert.equal(report.artists?.skipped, 1)
  assert.deepEqual(report.artists?.skipReasons, [`${artists}:2 column 'followers' value 'many': not a number`])
  assert.deepEqual(byId(tracks, 'g1').genres, [])
})

test('600k strict: the first malformed row throws E_INPUT_ROW with its location', async () => {
  // Strict mode reads artists.csv first, so point it at the clean one to reach the tracks file's first bad row.
  const artistsFile = catalogueFixture('spotify-600k', 'artists.csv')
  await assert.rejects(readCatalogue(BAD, { strict: true, artistsFile }), (err: unknown) => {
    segueError('E_INPUT_ROW', new RegExp(`^${re(BAD)}:3 column 'danceability' value 'abc': not a number$`))(err)
    assert.deepEqual((err as { location: unknown }).location, { file: BAD, line: 3, column: 'danceability', value: 'abc' })
    return true
  })
})

test('600k strict: a malformed artists row throws naming artists.csv', async () => {
  const artists = catalogueFixture('spotify-600k-bad', 'artists.csv')
  await assert.rejects(readCatalogue(BAD, { strict: true }), segueError('E_INPUT_ROW', new RegExp(`^${re(artists)}:2 column 'followers'`)))
})

test('600k: reading twice gives identical output', async () => {
  const a = await readCatalogue(TRACKS)
  const b = await readCatalogue(TRACKS)
  assert.deepEqual(a, b)
})
