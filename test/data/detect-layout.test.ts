import { test } from 'node:test'
import assert from 'node:assert/strict'
import { detectLayout } from '../../src/data/read-catalogue.js'
import { isSegueError } from '../../src/core/errors.js'

const H114 =
  ',track_id,artists,album_name,track_name,popularity,duration_ms,explicit,danceability,energy,key,loudness,mode,' +
  'speechiness,acousticness,instrumentalness,liveness,valence,tempo,time_signature,track_genre'
const H600 =
  'id,name,popularity,duration_ms,explicit,artists,id_artists,release_date,danceability,energy,key,loudness,mode,' +
  'speechiness,acousticness,instrumentalness,liveness,valence,tempo,time_signature'
const H170 =
  'valence,year,acousticness,artists,danceability,duration_ms,energy,explicit,id,instrumentalness,key,liveness,' +
  'loudness,mode,name,popularity,release_date,speechiness,tempo'

test('detects each layout from its header', () => {
  assert.equal(detectLayout(H114.split(','), 'a.csv'), 'spotify-114k')
  assert.equal(detectLayout(H600.split(','), 'a.csv'), 'spotify-600k')
  assert.equal(detectLayout(H170.split(','), 'a.csv'), 'spotify-170k')
})

test('accepts any column order, a BOM, blanks and capitals in names', () => {
  assert.equal(detectLayout(H600.split(',').reverse(), 'a.csv'), 'spotify-600k')
  const h = H170.split(',').map((c) => ` ${c.toUpperCase()} `)
  h[0] = '\uFEFF' + h[0]
  assert.equal(detectLayout(h, 'a.csv'), 'spotify-170k')
})

test('an unknown header names the file, the nearest layout and its missing columns', () => {
  const header = H600.split(',').filter((c) => c !== 'tempo' && c !== 'id_artists')
  assert.throws(
    () => detectLayout(header, 'dir/tracks.csv'),
    (err: unknown) =>
      isSegueError(err) &&
      err.code === 'E_INPUT_FORMAT' &&
      err.location?.file === 'dir/tracks.csv' &&
      /^dir\/tracks\.csv: .*spotify-600k, lacks column\(s\) 'id_artists', 'tempo'$/.test(err.message),
  )
  assert.throws(() => detectLayout(['user', 'item', 'rating'], 'x.csv'), /x\.csv: header does not match/)
})
