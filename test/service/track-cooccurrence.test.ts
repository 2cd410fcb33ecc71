import { test } from 'node:test'
import assert from 'node:assert/strict'
import { CatalogueCooccurrence, TrackCooccurrence } from '../../src/service/track-cooccurrence.js'

// Five playlists over five tracks; track 0 is in 3 playlists, 1 in 3, 2 in 2, 3 in 2, 4 in 1.
// Co-occurrences with 0: track 1 twice (p0, p1), tracks 2 and 3 once each; 4 never. The repeat in p1 counts once.
const PLAYLISTS = [[0, 1, 2], [0, 1, 0], [0, 3], [1, 2], [3, 4]]

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} != ${expected}`)

test('similar tracks by cosine: c / sqrt(n(h) n(j)), ties by id; a track never with the query is absent', () => {
  const m = new TrackCooccurrence(PLAYLISTS, 5, { alpha: 0.5 })
  const hits = m.similarTracks(0, { n: 10 })
  assert.deepEqual(hits.map((h) => h.item), [1, 2, 3])
  close(hits[0].score, 2 / 3)
  close(hits[1].score, 1 / Math.sqrt(6))
  close(hits[2].score, 1 / Math.sqrt(6))
  assert.ok(hits.every((h) => h.because === 0))
})

test('alpha moves between P(j | h) (1) and damping popular candidates (0)', () => {
  const p = new TrackCooccurrence(PLAYLISTS, 5, { alpha: 1 }).similarTracks(0, { n: 10 })
  assert.deepEqual(p.map((h) => [h.item, h.score]), [[1, 2 / 3], [2, 1 / 3], [3, 1 / 3]])
  const damped = new TrackCooccurrence(PLAYLISTS, 5, { alpha: 0 }).similarTracks(1, { n: 10 })
  // From track 1 (playlists p0, p1, p3): 0 twice of its 3, 2 twice of its 2: the rarer track 2 comes first.
  assert.deepEqual(damped.map((h) => [h.item, h.score]), [[2, 1], [0, 2 / 3]])
})

test('fold-in sums weighted shares over the history, leaves the history out and names the strongest track', () => {
  const m = new TrackCooccurrence(PLAYLISTS, 5, { alpha: 0.5 })
  const hits = m.recommendForHistory([{ item: 0, weight: 1 }, { item: 4, weight: 1 }], { n: 10 })
  assert.deepEqual(hits.map((h) => h.item), [3, 1, 2])
  close(hits[0].score, (1 / Math.sqrt(3) + 1) / Math.sqrt(2))
  assert.equal(hits[0].because, 4, 'track 3 owes more to track 4 (its only playlist is shared) than to track 0')
  assert.equal(hits[1].because, 0)
  const weighted = m.recommendForHistory([{ item: 0, weight: 1 }, { item: 4, weight: 0.1 }], { n: 1 })
  assert.deepEqual(weighted.map((h) => h.item), [1], 'a light history item moves its neighbours down')
})

test('accept and exclude filter candidates; n cuts; a second query starts from zero', () => {
  const m = new TrackCooccurrence(PLAYLISTS, 5)
  assert.deepEqual(m.similarTracks(0, { n: 10, accept: (j) => j !== 1 }).map((h) => h.item), [2, 3])
  assert.deepEqual(m.similarTracks(0, { n: 10, exclude: (j) => j === 2 }).map((h) => h.item), [1, 3])
  assert.deepEqual(m.similarTracks(0, { n: 1 }).map((h) => h.item), [1])
  const again = m.similarTracks(0, { n: 10 })
  close(again[0].score, 2 / 3)
  assert.deepEqual(m.similarTracks(4, { n: 10 }).map((h) => [h.item, h.because]), [[3, 4]])
})

test('an item outside the set, or an alpha outside [0, 1], is refused with E_BAD_ARGUMENT', () => {
  assert.throws(() => new TrackCooccurrence([[0, 5]], 5), (e: Error & { code?: string }) => e.code === 'E_BAD_ARGUMENT' && /outside 0..4/.test(e.message))
  assert.throws(() => new TrackCooccurrence(PLAYLISTS, 5, { alpha: 2 }), /alpha/)
  const m = new TrackCooccurrence(PLAYLISTS, 6)
  assert.equal(m.covers(5), false)
  assert.deepEqual(m.similarTracks(5, { n: 3 }), [])
})

test('joined to a catalogue: a row covered by the playlists gives its tracks; several tracks may share a row', () => {
  const m = new TrackCooccurrence(PLAYLISTS, 6)
  const c = new CatalogueCooccurrence(m, Int32Array.from([10, -1, 11, 10, -1, 12]))
  assert.deepEqual(c.coveredItems(10), [0, 3])
  assert.deepEqual(c.coveredItems(12), [], 'track 5 is in no playlist')
  assert.deepEqual(c.coveredItems(99), [])
  assert.equal(c.linkedRows, 3)
  assert.throws(() => new CatalogueCooccurrence(m, new Int32Array(3)), /3 entries for 6/)
})
