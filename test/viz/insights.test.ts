// Time, artist-network, listening and model charts: the numbers they carry are worked out by hand on small
// inputs, and every builder gives valid Vega-Lite for normal, empty and single-row data.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { readCatalogue } from '../../src/data/read-catalogue.js'
import type { Track } from '../../src/core/track.js'
import { CHARTS, buildChart } from '../../src/viz/charts.js'
import { INSIGHT_CHARTS } from '../../src/viz/insight-charts.js'
import { toPixels, toSvg } from '../../src/viz/render.js'
import { decadeRows, featuresByDecadeSpec, featuresByYearSpec, NO_YEARS, popularityByYearSpec, yearRows } from '../../src/viz/time.js'
import { artistNetwork, componentsOf, collaborationGraph, degreeCounts, networkData, topCollaborators } from '../../src/viz/network.js'
import { networkSpec } from '../../src/viz/network-charts.js'
import { logRanks, longTailSpec, playlistLengthsSpec, popularityBiasSpec, popularityGroups, tailRows } from '../../src/viz/listening.js'
import { confusionMatrixChart, metricsAtKSpec, precisionRecallSpec, tradeOffSpec } from '../../src/viz/models.js'
import { makeTrack } from '../helpers/make-track.js'
import { fixturesDir, realFile } from '../helpers/paths.js'
import { assertValidSpec, isNoData, valuesOf } from './validate.js'

const credited = (...artists: string[]) => makeTrack({ artists })

test('yearRows: per-year means of popularity and features, thin years left out; decades weighted by tracks', () => {
  const tracks = [
    ...Array.from({ length: 5 }, (_, i) => makeTrack({ releaseYear: 1990, popularity: 10 * i, audio: { energy: 0.2 } })),
    ...Array.from({ length: 5 }, () => makeTrack({ releaseYear: 1995, popularity: 80, audio: { energy: 0.8 } })),
    makeTrack({ releaseYear: 2001, popularity: 99 }),
    makeTrack({ releaseYear: null, popularity: 50 }),
  ]
  const years = yearRows(tracks)
  assert.deepEqual(years.map((y) => [y.year, y.tracks, y.popularity, y.features.energy]), [[1990, 5, 20, 0.2], [1995, 5, 80, 0.8]])
  assert.deepEqual(decadeRows(years).map((d) => [d.year, d.tracks, d.popularity, d.features.energy]), [[1990, 10, 50, 0.5]])
  for (const spec of [popularityByYearSpec(years, { title: 'P' }), featuresByYearSpec(years, { title: 'F' }), featuresByDecadeSpec(years, { title: 'D' })]) assertValidSpec(spec)
  const one = yearRows(tracks.slice(0, 1), 1)
  for (const spec of [popularityByYearSpec(one, { title: 'P' }), featuresByYearSpec(one, { title: 'F' }), featuresByDecadeSpec(one, { title: 'D' })]) assertValidSpec(spec)
})

test('a catalogue without years (114k layout) draws a message saying so; the 170k and 600k layouts carry years', async () => {
  for (const name of ['popularity-by-year', 'features-by-year', 'features-by-decade']) {
    const spec = buildChart(name, { tracks: [makeTrack({ popularity: 3 })] })
    assertValidSpec(spec)
    assert.ok(isNoData(spec))
    assert.equal(valuesOf(spec)[0].message, NO_YEARS)
    assert.ok((await toSvg(spec)).includes('has no release years'), `${name}: the message is drawn`)
  }
  const thin = buildChart('popularity-by-year', { tracks: [makeTrack({ releaseYear: 1990, popularity: 3 })] })
  assert.match(String(valuesOf(thin)[0].message), /No release year has 5 or more tracks/, 'years, but too few per year')
  for (const file of [join(fixturesDir, 'catalogue', 'spotify-170k', 'data.csv'), join(fixturesDir, 'catalogue', 'spotify-600k', 'tracks.csv')]) {
    const { tracks } = await readCatalogue(file)
    const years = yearRows(tracks, 1)
    assert.ok(years.length >= 2, `${file}: years read`)
    assert.equal(years.reduce((a, y) => a + y.tracks!, 0), tracks.filter((t) => t.releaseYear !== null).length)
    assertValidSpec(popularityByYearSpec(years, { title: 'P' }))
  }
})

/** Two four-artist cliques (one track each credits all four) joined by one shared track, a pair, and a loner. */
function twoCliques(): Track[] {
  return [
    credited('A1', 'A2', 'A3', 'A4'),
    credited('B1', 'B2', 'B3', 'B4'),
    credited('A1', 'B1'),
    credited('A1', 'B1'),
    credited('P', 'Q'),
    credited('Loner'),
  ]
}

test('collaboration network: edges weighted by shared tracks, components, degrees and top collaborators by hand', () => {
  const tracks = twoCliques()
  const g = collaborationGraph(tracks)
  assert.equal(g.order, 11)
  assert.equal(g.size, 6 + 6 + 1 + 1)
  assert.equal(g.getEdgeAttribute('A1', 'B1', 'weight'), 2)
  assert.deepEqual(componentsOf(g).map((c) => c.length), [8, 2, 1])
  const net = artistNetwork(tracks)
  assert.deepEqual(degreeCounts(net), [{ degree: 1, artists: 2 }, { degree: 3, artists: 6 }, { degree: 4, artists: 2 }])
  assert.deepEqual(topCollaborators(net, 2), [{ name: 'A1', degree: 4, tracks: 5 }, { name: 'B1', degree: 4, tracks: 5 }])
  assert.equal(net.stats.largestComponent, 8)
  assert.equal(net.stats.collaborating, 10)
})

test('Louvain puts each clique in its own community; the layout is seeded, in [0, 1], and the same every time', () => {
  const net = artistNetwork(twoCliques())
  const c = (a: string) => net.community.get(a)
  assert.ok(['A2', 'A3', 'A4'].every((a) => c(a) === c('A1')))
  assert.ok(['B2', 'B3', 'B4'].every((a) => c(a) === c('B1')))
  assert.notEqual(c('A1'), c('B1'))
  const a = networkData(twoCliques())
  const b = networkData(twoCliques()) // a fresh array: not the cache
  assert.deepEqual(a, b)
  assert.equal(a.nodes.length, 8)
  assert.equal(a.edges.length, 13)
  for (const n of a.nodes) assert.ok(n.x >= 0 && n.x <= 1 && n.y >= 0 && n.y <= 1, `${n.id} at ${n.x}, ${n.y}`)
  assert.deepEqual(Object.keys(a.nodes[0]).sort(), ['community', 'degree', 'id', 'name', 'x', 'y'])
  assert.notDeepEqual(networkData(twoCliques(), { seed: 7 }).nodes.map((n) => n.x), a.nodes.map((n) => n.x))
})

test('network charts: valid for a network, an empty catalogue and a single track', async () => {
  for (const tracks of [twoCliques(), [], [credited('Solo')]]) {
    for (const name of ['artist-network', 'artist-degrees', 'artist-communities', 'top-collaborators']) {
      const spec = buildChart(name, { tracks })
      assertValidSpec(spec)
      if (tracks.length < 2) assert.ok(isNoData(spec), `${name}: no collaborations to draw`)
    }
  }
  const svg = await toSvg(networkSpec(networkData(twoCliques()), { title: 'Net' }))
  for (const name of ['A1', 'B1', 'Louvain community']) assert.ok(svg.includes(`>${name}</text>`), `${name} drawn`)
})

test('long tails: ranks spaced on a log axis, values sorted from most played; empty and one value are valid', () => {
  assert.deepEqual(logRanks(1000, 4), [1, 10, 100, 1000])
  assert.deepEqual(logRanks(1, 120), [1])
  const rows = tailRows([{ name: 'Items', values: [3, 0, 10, 1] }], 10)
  assert.deepEqual(rows.map((r) => [r.rank, r.plays]), [[1, 10], [2, 3], [3, 1]])
  assertValidSpec(longTailSpec([{ name: 'Listeners', values: [5, 1, 2] }, { name: 'Items', values: [9, 1] }], { title: 'Tail' }))
  assert.ok(isNoData(longTailSpec([{ name: 'Items', values: [] }], { title: 'Tail' })))
  assertValidSpec(longTailSpec([{ name: 'Items', values: [4] }], { title: 'Tail' }))
  assertValidSpec(playlistLengthsSpec([12, 50, 50, 200], { title: 'Lengths' }))
  assertValidSpec(playlistLengthsSpec([7], { title: 'Lengths' }))
  assert.ok(isNoData(playlistLengthsSpec([], { title: 'Lengths' })))
})

test('popularity bias: items grouped by rank; the data and each model get their shares by hand', () => {
  // 100 items: item i has 100 - i listeners, so item 0 is the top 1%, items 1-9 the next 9%, 10-49, 50-99
  const counts = Float64Array.from({ length: 100 }, (_, i) => 100 - i)
  const groups = popularityGroups(counts)
  assert.deepEqual([groups[0], groups[1], groups[9], groups[10], groups[49], groups[50], groups[99]], [0, 1, 1, 2, 2, 3, 3])
  const spec = popularityBiasSpec({ title: 'Bias', counts, recommended: [{ model: 'hits', items: Int32Array.from([0, 0, 0, 5]) }] })
  assertValidSpec(spec)
  const share = (group: string, category: string) => valuesOf(spec).find((r) => r.group === group && r.category === category)?.value
  assert.equal(share('hits', 'Top 1%'), 0.75)
  assert.equal(share('hits', '1-10%'), 0.25)
  assert.equal(share('Listening data', 'Top 1%'), Math.round((100 / 5050) * 1e6) / 1e6)
  assert.ok(isNoData(popularityBiasSpec({ title: 'Bias', counts: [], recommended: [] })))
  assertValidSpec(popularityBiasSpec({ title: 'Bias', counts: [3], recommended: [{ model: 'm', items: [0] }] }))
})

const curves = [
  { model: 'als', points: [{ k: 5, metrics: { precision: 0.3, recall: 0.1, ndcg: 0.35, coverage: 0.05, genreDiversity: 0.4 } }, { k: 10, metrics: { precision: 0.2, recall: 0.2, ndcg: 0.3, coverage: 0.08, genreDiversity: 0.5 } }] },
  { model: 'popularity', points: [{ k: 5, metrics: { precision: 0.1, recall: 0.03, ndcg: 0.1, coverage: 0.001 } }, { k: 10, metrics: { precision: 0.08, recall: 0.06, ndcg: 0.09, coverage: 0.002 } }] },
]

test('model charts: metrics against k, precision-recall and trade-offs carry the numbers; empty and single-point input are valid', async () => {
  const atK = metricsAtKSpec(curves, ['precision', 'ndcg', 'coverage'], { title: 'At k' })
  assertValidSpec(atK)
  assert.deepEqual(valuesOf(atK).filter((r) => r.metric === 'NDCG').map((r) => [r.model, r.k, r.value]), [['als', 5, 0.35], ['als', 10, 0.3], ['popularity', 5, 0.1], ['popularity', 10, 0.09]])
  const pr = precisionRecallSpec(curves, { title: 'PR' })
  assertValidSpec(pr)
  assert.equal(valuesOf(pr).length, 4)
  const trade = tradeOffSpec([{ model: 'als', accuracy: 0.3, against: { 'Catalogue coverage': 0.08, Diversity: 0.5 } }, { model: 'pop', accuracy: 0.09, against: { 'Catalogue coverage': 0.002, Diversity: NaN } }], 'NDCG@10', { title: 'T' })
  assertValidSpec(trade)
  assert.equal(valuesOf(trade).length, 3, 'a NaN measure is left out')
  for (const empty of [metricsAtKSpec([], ['precision'], { title: 'E' }), precisionRecallSpec([], { title: 'E' }), tradeOffSpec([], 'NDCG', { title: 'E' })]) {
    assertValidSpec(empty)
    assert.ok(isNoData(empty))
  }
  const single = [{ model: 'm', points: [{ k: 10, metrics: { precision: 0.1, recall: 0.2 } }] }]
  for (const spec of [metricsAtKSpec(single, ['precision'], { title: 'S' }), precisionRecallSpec(single, { title: 'S' }), tradeOffSpec([{ model: 'm', accuracy: 0.1, against: { C: 0.2 } }], 'NDCG', { title: 'S' })]) assertValidSpec(spec)
  assert.ok((await toSvg(atK)).includes('>NDCG</text>'))
})

test('confusionMatrixChart: counts and accuracy by hand for any labels; mismatched lengths say so', () => {
  const spec = confusionMatrixChart(['Happy', 'Happy', 'Sad', 'Calm'], ['Happy', 'Sad', 'Sad', 'Happy'], 'Moods')
  assertValidSpec(spec)
  const cell = (a: string, p: string) => valuesOf(spec).find((r) => r.row === a && r.col === p)?.count
  assert.equal(cell('Happy', 'Happy'), 1)
  assert.equal(cell('Happy', 'Sad'), 1)
  assert.equal(cell('Calm', 'Happy'), 1)
  assert.match(JSON.stringify((spec as { title: unknown }).title), /4 cases, accuracy 0\.500/)
  assert.ok(isNoData(confusionMatrixChart([], [], 'Empty')))
  assertValidSpec(confusionMatrixChart(['a'], ['a'], 'One'))
  assert.ok(isNoData(confusionMatrixChart(['a'], [], 'Bad')))
})

test('every time, artist, listening and model chart is valid with nothing but an empty catalogue loaded, and says so', () => {
  for (const [name, def] of Object.entries(INSIGHT_CHARTS)) {
    assert.equal(CHARTS[name], def, `${name} is in the registry`)
    const spec = def.build({ tracks: [] })
    assertValidSpec(spec)
    assert.ok(isNoData(spec), `${name}: says there is nothing to draw`)
  }
})

test('on the bundled 114k catalogue: the network is built once, its drawn core is at most 120 artists, specs stay small', async () => {
  const path = realFile('spotify-tracks-114k', 'dataset.csv')
  assert.ok(path)
  const { tracks } = await readCatalogue(path)
  const data = networkData(tracks)
  assert.ok(data.nodes.length === 120 && data.stats.largestComponent > 5000, `${data.nodes.length} nodes of ${data.stats.largestComponent}`)
  assert.ok(data.stats.modularity > 0.5, `modularity ${data.stats.modularity}`)
  for (const name of ['artist-network', 'artist-degrees', 'artist-communities', 'top-collaborators', 'popularity-by-year']) {
    const spec = buildChart(name, { tracks })
    assertValidSpec(spec)
    assert.ok(JSON.stringify(spec).length < 64_000, `${name} spec under 64 kB`)
  }
  assert.ok(isNoData(buildChart('popularity-by-year', { tracks })), 'the 114k catalogue has no years')
})

test('the new kinds of chart draw to PNG: not blank, and their title is drawn in the bundled font', async () => {
  const years = yearRows(Array.from({ length: 12 }, (_, i) => makeTrack({ releaseYear: 1990 + (i % 2) * 10, popularity: 40 + i, audio: { energy: i / 12 } })))
  const specs = {
    network: networkSpec(networkData(twoCliques()), { title: 'Network' }),
    trend: featuresByYearSpec(years, { title: 'Trend' }),
    tail: longTailSpec([{ name: 'Items', values: [9, 5, 3, 1] }], { title: 'Tail' }),
    metrics: metricsAtKSpec(curves, ['precision', 'ndcg'], { title: 'Metrics' }),
    confusion: confusionMatrixChart(['a', 'b'], ['a', 'a'], 'Confusion'),
  }
  for (const [title, spec] of Object.entries(specs).map(([k, s]) => [k[0].toUpperCase() + k.slice(1), s] as const)) {
    const svg = await toSvg(spec)
    const drawn = await toPixels(svg, { scale: 1 })
    let ink = 0
    for (let i = 0; i < drawn.pixels.length; i += 4) if (drawn.pixels.readUInt32BE(i) !== 0xffffffff) ink++
    assert.ok(ink > 0.01 * drawn.width * drawn.height, `${title}: ${ink} pixels drawn`)
    const untitled = await toPixels(svg.replace(`>${title}</text>`, '></text>'), { scale: 1 })
    let differ = 0
    for (let i = 0; i < drawn.pixels.length; i += 4) if (drawn.pixels.readUInt32BE(i) !== untitled.pixels.readUInt32BE(i)) differ++
    assert.ok(differ > 60, `${title}: its title covers ${differ} pixels`)
  }
})
