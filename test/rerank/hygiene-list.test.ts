import { before, test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import type { Track } from '../../src/core/track.js'
import { readCatalogue } from '../../src/data/read-catalogue.js'
import { oneTitlePerList, SameTitleGuard } from '../../src/rerank/hygiene.js'
import { repoRoot } from '../helpers/paths.js'

// One title per list, on real rows of the bundled 114k catalogue: a list never shows a cover beside its
// original (Megadeth's "Paranoid" beside Black Sabbath's), whichever comes first, while an artist's own releases,
// look-alike titles and generic album titles ("Intro") by different artists stay.
const SABBATH_2009 = '3Jnxngdff0lVu2rza1GVx6' // Black Sabbath, "Paranoid (2009 - Remaster)", popularity 42
const SABBATH_2012 = '2z71jdeVcC782NgsYZ6N8q' // Black Sabbath, "Paranoid (2012 - Remaster)", popularity 28
const MEGADETH = '0WTc2jsUgF4Y2MOz0aYvsR' // Megadeth, "Paranoid" (a cover, popularity 65)
const PARANOID_ANDROID = '6LgJvl0Xdtc73RJ1mmpotq' // Radiohead
const INTROS = ['31Mf3aGYOpabMv9Nl6bLPn', '3MjjRw1uzjFVP2f3CnUs9c'] // "Intro" by Toxic Holocaust and by Bert Kreischer

let tracks: Track[]
let rowOf: Map<string, number>

before(async () => {
  tracks = (await readCatalogue(join(repoRoot, 'data', 'spotify-tracks-114k', 'dataset.csv.gz'))).tracks
  rowOf = new Map(tracks.map((t, row) => [t.id, row]))
})

const rows = (ids: readonly string[]) => ids.map((id) => ({ row: rowOf.get(id)!, id }))
const ids = (list: readonly { id: string }[]) => list.map((x) => x.id)

test('the cover after its original is left out, and the original after its cover: the first placed stays', () => {
  assert.deepEqual(ids(oneTitlePerList(tracks, rows([SABBATH_2009, PARANOID_ANDROID, MEGADETH]))), [SABBATH_2009, PARANOID_ANDROID])
  assert.deepEqual(ids(oneTitlePerList(tracks, rows([MEGADETH, SABBATH_2009]))), [MEGADETH])
})

test('the same artist\'s releases of a title, and generic titles by different artists, all stay', () => {
  assert.deepEqual(ids(oneTitlePerList(tracks, rows([SABBATH_2009, SABBATH_2012]))), [SABBATH_2009, SABBATH_2012])
  assert.deepEqual(ids(oneTitlePerList(tracks, rows(INTROS))), INTROS)
})

test('the guard admits until a row is taken, so a seed taken first keeps its covers out', () => {
  const guard = new SameTitleGuard(tracks)
  assert.equal(guard.admits(rowOf.get(MEGADETH)!), true)
  guard.take(rowOf.get(SABBATH_2009)!)
  assert.equal(guard.admits(rowOf.get(MEGADETH)!), false)
  assert.equal(guard.admits(rowOf.get(SABBATH_2012)!), true)
  assert.equal(guard.admits(rowOf.get(PARANOID_ANDROID)!), true)
})
