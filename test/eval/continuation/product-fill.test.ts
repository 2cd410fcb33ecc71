import { test } from 'node:test'
import assert from 'node:assert/strict'
import { playlistInteractions } from '../../../src/data/playlists/interactions.js'
import type { PlaylistSet } from '../../../src/data/playlists/types.js'
import { ProductContinuation } from '../../../src/eval/continuation/product.js'

// Tracks 0-9. Three 'road trip' playlists hold 0 and 1 (so the title model lists 0, 1 first) and one each of 8
// and 9; four 'gym' playlists hold 5, 6, 7 (the most popular). Tracks 1, 8 and 9 are by artist A, so with one
// track per artist the co-occurrence list for seed 0 is just [1] and the fill must come from the title model.
const artists = ['B', 'A', 'C', 'D', 'E', 'F', 'G', 'H', 'A', 'A']
const tracks = artists.map((artist, i) => ({ id: `t${i}`, artist, title: `song ${i}` }))
const set: PlaylistSet = {
  tracks,
  trackIndex: new Map(tracks.map((t, i) => [t.id, i])),
  playlists: [
    { pid: 1, name: 'Road Trip', tracks: [0, 1, 8] },
    { pid: 2, name: 'road trip', tracks: [0, 1, 9] },
    { pid: 3, name: 'road trip!', tracks: [0, 1] },
    ...[4, 5, 6, 7].map((pid) => ({ pid, name: 'gym', tracks: [5, 6, 7] })),
  ],
}

test('the product\'s fill asks the title model for enough tracks to cover the seeds and its own list among them', async () => {
  const m = new ProductContinuation('collaborative', null, { params: { perArtist: 1, perArtistShare: 0, playlistNeighbourShare: 0 } })
  await m.fit({ set, playlists: set.playlists, interactions: playlistInteractions(set) })
  // Own list [1]; the title model's list is 0, 1, 8, 9: asked for only 3 it gave 0, 1, 8, of which the seed 0
  // and the own 1 were skipped, so popularity's 5 came before the title's 9.
  assert.deepEqual(await m.continue({ title: 'Road trip', seeds: [0] }, 3), [1, 8, 9])
})
