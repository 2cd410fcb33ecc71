import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { OFF_THREAD_MIN_TRACKS, TrackSearch } from '../../src/search/track-search.js'
import { makeTrack } from '../helpers/make-track.js'

const WORDS = ['Bohemian', 'Rhapsody', 'Jóga', 'Halo', 'Nothing', 'Compares', 'Ça', 'plane', 'pour', 'moi', 'Hello', 'Night', 'Opera', 'Señorita', 'Straße', 'Love', 'Song', 'Remastered']
const ARTISTS = ['Queen', 'Beyoncé', 'Björk', "Sinéad O'Connor", 'Adele', 'Plastic Bertrand', 'Motörhead', 'Sigur Rós']

/** Enough tracks for the search thread, with accented titles and artists, two-artist credits and repeated titles. */
function catalogue(): ReturnType<typeof makeTrack>[] {
  return Array.from({ length: OFF_THREAD_MIN_TRACKS + 500 }, (_, i) =>
    makeTrack({
      id: `t${i}`,
      name: `${WORDS[i % WORDS.length]} ${WORDS[(i * 7 + 3) % WORDS.length]}${i % 5 === 0 ? ' - Remastered 2011' : ''}`,
      artists: i % 3 === 0 ? [ARTISTS[i % ARTISTS.length], ARTISTS[(i + 1) % ARTISTS.length]] : [ARTISTS[i % ARTISTS.length]],
      popularity: i % 101,
    }),
  )
}

test('a saved index loaded into shared memory: the search thread answers as the built index does, texts from the saved lines', async () => {
  const tracks = catalogue()
  const built = new TrackSearch(tracks)
  const path = join(mkdtempSync(join(tmpdir(), 'segue-search-shared-')), 'search.art')
  built.save(path, 'v1')
  const loaded = TrackSearch.load(path, 'v1', tracks)
  loaded.startThread()
  try {
    for (let i = 0; i < 500 && !loaded.offThread; i++) await new Promise((r) => setTimeout(r, 20))
    assert.ok(loaded.offThread, 'the search thread started')
    const queries = ['bohemian rapsody', 'joga bjork', 'ca plane pour moi', 'sinead oconnor nothing', 'motorhead', 'senorita strasse', 'halo beyonce', 'love song remastered']
    for (const q of queries) {
      const want = built.search(q, { limit: 20 }).map((h) => [h.track.id, h.score])
      assert.ok(want.length > 0, q)
      assert.deepEqual((await loaded.searchAsync(q, { limit: 20 })).map((h) => [h.track.id, h.score]), want, q)
    }
  } finally {
    await loaded.close()
  }
})
