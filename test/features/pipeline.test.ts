import { test } from 'node:test'
import assert from 'node:assert/strict'
import { SegueError } from '../../src/core/errors.js'
import { FeaturePipeline, type PipelineConfig } from '../../src/features/pipeline.js'
import { assertClose, column, makeTrack, populationVariance, tracksVarying } from './feature-helpers.js'

// logTransform 'none' keeps hand-made columns with a tail from being logged by 'auto'.
const AUDIO_ONLY: Partial<PipelineConfig> = { genres: 'none', artists: 'none', logTransform: 'none' }

function col(p: FeaturePipeline, name: string): number {
  const i = p.columns().findIndex((c) => c.name === name)
  assert.notEqual(i, -1, `no column ${name}`)
  return i
}

function outputColumn(p: FeaturePipeline, tracks: Parameters<FeaturePipeline['transform']>[0], name: string): number[] {
  return column(p.transform(tracks), p.dims, col(p, name))
}

test('columns: audio in feature order with key as sin/cos, then genres, artists, era', () => {
  const tracks = [
    makeTrack({ genres: ['rock'], artists: ['Ann'], releaseYear: 2001 }),
    makeTrack({ genres: ['jazz'], artists: ['Bo'], releaseYear: 1999 }),
  ]
  const p = FeaturePipeline.fit(tracks, { genres: 'onehot', artists: 'tfidf' })
  const names = p.columns().map((c) => c.name)
  assert.deepEqual(names.slice(0, 4), ['danceability', 'energy', 'key_sin', 'key_cos'])
  assert.deepEqual(names.slice(12), ['time_signature', 'genre:jazz', 'genre:rock', 'artist:Ann', 'artist:Bo', 'release_year', 'track_age'])
  assert.deepEqual(p.columns().map((c) => c.group).slice(12), ['audio', 'genre', 'genre', 'artist', 'artist', 'era', 'era'])
  assert.equal(p.dims, 19)
  assert.equal(p.transform(tracks).length, 2 * 19)
})

test('standard scaling: two tracks differing only in energy sit at -1 and +1, constant columns at 0', () => {
  const tracks = tracksVarying('energy', [0.2, 0.6])
  const p = FeaturePipeline.fit(tracks, AUDIO_ONLY)
  assert.equal(p.blockScale('audio'), 1)
  const out = p.transform(tracks)
  const [energy, keyCos] = [col(p, 'energy'), col(p, 'key_cos')]
  // key 0 sits at angle 0 of the circle: (sin, cos) = (0, 1), which the scaler does not shift.
  const expected = (i: number) => (i % p.dims === energy ? (i < p.dims ? -1 : 1) : i % p.dims === keyCos ? 1 : 0)
  assert.deepEqual(Array.from(out), Array.from(out, (_, i) => expected(i)))
})

test('robust scaling with IQR capping: (x - median) / IQR after clipping 1.0 to 0.7', () => {
  const tracks = tracksVarying('energy', [0.1, 0.2, 0.3, 0.4, 1.0])
  const p = FeaturePipeline.fit(tracks, { ...AUDIO_ONLY, scaler: 'robust', capOutliers: true })
  const scaled = [-1, -0.5, 0, 0.5, 2]
  const blockScale = 1 / Math.sqrt(populationVariance(scaled))
  assert.ok(Math.abs(p.blockScale('audio') - blockScale) < 1e-12)
  assertClose(outputColumn(p, tracks, 'energy'), scaled.map((v) => v * blockScale))
  const params = p.numericParams('energy')!
  assertClose([params.lo, params.hi, params.center, params.scale], [-0.1, 0.7, 0.3, 0.2], 1e-12)
})

test('min-max scaling maps the training range onto [0, 1] before the block scale', () => {
  const tracks = tracksVarying('energy', [0.1, 0.4, 1.0])
  const p = FeaturePipeline.fit(tracks, { ...AUDIO_ONLY, scaler: 'minmax', capOutliers: false })
  const scaled = [0, 1 / 3, 1]
  assertClose(outputColumn(p, tracks, 'energy'), scaled.map((v) => v / Math.sqrt(populationVariance(scaled))))
})

test("logTransform 'auto' picks non-negative columns with |skewness| > 1 only", () => {
  const tail = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
  const tracks = tail.map((v, i) => makeTrack({ audio: { speechiness: v, loudness: -10 + 9 * v, acousticness: i / 10 } }))
  const p = FeaturePipeline.fit(tracks, { ...AUDIO_ONLY, logTransform: 'auto' })
  assert.equal(p.numericParams('speechiness')!.log, true)
  assert.equal(p.numericParams('loudness')!.log, false, 'skewed but negative')
  assert.equal(p.numericParams('acousticness')!.log, false, 'not skewed')
  const none = FeaturePipeline.fit(tracks, { ...AUDIO_ONLY, logTransform: 'none' })
  assert.equal(none.numericParams('speechiness')!.log, false)
})

test('an explicit log list applies log1p to exactly those columns', () => {
  const tracks = tracksVarying('tempo', [0, Math.E - 1])
  const p = FeaturePipeline.fit(tracks, { ...AUDIO_ONLY, logTransform: ['tempo'] })
  assert.equal(p.numericParams('tempo')!.log, true)
  assert.equal(p.numericParams('energy')!.log, false)
  // log1p -> [0, 1] -> standard -> [-1, 1]; the only varying column, so the block scale is 1.
  assertClose(outputColumn(p, tracks, 'tempo'), [-1, 1])
})

test('an explicit log on a column with negative values is refused, naming it', () => {
  const tracks = tracksVarying('loudness', [-5, -1])
  assert.throws(
    () => FeaturePipeline.fit(tracks, { logTransform: ['loudness'] }),
    (e: SegueError) => e.code === 'E_BAD_ARGUMENT' && /logTransform/.test(e.message) && /loudness/.test(e.message),
  )
})

test('categorical columns are never capped, continuous ones are', () => {
  const values = [0, 3, 4, 4, 4, 5]
  const tracks = values.map((v) => makeTrack({ audio: { time_signature: v, tempo: v } }))
  const p = FeaturePipeline.fit(tracks, { ...AUDIO_ONLY, capOutliers: true })
  assert.equal(p.numericParams('time_signature')!.lo, -Infinity)
  // Q1 = 3.25, Q3 = 4, IQR = 0.75 -> fences [2.125, 5.125].
  assertClose([p.numericParams('tempo')!.lo, p.numericParams('tempo')!.hi], [2.125, 5.125], 1e-12)
})

test('key lies on the pitch-class circle and "no key" (-1) at its centre', () => {
  const tracks = tracksVarying('key', [0, 3, -1])
  const p = FeaturePipeline.fit(tracks, AUDIO_ONLY)
  // Raw sin [0, 1, 0] and cos [1, 0, 0]: variance 2/9 each, total 4/9, block scale 1.5.
  assert.ok(Math.abs(p.blockScale('audio') - 1.5) < 1e-12)
  assertClose(outputColumn(p, tracks, 'key_sin'), [0, 1.5, 0])
  assertClose(outputColumn(p, tracks, 'key_cos'), [1.5, 0, 0])
})

const termCatalogue = () => [
  makeTrack({ genres: ['rock'], artists: ['Ann'] }),
  makeTrack({ genres: ['rock', 'jazz'], artists: ['Ann', 'Bo'] }),
  makeTrack({ genres: ['pop'], artists: ['Cy'] }),
  makeTrack({ genres: ['Rock'], artists: ['Ann'] }),
]

test('tf-idf genre block holds idf-weighted unit rows times the genre weight', () => {
  const tracks = termCatalogue()
  const p = FeaturePipeline.fit(tracks, { genres: 'tfidf', artists: 'none', weights: { audio: 1, genre: 0.5, artist: 1, era: 1 } })
  const out = p.transform(tracks)
  const [j, r] = [Math.log(4) + 1, Math.log(4 / 3) + 1]
  const norm = Math.hypot(j, r)
  const row = (i: number) => ['genre:jazz', 'genre:pop', 'genre:rock'].map((n) => out[i * p.dims + col(p, n)])
  assertClose(row(1), [(0.5 * j) / norm, 0, (0.5 * r) / norm])
  assertClose(row(3), [0, 0, 0.5])
})

test('one-hot blocks: 1/sqrt(k) per present term; the artist cap keeps the most frequent', () => {
  const tracks = termCatalogue()
  const p = FeaturePipeline.fit(tracks, { genres: 'onehot', artists: 'onehot', maxArtistTerms: 1 })
  const out = p.transform(tracks)
  assertClose([out[p.dims + col(p, 'genre:jazz')], out[p.dims + col(p, 'genre:rock')]], [0.5 * Math.SQRT2, 0.5 * Math.SQRT2])
  assert.deepEqual(p.columns().filter((c) => c.group === 'artist').map((c) => c.name), ['artist:Ann'])
  // Default artist weight 0.5: Ann is the one vocabulary artist of track 2, so her column holds 0.5.
  assertClose(outputColumn(p, tracks, 'artist:Ann'), [0.5, 0.5, 0, 0.5])
})

test('genres and artists unseen in training are ignored at transform time', () => {
  const p = FeaturePipeline.fit(termCatalogue())
  const v = p.transformOne(makeTrack({ genres: ['metal'], artists: ['Zed'] }))
  const termDims = p.columns().flatMap((c, i) => (c.group === 'genre' || c.group === 'artist' ? [v[i]] : []))
  assert.ok(termDims.length > 0)
  assert.ok(termDims.every((x) => x === 0))
})

function distance(v: Float32Array, dims: number, i: number, j: number): number {
  let s = 0
  for (let d = 0; d < dims; d++) s += (v[i * dims + d] - v[j * dims + d]) ** 2
  return s
}

test('genre weight 0 removes genres from distances; doubling a weight doubles only its block', () => {
  const tracks = [makeTrack({ genres: ['rock'] }), makeTrack({ genres: ['jazz'] }), makeTrack({ genres: ['pop'], audio: { energy: 0.9 } })]
  const zero = FeaturePipeline.fit(tracks, { weights: { audio: 1, genre: 0, artist: 1, era: 1 } })
  assert.equal(distance(zero.transform(tracks), zero.dims, 0, 1), 0)
  const one = FeaturePipeline.fit(tracks, { weights: { audio: 1, genre: 1, artist: 1, era: 1 } })
  assert.ok(distance(one.transform(tracks), one.dims, 0, 1) > 0)
  const two = FeaturePipeline.fit(tracks, { weights: { audio: 1, genre: 2, artist: 1, era: 1 } })
  const [a, b] = [one.transform(tracks), two.transform(tracks)]
  const groups = one.columns().map((c) => c.group)
  a.forEach((x, i) => assert.equal(b[i], groups[i % one.dims] === 'genre' ? 2 * x : x))
})

test('withWeights reweights a fitted pipeline exactly as a fit with those weights', () => {
  const tracks = termCatalogue().map((t, i) => ({ ...t, releaseYear: 2000 + i }))
  const weights = { audio: 0.3, genre: 2, artist: 0, era: 1.5 }
  const refit = FeaturePipeline.fit(tracks, { weights })
  const reweighted = FeaturePipeline.fit(tracks).withWeights(weights)
  assert.deepEqual(reweighted.transform(tracks), refit.transform(tracks))
  assert.throws(() => refit.withWeights({ era: -1 }), (e: SegueError) => e.code === 'E_BAD_ARGUMENT')
})

test('at equal weights a wholly different genre costs what a typical audio difference costs', () => {
  const tracks = Array.from({ length: 40 }, (_, i) => makeTrack({ genres: [`g${i % 4}`], audio: { energy: (i * 37) % 11, tempo: (i * 13) % 7 } }))
  const p = FeaturePipeline.fit(tracks, { weights: { audio: 1, genre: 1, artist: 1, era: 1 }, capOutliers: false })
  const out = p.transform(tracks)
  const groups = p.columns().map((c) => c.group)
  const share = { audio: 0, genre: 0 } as Record<string, number>
  let pairs = 0
  for (let i = 0; i < 40; i++) {
    for (let j = 0; j < 40; j++, pairs++) {
      for (let d = 0; d < p.dims; d++) share[groups[d]] += (out[i * p.dims + d] - out[j * p.dims + d]) ** 2
    }
  }
  // Over all ordered pairs, a unit-variance block averages exactly 2; genres 2 * (1 - 1/4) for 4 equal genres.
  assertClose([share.audio / pairs, share.genre / pairs], [2, 1.5], 1e-5)
})

test('engineered era: year scaled, age log1p from the latest year, missing year takes the median', () => {
  const tracks = [2000, 2010, 2020, null].map((releaseYear) => makeTrack({ releaseYear }))
  const p = FeaturePipeline.fit(tracks, { ...AUDIO_ONLY, capOutliers: false, weights: { audio: 1, genre: 1, artist: 1, era: 0.5 } })
  const year = p.numericParams('release_year')!
  assertClose([year.center, year.scale], [2010, Math.sqrt(200 / 3)], 1e-9)
  const logAges = [Math.log1p(20), Math.log1p(10), 0]
  const ageMean = logAges.reduce((s, x) => s + x, 0) / 3
  const ageStd = Math.sqrt(populationVariance(logAges))
  const rawYear = [-10, 0, 10, 0].map((d) => d / Math.sqrt(200 / 3))
  const rawAge = [...logAges, Math.log1p(10)].map((x) => (x - ageMean) / ageStd)
  const blockScale = 1 / Math.sqrt(populationVariance(rawYear) + populationVariance(rawAge))
  assert.ok(Math.abs(p.blockScale('era') - blockScale) < 1e-12)
  assertClose(outputColumn(p, tracks, 'release_year'), rawYear.map((v) => 0.5 * blockScale * v))
  assertClose(outputColumn(p, tracks, 'track_age'), rawAge.map((v) => 0.5 * blockScale * v))
})

test('no era block when engineered is off or no training track has a year', () => {
  const dated = [makeTrack({ releaseYear: 1990 }), makeTrack({ releaseYear: 2000 })]
  assert.equal(FeaturePipeline.fit(dated, { engineered: false }).columns().some((c) => c.group === 'era'), false)
  assert.equal(FeaturePipeline.fit([makeTrack(), makeTrack()]).columns().some((c) => c.group === 'era'), false)
  assert.equal(FeaturePipeline.fit(dated).columns().filter((c) => c.group === 'era').length, 2)
})

test('explain ranks the closest feature first, in original units, with shared genres only', () => {
  const a = makeTrack({ genres: ['rock', 'jazz'], audio: { danceability: 0.7, energy: 0.5, tempo: 100 } })
  const b = makeTrack({ genres: ['rock', 'pop'], audio: { danceability: 0.7, energy: 0.55, tempo: 180 } })
  const others = [0.1, 0.4, 0.9].map((v) => makeTrack({ genres: ['rock'], audio: { danceability: v, energy: v, tempo: 200 * v } }))
  const p = FeaturePipeline.fit([a, b, ...others], { capOutliers: false })
  const all = p.explain(a, b)
  const at = (f: string) => all.findIndex((e) => e.feature === f)
  assert.ok(at('danceability') < at('energy') && at('energy') < at('tempo'))
  assert.deepEqual(all[at('tempo')], { ...all[at('tempo')], a: 100, b: 180 })
  assert.equal(all[0].contribution, 0)
  assert.ok(all.every((e, i) => i === 0 || all[i - 1].contribution <= e.contribution))
  assert.deepEqual(all.filter((e) => e.feature.startsWith('genre:')).map((e) => [e.feature, e.a, e.b]), [['genre:rock', 1, 1]])
  assert.equal(p.explain(a, b, 3).length, 3)
  // Without terms only the numeric features are named; given the rows, the answer is the same as encoding afresh.
  const rows = p.transform([a, b])
  const numeric = p.explain(a, b, Infinity, { terms: false, vectors: { a: rows.subarray(0, p.dims), b: rows.subarray(p.dims) } })
  assert.deepEqual(numeric, all.filter((e) => !e.feature.startsWith('genre:') && !e.feature.startsWith('artist:')))
})

test('explain contributions add up to the squared distance when the tracks share all their terms', () => {
  const a = makeTrack({ genres: ['rock'], audio: { energy: 0.2, key: 5 } })
  const b = makeTrack({ genres: ['rock'], audio: { energy: 0.8, key: 7 } })
  const p = FeaturePipeline.fit([a, b, makeTrack({ genres: ['pop'] })])
  const sum = p.explain(a, b).reduce((s, e) => s + e.contribution, 0)
  const out = p.transform([a, b])
  assert.ok(Math.abs(sum - distance(out, p.dims, 0, 1)) < 1e-9)
  assert.deepEqual(p.explain(a, b).find((e) => e.feature === 'key'), { ...p.explain(a, b).find((e) => e.feature === 'key')!, a: 5, b: 7 })
})

test('a NaN audio feature is refused, naming the track and the feature', () => {
  const bad = makeTrack({ id: 'bad-one', audio: { valence: NaN } })
  assert.throws(
    () => FeaturePipeline.fit([makeTrack(), bad]),
    (e: SegueError) => e.code === 'E_BAD_ARGUMENT' && /bad-one/.test(e.message) && /valence/.test(e.message),
  )
  assert.throws(() => FeaturePipeline.fit([]), (e: SegueError) => e.code === 'E_BAD_ARGUMENT' && /tracks/.test(e.message))
})

test('fitting is deterministic: same tracks, same vectors bit for bit', () => {
  const tracks = Array.from({ length: 30 }, (_, i) =>
    makeTrack({ genres: [`g${i % 5}`], artists: [`a${i % 7}`], releaseYear: i % 3 ? 1990 + i : null, audio: { energy: ((i * 7) % 10) / 10 } }),
  )
  const [x, y] = [FeaturePipeline.fit(tracks), FeaturePipeline.fit(tracks)]
  assert.deepEqual(x.columns(), y.columns())
  assert.deepEqual(Buffer.from(x.transform(tracks).buffer), Buffer.from(y.transform(tracks).buffer))
  assert.deepEqual(x.transformOne(tracks[4]), x.transform(tracks).subarray(4 * x.dims, 5 * x.dims))
})
