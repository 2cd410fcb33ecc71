import { before, test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import type { Track } from '../../src/core/track.js'
import { readCatalogue } from '../../src/data/read-catalogue.js'
import { CLASS_BIT, HYGIENE_RULES, hygieneRulesOf, trackClasses } from '../../src/rerank/hygiene.js'
import { repoRoot } from '../helpers/paths.js'

// The hygiene rules over the whole bundled 114k catalogue: what each flags (figures as measured when the rules
// were written, with room for small changes), that famous originals are never flagged, and that the quick path
// of trackClasses agrees with the full rules on every track.
let tracks: Track[]

before(async () => {
  tracks = (await readCatalogue(join(repoRoot, 'data', 'spotify-tracks-114k', 'dataset.csv.gz'))).tracks
})

test('each rule flags about as many tracks as measured (2,170 of 89,741 in all)', () => {
  const measured: Record<string, number> = { 'kids-genre': 1984, 'kids-artist': 54, 'karaoke-note': 1, 'cover-note': 10, 'tribute-note': 1, 'cover-artist': 177 }
  const counts = new Map<string, number>()
  for (const t of tracks) for (const r of hygieneRulesOf(t)) counts.set(r, (counts.get(r) ?? 0) + 1)
  for (const r of HYGIENE_RULES) {
    const want = measured[r.name] ?? 0
    const got = counts.get(r.name) ?? 0
    assert.ok(Math.abs(got - want) <= Math.max(3, want * 0.05), `${r.name}: ${got} tracks, measured ${want}`)
  }
})

test('famous originals and look-alike titles are not flagged', () => {
  const originals: [string, string][] = [
    ['Bohemian Rhapsody - Remastered 2011', 'Queen'],
    ["Don't Stop Believin'", 'Journey'],
    ['Take Me To Church', 'Hozier'],
    ['Karaoke', 'Boomdabash'],
    ['Under Cover of Darkness', 'The Strokes'],
    ['Tribute', 'Moodymann'],
    ['Crazy On You', 'Heart'],
    ['Hakuna Matata - From "The Lion King"/Soundtrack', 'Nathan Lane'],
    ['Cupid - Deluxe Edition Version', 'Amy Winehouse'],
  ]
  for (const [name, artist] of originals) {
    const found = tracks.filter((t) => t.name === name && t.artists[0] === artist)
    assert.ok(found.length > 0, `${name} by ${artist} is in the catalogue`)
    for (const t of found) assert.deepEqual(hygieneRulesOf(t), [], `${name} by ${artist}`)
  }
})

test('the quick path of trackClasses gives the full rules\' classes on every track', () => {
  let differ = 0
  for (const t of tracks) {
    const full = HYGIENE_RULES.filter((r) => hygieneRulesOf(t).includes(r.name)).reduce((bits, r) => bits | CLASS_BIT[r.cls], 0)
    if (trackClasses(t) !== full) differ++
  }
  assert.equal(differ, 0)
})
