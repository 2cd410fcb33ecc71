import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { ListenerRecord, Store } from '../../src/store/store.js'
import type { Track } from '../../src/core/track.js'
import { makeTrack } from '../helpers/make-track.js'
import { checkOnlineFixture } from '../ops/online-fixture.js'

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
    await store.upsertTracks([awkward])
    const back = (await store.getTrack('t-ü'))!
    assert.deepEqual({ ...back, features: Array.from(back.features) }, { ...awkward, features: Array.from(awkward.features) })
    assert.equal(await store.getTrack('missing'), null)
    await store.close()
  })

  test(`${name}: importing the same tracks twice changes nothing`, async () => {
    const store = await open()
    const tracks = [makeTrack({ id: 'a' }), makeTrack({ id: 'b' }), awkward]
    const first = await store.upsertTracks(tracks)
    assert.equal(first.added, 3)
    const second = await store.upsertTracks(tracks)
    assert.deepEqual([second.added, second.updated, second.unchanged], [0, 0, 3])
    assert.equal(second.info.version, first.info.version)
    assert.equal(await store.countTracks(), 3)
    await store.close()
  })

  test(`${name}: a changed track updates the catalogue version; replace removes the rest`, async () => {
    const store = await open()
    const v1 = (await store.upsertTracks([makeTrack({ id: 'a' }), makeTrack({ id: 'b' })])).info.version
    const out = await store.upsertTracks([makeTrack({ id: 'a', name: 'Renamed' })])
    assert.equal(out.updated, 1)
    assert.notEqual(out.info.version, v1)
    assert.equal((await store.getTrack('a'))!.name, 'Renamed')
    await store.upsertTracks([makeTrack({ id: 'c' })], { replace: true })
    assert.deepEqual((await store.allTracks()).map((t) => t.id), ['c'])
    await store.close()
  })

  test(`${name}: a failed import leaves the previous catalogue intact`, async () => {
    const store = await open()
    const before = (await store.upsertTracks([makeTrack({ id: 'a' }), makeTrack({ id: 'b' })])).info
    const broken = { ...makeTrack({ id: 'z' }), name: null } as unknown as Track
    await assert.rejects(() => store.upsertTracks([makeTrack({ id: 'a', name: 'Changed' }), makeTrack({ id: 'n' }), broken]), /catalogue is unchanged/)
    assert.equal(await store.countTracks(), 2)
    assert.equal((await store.getTrack('a'))!.name, 'track a')
    assert.deepEqual(await store.catalogueInfo(), before)
    await store.close()
  })

  test(`${name}: the import log records each import`, async () => {
    const store = await open()
    await store.upsertTracks([makeTrack({ id: 'a' })], { record: { source: 'x.csv', layout: 'spotify-114k', report: { rows: 1 } } })
    await store.upsertTracks([makeTrack({ id: 'a' })], { record: { source: 'x.csv', layout: 'spotify-114k', report: { rows: 1 } } })
    const log = await store.imports()
    assert.deepEqual(log.map((r) => [r.source, r.changed]), [['x.csv', true], ['x.csv', false]])
    assert.deepEqual(log[0].report, { rows: 1 })
    await store.close()
  })


  const listener = (id: string): ListenerRecord => ({ id, name: `name of ${id}`, tokenHash: 'h'.repeat(64), createdAt: '2026-01-02T03:04:05.000Z' })

  test(`${name}: listeners are created once, read back, and a taken id is a conflict`, async () => {
    const store = await open()
    await store.createListener(listener('l1'))
    assert.deepEqual(await store.getListener('l1'), listener('l1'))
    assert.equal(await store.getListener('nobody'), null)
    await assert.rejects(() => store.createListener(listener('l1')), { code: 'E_CONFLICT' })
    await store.close()
  })

  test(`${name}: feedback is kept per listener in order, with a growing seq`, async () => {
    const store = await open()
    await store.createListener(listener('l1'))
    await store.createListener(listener('l2'))
    const a = await store.appendFeedback('l1', [{ trackId: 'a', kind: 'like', at: '2026-01-01T00:00:00.000Z' }, { trackId: 'b', kind: 'skip' }])
    await store.appendFeedback('l2', [{ trackId: 'x', kind: 'dislike' }])
    const c = await store.appendFeedback('l1', [{ trackId: 'c', kind: 'play' }])
    assert.equal(a.length, 2)
    assert.ok(a[0].seq < a[1].seq && a[1].seq < c[0].seq)
    assert.equal(a[0].at, '2026-01-01T00:00:00.000Z')
    assert.ok(!Number.isNaN(Date.parse(a[1].at)))
    const mine = await store.feedback('l1')
    assert.deepEqual(mine.map((e) => [e.trackId, e.kind, e.listenerId]), [['a', 'like', 'l1'], ['b', 'skip', 'l1'], ['c', 'play', 'l1']])
    assert.deepEqual(mine, [...a, ...c])
    assert.deepEqual((await store.feedback('l1', { limit: 2 })).map((e) => e.trackId), ['b', 'c'])
    assert.deepEqual((await store.feedback('l2')).map((e) => e.trackId), ['x'])
    await store.close()
  })

  test(`${name}: feedbackAfter gives the events after a seq and the listener's first seq`, async () => {
    const store = await open()
    await store.createListener(listener('l1'))
    await store.createListener(listener('l2'))
    assert.deepEqual(await store.feedbackAfter('l1', 0), { first: null, events: [] })
    const a = await store.appendFeedback('l1', [{ trackId: 'a', kind: 'like' }, { trackId: 'b', kind: 'skip' }])
    await store.appendFeedback('l2', [{ trackId: 'x', kind: 'dislike' }])
    const c = await store.appendFeedback('l1', [{ trackId: 'c', kind: 'play' }])
    assert.deepEqual(await store.feedbackAfter('l1', 0), { first: a[0].seq, events: [...a, ...c] })
    assert.deepEqual(await store.feedbackAfter('l1', a[0].seq), { first: a[0].seq, events: [a[1], c[0]] })
    // Nothing newer: the first seq still comes back, so a cache can tell "no news" from "history replaced".
    assert.deepEqual(await store.feedbackAfter('l1', c[0].seq), { first: a[0].seq, events: [] })
    assert.deepEqual(await store.feedbackAfter('ghost', 0), { first: null, events: [] })
    // Deleted and created again: a new first seq, after every seq of the old history.
    await store.deleteListener('l1')
    assert.deepEqual(await store.feedbackAfter('l1', c[0].seq), { first: null, events: [] })
    await store.createListener(listener('l1'))
    const d = await store.appendFeedback('l1', [{ trackId: 'd', kind: 'like' }])
    assert.ok(d[0].seq > c[0].seq)
    assert.deepEqual(await store.feedbackAfter('l1', c[0].seq), { first: d[0].seq, events: d })
    await store.close()
  })

  test(`${name}: feedback for an unknown listener is refused and nothing is stored`, async () => {
    const store = await open()
    await assert.rejects(() => store.appendFeedback('ghost', [{ trackId: 'a', kind: 'like' }]), { code: 'E_NOT_FOUND' })
    assert.deepEqual(await store.feedback('ghost'), [])
    await store.close()
  })

  test(`${name}: deleting a listener removes every trace of them and nobody else`, async () => {
    const store = await open()
    await store.createListener(listener('gone'))
    await store.createListener(listener('stays'))
    await store.appendFeedback('gone', [{ trackId: 'a', kind: 'like' }, { trackId: 'b', kind: 'play' }])
    await store.appendFeedback('stays', [{ trackId: 'a', kind: 'like' }])
    assert.equal(await store.deleteListener('gone'), true)
    assert.equal(await store.deleteListener('gone'), false)
    assert.equal(await store.getListener('gone'), null)
    assert.deepEqual(await store.feedback('gone'), [])
    assert.equal((await store.feedback('stays')).length, 1)
    // the id can be taken again and starts with an empty history
    await store.createListener(listener('gone'))
    assert.deepEqual(await store.feedback('gone'), [])
    await store.close()
  })

  test(`${name}: impressions joined with later feedback give the known online figures; they go with the listener`, async () => {
    const store = await open()
    await checkOnlineFixture(store)
    await store.ping()
    // a's four rows of DAY go (b's went with b); NEXT_DAY's one stays.
    assert.equal(await store.pruneImpressions('2026-12-01'), 4)
    assert.equal((await store.onlineStats('2000-01-01')).length, 1)
    await store.close()
    await assert.rejects(() => store.ping(), { code: 'E_STORE' })
  })

  test(`${name}: a closed store fails with E_STORE, not a driver error`, async () => {
    const store = await open()
    await store.close()
    await assert.rejects(() => store.getListener('x'), (e: { code?: string; message: string }) => e.code === 'E_STORE' && /listener/.test(e.message))
    await assert.rejects(() => store.feedback('x'), { code: 'E_STORE' })
    await assert.rejects(() => store.feedbackAfter('x', 0), { code: 'E_STORE' })
  })

  if (reopen) {
    test(`${name}: data survives closing and reopening`, async () => {
      const store = await open()
      const info = (await store.upsertTracks([makeTrack({ id: 'p' }), awkward])).info
      await store.close()
      const again = await reopen()
      assert.equal(await again.countTracks(), 2)
      assert.deepEqual(await again.catalogueInfo(), info)
      assert.equal((await again.getTrack('t-ü'))!.artists[1], 'Sinéad O\'Connor')
      await again.close()
    })

    test(`${name}: what another connection writes (a listener revoked or created again, new events) is read at once`, async () => {
      // Two servers sharing the data (or a second process on one SQLite file): a server that has read a listener
      // and their events must see the other's writes on its very next read, never an older answer it kept.
      const store = await open()
      const other = await reopen()
      try {
        await store.createListener(listener('shared'))
        assert.deepEqual(await store.getListener('shared'), listener('shared'))
        assert.deepEqual(await store.feedbackAfter('shared', 0), { first: null, events: [] })
        const [e1] = await other.appendFeedback('shared', [{ trackId: 'a', kind: 'like' }])
        assert.deepEqual(await store.feedbackAfter('shared', 0), { first: e1.seq, events: [e1] })
        assert.deepEqual(await store.feedbackAfter('shared', e1.seq), { first: e1.seq, events: [] })
        const [e2] = await other.appendFeedback('shared', [{ trackId: 'b', kind: 'play' }])
        assert.deepEqual(await store.feedbackAfter('shared', e1.seq), { first: e1.seq, events: [e2] })
        // Forgotten by the other server: the token no longer admits anyone here either.
        assert.equal(await other.deleteListener('shared'), true)
        assert.equal(await store.getListener('shared'), null)
        assert.deepEqual(await store.feedbackAfter('shared', e2.seq), { first: null, events: [] })
        // The id taken again, with another token: the new token, the new history.
        const again = { ...listener('shared'), tokenHash: 'e'.repeat(64) }
        await other.createListener(again)
        assert.deepEqual(await store.getListener('shared'), again)
        const [e3] = await other.appendFeedback('shared', [{ trackId: 'c', kind: 'skip' }])
        assert.deepEqual(await store.feedbackAfter('shared', e2.seq), { first: e3.seq, events: [e3] })
        // A listener read as absent, then created elsewhere.
        assert.equal(await store.getListener('later'), null)
        await other.createListener(listener('later'))
        assert.deepEqual(await store.getListener('later'), listener('later'))
      } finally {
        await other.close()
        await store.close()
      }
    })

    test(`${name}: a connection reads its own writes to listeners and events at once`, async () => {
      const store = await open()
      assert.equal(await store.getListener('own'), null)
      await store.createListener(listener('own'))
      assert.deepEqual(await store.getListener('own'), listener('own'))
      assert.deepEqual(await store.feedbackAfter('own', 0), { first: null, events: [] })
      const [e1] = await store.appendFeedback('own', [{ trackId: 'a', kind: 'like' }])
      assert.deepEqual(await store.feedbackAfter('own', 0), { first: e1.seq, events: [e1] })
      assert.deepEqual(await store.feedbackAfter('own', e1.seq), { first: e1.seq, events: [] })
      const [e2] = await store.appendFeedback('own', [{ trackId: 'b', kind: 'play' }])
      assert.deepEqual(await store.feedbackAfter('own', e1.seq), { first: e1.seq, events: [e2] })
      // A record handed out is the caller's: changing it changes nothing the store answers later.
      const got = (await store.getListener('own'))!
      got.tokenHash = '0'.repeat(64)
      assert.deepEqual(await store.getListener('own'), listener('own'))
      assert.equal(await store.deleteListener('own'), true)
      assert.equal(await store.getListener('own'), null)
      assert.deepEqual(await store.feedbackAfter('own', e2.seq), { first: null, events: [] })
      await store.close()
    })

    test(`${name}: listeners and feedback survive closing and reopening`, async () => {
      const store = await open()
      await store.createListener(listener('durable'))
      const events = await store.appendFeedback('durable', [{ trackId: 'a', kind: 'like' }, { trackId: 'b', kind: 'dislike' }])
      await store.close()
      const again = await reopen()
      assert.deepEqual(await again.getListener('durable'), listener('durable'))
      assert.deepEqual(await again.feedback('durable'), events)
      await again.close()
    })
  }
}
