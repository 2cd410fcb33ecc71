// The catalogue charts: every entry gives a valid spec for a catalogue, an empty one and a single track, and
// renders with its title; the numbers they carry are checked by hand on small catalogues and on the real one.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildChart, CHARTS, featureColumn } from '../../src/viz/charts.js'
import { toSvg } from '../../src/viz/render.js'
import { pearson } from '../../src/viz/heatmap.js'
import { readCatalogue } from '../../src/data/read-catalogue.js'
import { isSegueError } from '../../src/core/errors.js'
import type { Track } from '../../src/core/track.js'
import { makeTrack } from '../helpers/make-track.js'
import { realFile } from '../helpers/paths.js'
import { assertValidSpec, isNoData, valuesOf } from './validate.js'

const small: Track[] = [
  makeTrack({ explicit: true, popularity: 10, audio: { key: 0, mode: 1, energy: 0.2, loudness: -20 } }),
  makeTrack({ explicit: false, popularity: 50, audio: { key: 0, mode: 0, energy: 0.5, loudness: -10 } }),
  makeTrack({ explicit: false, popularity: 90, audio: { key: 9, mode: 1, energy: 0.8, loudness: -4 } }),
]

test('every chart is valid for a catalogue, an empty one and a single track, and its SVG carries its title', async () => {
  for (const [name, def] of Object.entries(CHARTS)) {
    for (const tracks of [small, [], small.slice(0, 1)]) {
      const spec = def.build({ tracks })
      assertValidSpec(spec)
      if (tracks.length === 0) assert.ok(isNoData(spec), `${name}: says there is no data`)
    }
    const svg = await toSvg(def.build({ tracks: small }))
    assert.ok(svg.includes(`>${def.title}</text>`), `${name}: title '${def.title}' drawn`)
    assert.ok(def.description.length > 40, `${name}: has a caption`)
  }
})

test('explicit share, keys and modes count the tracks by hand', () => {
  assert.deepEqual(valuesOf(buildChart('explicit-share', { tracks: small })).map((r) => [r.category, r.value]), [
    ['Explicit', 0.333333],
    ['Not explicit', 0.666667],
  ])
  const withUnknown = [...small, makeTrack({ explicit: null })]
  assert.deepEqual(valuesOf(buildChart('explicit-share', { tracks: withUnknown })).map((r) => r.value), [0.25, 0.5, 0.25])
  const keys = valuesOf(buildChart('keys', { tracks: small })).filter((r) => (r.value as number) > 0)
  assert.deepEqual(keys.map((r) => [r.category, r.group, r.value]), [['C', 'Major', 1], ['C', 'Minor', 1], ['A', 'Major', 1]])
  assert.deepEqual(valuesOf(buildChart('modes', { tracks: small })).map((r) => [r.category, r.value]), [['Major', 0.666667], ['Minor', 0.333333]])
})

test('the correlation chart carries Pearson r of the features and popularity, computed by hand', () => {
  const rows = valuesOf(buildChart('feature-correlation', { tracks: small }))
  const r = (a: string, b: string) => rows.find((x) => x.row === a && x.col === b)?.r
  // energy 0.2, 0.5, 0.8 against popularity 10, 50, 90: exactly linear
  assert.equal(r('Energy', 'Popularity'), 1)
  // energy (-0.3, 0, 0.3) against loudness (-8.67, 1.33, 7.33) about their means
  const la = [-20, -10, -4]
  const m = la.reduce((a, b) => a + b) / 3
  const expected = (-0.3 * (la[0] - m) + 0.3 * (la[2] - m)) / Math.sqrt(0.18 * la.reduce((a, x) => a + (x - m) ** 2, 0))
  assert.equal(r('Energy', 'Loudness'), Math.round(expected * 1000) / 1000)
  assert.equal(r('Danceability', 'Energy'), null, 'a constant feature has no r')
})

test('an unknown chart name is E_NOT_FOUND and names the charts there are', () => {
  assert.throws(() => buildChart('nope', { tracks: small }), (e) => isSegueError(e) && e.code === 'E_NOT_FOUND' && /feature-correlation/.test(e.message))
  assert.throws(() => buildChart('toString', { tracks: small }), (e) => isSegueError(e) && e.code === 'E_NOT_FOUND')
})

test('on the bundled 114k catalogue: loud tracks are energetic, acoustic ones are not, and specs stay small', async () => {
  const path = realFile('spotify-tracks-114k', 'dataset.csv')
  assert.ok(path, 'the bundled catalogue is in data/')
  const { tracks } = await readCatalogue(path)
  const rows = valuesOf(buildChart('feature-correlation', { tracks }))
  const r = (a: string, b: string) => rows.find((x) => x.row === a && x.col === b)?.r as number
  assert.equal(r('Energy', 'Loudness'), Math.round(pearson(featureColumn(tracks, 'energy'), featureColumn(tracks, 'loudness')) * 1000) / 1000)
  assert.ok(r('Energy', 'Loudness') > 0.6, `energy-loudness r = ${r('Energy', 'Loudness')}`)
  assert.ok(r('Energy', 'Acousticness') < -0.6, `energy-acousticness r = ${r('Energy', 'Acousticness')}`)
  for (const name of Object.keys(CHARTS)) {
    const spec = buildChart(name, { tracks })
    assert.ok(JSON.stringify(spec).length < 64_000, `${name}: spec under 64 kB for ${tracks.length} tracks`)
  }
  const hist = valuesOf(buildChart('distribution-energy', { tracks }))
  assert.equal(hist.reduce((a, x) => a + (x.count as number), 0), tracks.length)
})
