import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { playlistInteractions } from '../../src/data/playlists/interactions.js'
import type { PlaylistSet } from '../../src/data/playlists/types.js'
import { createContinuationModel } from '../../src/eval/continuation/models.js'
import { PRODUCT_MODELS, ProductContinuation } from '../../src/eval/continuation/product.js'
import type { ContinuationTrain } from '../../src/eval/continuation/types.js'
import { SegueService } from '../../src/service/service.js'
import { fixturesDir } from '../helpers/paths.js'

// The engine fixture's catalogue (nine tracks around 'Seed Song' by Alpha) and a hand-made playlist set over
// some of its tracks and three tracks the catalogue lacks (artist X), which always share playlists with the seed.
const ids = ['seed0000000000000000001', 'alpha000000000000000002', 'close000000000000000003', 'middle00000000000000006', 'far00000000000000000007', 'x1', 'x2', 'x3', 'x4']
const artists = ['Alpha', 'Alpha', 'Beta', 'Gamma', 'Epsilon', 'X', 'X', 'X', 'Nobody']
const SEED = 0
const LINKED = new Set([1, 2, 3, 4])
const X = [5, 6, 7]
const set: PlaylistSet = {
  tracks: ids.map((id, i) => ({ id, artist: artists[i], title: `song ${i}` })),
  trackIndex: new Map(ids.map((id, i) => [id, i])),
  playlists: [
    { pid: 1, name: 'x mix', tracks: [0, 5, 6, 7] },
    { pid: 2, name: 'x mix', tracks: [0, 5, 6] },
    { pid: 3, name: 'x mix', tracks: [0, 5] },
    { pid: 4, name: 'beta', tracks: [2, 3, 4] },
    { pid: 5, name: 'alpha', tracks: [1, 2] },
    { pid: 6, name: 'held out', tracks: [8] },
  ],
}
const train: ContinuationTrain = { set, playlists: set.playlists.slice(0, 5), interactions: playlistInteractions(set, set.playlists.slice(0, 5)) }

let service: SegueService
before(async () => {
  service = await SegueService.start({ home: mkdtempSync(join(tmpdir(), 'segue-product-')), catalogue: join(fixturesDir, 'engine', 'catalogue.csv'), listening: null })
})
after(() => service?.close())

async function fitted(kind: keyof typeof PRODUCT_MODELS, params = {}): Promise<ProductContinuation> {
  const m = new ProductContinuation(kind, service.engine, { params })
  await m.fit(train)
  return m
}

describe('the product as continuation models', () => {
  test('collaborative: co-occurrence order with the product per-artist cap, then the fill; never a seed', async () => {
    const capped = await (await fitted('collaborative', { perArtist: 2 })).continue({ title: '', seeds: [SEED] }, 8)
    assert.deepEqual(capped.slice(0, 2), [5, 6], 'X tracks by shared playlists (3, 2), at most two of artist X')
    assert.ok(!capped.includes(SEED) && !capped.includes(8), 'no seed, nothing outside training')
    assert.equal(capped.indexOf(7) > 2 || capped.indexOf(7) === -1, true, 'the third X track comes only with the fill')
    const open = await (await fitted('collaborative', { perArtist: 10 })).continue({ title: '', seeds: [SEED] }, 3)
    assert.deepEqual(open, [5, 6, 7])
  })

  test('content: the product\'s For you over catalogue-linked training tracks only, nearest first', async () => {
    const m = await fitted('content')
    const list = await m.continue({ title: '', seeds: [SEED] }, 4)
    assert.deepEqual(new Set(list), LINKED, 'only linked training tracks before any fill')
    assert.equal(list[0], 1, "the seed's nearest sound is Alpha Two")
  })

  test('hybrid: both lists fused; the weights decide who leads', async () => {
    const collabFirst = await (await fitted('hybrid', { playlistHybridWeights: { content: 0.1, collaborative: 0.9 } })).continue({ title: '', seeds: [SEED] }, 4)
    assert.equal(collabFirst[0], 5)
    const contentFirst = await (await fitted('hybrid', { playlistHybridWeights: { content: 0.9, collaborative: 0.1 } })).continue({ title: '', seeds: [SEED] }, 6)
    assert.deepEqual(contentFirst.slice(0, 4).sort(), [1, 2, 3, 4], 'every content pick leads when content weighs most')
    assert.deepEqual(contentFirst.slice(4), [5, 6], 'then the collaborative ones, X capped at two')
    assert.ok(collabFirst.some((t) => LINKED.has(t)))
  })

  test('seed playlist: buildPlaylist around the linked seeds, as set tracks', async () => {
    const list = await (await fitted('playlist')).continue({ title: '', seeds: [SEED, 5] }, 3)
    assert.equal(list[0], 1)
    assert.ok(list.every((t) => t !== SEED && t !== 5))
  })

  test('seeds the catalogue lacks give content nothing of its own: the title model and popularity fill in', async () => {
    const list = await (await fitted('content')).continue({ title: 'x mix', seeds: [5] }, 3)
    assert.ok(list.length === 3 && !list.includes(5))
  })

  test('the registry makes each one by name; withParams answers with other params without fitting again', async () => {
    for (const name of Object.values(PRODUCT_MODELS)) assert.equal(createContinuationModel(name, { engine: service.engine }).name, name)
    assert.throws(() => createContinuationModel('for-you-content', {}), /needs an engine/)
    const m = await fitted('collaborative')
    assert.deepEqual(await m.withParams({ perArtist: 10 }).continue({ title: '', seeds: [SEED] }, 3), [5, 6, 7])
  })
})
