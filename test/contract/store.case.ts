import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Store } from '../../src/store/store.js'
import type { Track } from '../../src/core/track.js'
import { makeTrack } from '../helpers/make-track.js'

/**
 * The suite every Store implementation passes. `open` returns a fresh store; `reopen` (where the store
 * persists) opens the same storage again after the first was closed.
 */
export function runStoreSuite(name: string, open: () => Promise<Store> | Store, reopen?: () => Promise<Store> | Store): void {
  const awkward = makeTrack({
    id: 't-ü',
    name: 'Don\'t Stop "Me" Now, Live',
    artists: ['Guns N\' Roses', 'Sinéad O\'Connor'],
    artistIds: ['a1', 'a2'],
    album: null,
    genres: [],
    popularity: null,
    durationMs: null,
    explicit: null,
    releaseYear: 1987,
    releaseDate: '1987-07',
    artistFollowers: 123456,
    features: Float64Array.from([0.1, 0.2, 5, -7.25, 1, 0.03, 1.01e-6, 0, 0.9, 0.5, 120.5, 4]),
  })

  test(`${name}: a track round-trips every field`, async () => {
    const store = await open()
    store.upsertTracks([awkward])
    const back = store.getTrack('t-ü')!
    assert.deepEqual({ ...back, features: Array.from(back.features) }, { ...awkward, features: Array.from(awkward.features) })
    assert.equal(store.getTrack('missing'), null)
    store.close()
  })

  test(`${name}: importing the same tracks twice changes nothing`, async () => {
    const store = await open()
    const tracks = [makeTrack({ id: 'a' }), makeTrack({ id: 'b' }), awkward]
    const first = store.upsertTracks(tracks)
    assert.equal(first.added, 3)
    const second = store.upsertTracks(tracks)
    assert.deepEqual([second.added, second.updated, second.unchanged], [0, 0, 3])
    assert.equal(second.info.version, first.info.version)
    assert.equal(store.countTracks(), 3)
    store.close()
  })

  test(`${name}: a changed track updates the catalogue version; replace removes the rest`, async () => {
    const store = await open()
    const v1 = store.upsertTracks([makeTrack({ id: 'a' }), makeTrack({ id: 'b' })]).info.version
    const out = store.upsertTracks([makeTrack({ id: 'a', name: 'Renamed' })])
    assert.equal(out.updated, 1)
    assert.notEqual(out.info.version, v1)
    assert.equal(store.getTrack('a')!.name, 'Renamed')
    store.upsertTracks([makeTrack({ id: 'c' })], { replace: true })
    assert.deepEqual(store.allTracks().map((t) => t.id), ['c'])
    store.close()
  })

  test(`${name}: a failed import leaves the previous catalogue intact`, async () => {
    const store = await open()
    const before = store.upsertTracks([makeTrack({ id: 'a' }), makeTrack({ id: 'b' })]).info
    const broken = { ...makeTrack({ id: 'z' }), name: null } as unknown as Track
    assert.throws(() => store.upsertTracks([makeTrack({ id: 'a', name: 'Changed' }), makeTrack({ id: 'n' }), broken]), /catalogue is unchanged/)
    assert.equal(store.countTracks(), 2)
    assert.equal(store.getTrack('a')!.name, 'track a')
    assert.deepEqual(store.catalogueInfo(), before)
    store.close()
  })

  test(`${name}: the import log records each import`, async () => {
    const store = await open()
    store.upsertTracks([makeTrack({ id: 'a' })], { record: { source: 'x.csv', layout: 'spotify-114k', report: { rows: 1 } } })
    store.upsertTracks([makeTrack({ id: 'a' })], { record: { source: 'x.csv', layout: 'spotify-114k', report: { rows: 1 } } })
    const log = store.imports()
    assert.deepEqual(log.map((r) => [r.source, r.changed]), [['x.csv', true], ['x.csv', false]])
    assert.deepEqual(log[0].report, { rows: 1 })
    store.close()
  })

  if (reopen) {
    test(`${name}: data survives closing and reopening`, async () => {
      const store = await open()
      const info = store.upsertTracks([makeTrack({ id: 'p' }), awkward]).info
      store.close()
      const again = await reopen()
      assert.equal(again.countTracks(), 2)
      assert.deepEqual(again.catalogueInfo(), info)
      assert.equal(again.getTrack('t-ü')!.artists[1], 'Sinéad O\'Connor')
      again.close()
    })
  }
}
