import { test } from 'node:test'
import assert from 'node:assert/strict'
import { playlistInteractions } from '../../../src/data/playlists/interactions.js'
import type { PlaylistSet } from '../../../src/data/playlists/types.js'
import { normaliseTitle, TitleContinuation } from '../../../src/eval/continuation/title.js'

test('titles fold case, accents, emoji and punctuation', () => {
  assert.equal(normaliseTitle('Chill Vibes 🌴'), 'chill vibes')
  assert.equal(normaliseTitle('  CHILL   vibes!!'), 'chill vibes')
  assert.equal(normaliseTitle('Café Del Mar'), 'cafe del mar')
  assert.equal(normaliseTitle('🔥🔥🔥'), '')
})

// Tracks 0-9. 'chill vibes' x2 hold 0,1 (both) and 2 (one); 'summer vibes' holds 3,4; 'workout' holds 5,6,7,8.
// Popularity (playlists per track): 0, 1: 2; 5, 6, 7, 8: 2 (in both workouts); 2, 3, 4: 1; 9: 1 (the 'my mix').
const tracks = Array.from({ length: 10 }, (_, i) => ({ id: `t${i}`, artist: 'a', title: `s${i}` }))
const set: PlaylistSet = {
  tracks,
  trackIndex: new Map(tracks.map((t, i) => [t.id, i])),
  playlists: [
    { pid: 1, name: 'Chill Vibes', tracks: [0, 1, 2] },
    { pid: 2, name: 'chill vibes 🌴', tracks: [0, 1] },
    { pid: 3, name: 'Summer Vibes', tracks: [3, 4] },
    { pid: 4, name: 'workout', tracks: [5, 6, 7, 8] },
    { pid: 5, name: 'Workout!', tracks: [5, 6, 7, 8] },
    { pid: 6, name: 'my mix', tracks: [9] },
  ],
}

async function fitted(): Promise<TitleContinuation> {
  const m = new TitleContinuation()
  await m.fit({ set, playlists: set.playlists, interactions: playlistInteractions(set) })
  return m
}

test('title model: the same title first, by how many such playlists hold a track', async () => {
  const m = await fitted()
  // 0 and 1 are in both 'chill vibes' playlists, 2 in one; then 'vibes' back-off adds 3, 4 (summer vibes);
  // then popularity: 5, 6, 7, 8 (2 playlists each), then 9.
  assert.deepEqual(m.continue({ title: 'CHILL VIBES!', seeds: [] }, 10), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
})

test('title model: an unseen title backs off to its words; seeds are never returned', async () => {
  const m = await fitted()
  // 'vibes for the summer': 'summer' (1 playlist of 6, idf ln(7)) outweighs 'vibes' (3 of 6, idf ln(3));
  // 3 and 4: ln(7)/1 + ln(3)/3 = 2.31; 0 and 1: ln(3) x 2/3 = 0.73; 2: ln(3)/3 = 0.37.
  assert.deepEqual(m.continue({ title: 'vibes for the summer', seeds: [] }, 5), [3, 4, 0, 1, 2])
  assert.deepEqual(m.continue({ title: 'vibes for the summer', seeds: [3] }, 4), [4, 0, 1, 2])
  // No title: popularity alone (ties to the lower index).
  assert.deepEqual(m.continue({ title: '', seeds: [0] }, 3), [1, 5, 6])
})
