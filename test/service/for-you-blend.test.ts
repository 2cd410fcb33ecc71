import { test } from 'node:test'
import assert from 'node:assert/strict'
import { artistCap, DEFAULT_FOR_YOU_PARAMS, HAND_SET_PARAMS } from '../../src/service/for-you-params.js'
import { TrackCooccurrence } from '../../src/service/track-cooccurrence.js'

// "Listeners like you" from playlists: item co-occurrence fused with the votes of the most similar playlists,
// and the per-artist cap that grows with a long list. Five playlists over five tracks (as in the co-occurrence
// tests): p0 [0, 1, 2], p1 [0, 1, 0], p2 [0, 3], p3 [1, 2], p4 [3, 4].
const PLAYLISTS = [[0, 1, 2], [0, 1, 0], [0, 3], [1, 2], [3, 4]]

test('the playlists most like the history vote; fused by rank with item co-occurrence', () => {
  const m = new TrackCooccurrence(PLAYLISTS, 5, { alpha: 0.5 })
  const history = [{ item: 3, weight: 1 }]
  // Co-occurrence with 3 (cosine): 4 = 1/sqrt(2*1) before 0 = 1/sqrt(2*3).
  assert.deepEqual(m.recommend(history, { n: 5, neighbourShare: 0 }).map((h) => h.item), [4, 0])
  // p2 and p4 are equally like the history (1/sqrt(2)); the one neighbour is p2 (lower index): it votes for 0.
  const votes = m.recommend(history, { n: 5, neighbours: 1, neighbourShare: 1, fusionK: 0 })
  assert.deepEqual(votes.map((h) => [h.item, h.because]), [[0, 3], [4, 3]])
  // Half and half with k = 0: 0 gets 0.5/2 + 0.5/1 = 0.75, 4 gets 0.5/1: the vote lifts 0 above 4.
  const fused = m.recommend(history, { n: 5, neighbours: 1, neighbourShare: 0.5, fusionK: 0 })
  assert.deepEqual(fused.map((h) => [h.item, h.score]), [[0, 0.75], [4, 0.5]])
})

test('accept, exclude and the history hold for the votes too', () => {
  const m = new TrackCooccurrence(PLAYLISTS, 5, { alpha: 0.5 })
  const hits = m.recommend([{ item: 0, weight: 1 }], { n: 5, neighbours: 5, neighbourShare: 1, accept: (j) => j !== 1, exclude: (j) => j === 2 })
  assert.deepEqual(hits.map((h) => h.item), [3])
})

test('the per-artist cap: perArtist on a screen of 20, a share of a 500-track continuation', () => {
  assert.equal(artistCap(DEFAULT_FOR_YOU_PARAMS, 20), 2, 'the product screen keeps its cap')
  assert.equal(artistCap(DEFAULT_FOR_YOU_PARAMS, 500), 50)
  assert.equal(artistCap(HAND_SET_PARAMS, 500), 2, 'hand-set: the same cap at any length')
})
