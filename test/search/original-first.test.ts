import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import type { Track } from '../../src/core/track.js'
import { readCatalogue } from '../../src/data/read-catalogue.js'
import { TrackSearch } from '../../src/search/track-search.js'
import { repoRoot } from '../helpers/paths.js'

// Issue 9, "Search ranks the original recording first", on the bundled 114k catalogue: famous songs whose covers
// (Glee Cast, acoustic and metal covers, remixes) are in the catalogue too. Each query is what a listener types;
// the first hit must be the original artist's recording.
let search: TrackSearch

before(async () => {
  search = new TrackSearch((await readCatalogue(join(repoRoot, 'data', 'spotify-tracks-114k', 'dataset.csv.gz'))).tracks)
})
after(() => search?.close())

const label = (t: Track) => `${t.name} | ${t.artists.join(', ')} (${t.popularity})`

/** Query -> the artist credited first on the original recording, and the covers the catalogue also holds. */
const ORIGINALS: [query: string, artist: string, covers: string][] = [
  ['humble', 'Kendrick Lamar', 'Our Last Night (metalcore), Skrillex remix'],
  ['moonlight sonata', 'Ludwig van Beethoven', 'Henrik Janson (guitar)'],
  ['bohemian rhapsody', 'Queen', 'Glee Cast, John Adams, Hayseed Dixie'],
  ["don't stop believin", 'Journey', 'Glee Cast'],
  ['total eclipse of the heart', 'Bonnie Tyler', 'Glee Cast, Sleeping At Last'],
  ['take me to church', 'Hozier', 'Glee Cast'],
  ['stereo hearts', 'Gym Class Heroes', 'Glee Cast'],
  ['fast car', 'Tracy Chapman', 'Jonas Blue, Boyce Avenue, Passenger'],
  ['mad world', 'Tears For Fears', 'Within Temptation, Liad Abraham'],
  ['africa', 'TOTO', 'Weezer'],
  ['creep', 'Radiohead', 'Kina Grannis, Stone Temple Pilots'],
  ['somewhere only we know', 'Keane', 'Glee Cast'],
  ['wonderwall', 'Oasis', 'TEEMID, Eddy Tyler (the original is "Wonderwall - Remastered")'],
  ['yesterday', 'The Beatles', 'Lil Peep\'s "yesterday" (the original is "Yesterday - Remastered 2009")'],
]

for (const [query, artist, covers] of ORIGINALS) {
  test(`"${query}": ${artist}'s original first, ahead of ${covers}`, () => {
    const hits = search.search(query, { limit: 5 })
    assert.ok(hits.length > 0, `no hit for "${query}"`)
    assert.equal(hits[0].track.artists[0], artist, `"${query}" gave:\n${hits.map((h) => label(h.track)).join('\n')}`)
  })
}
