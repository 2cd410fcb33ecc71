import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CatalogueMoods, ServiceMoods, trackMood } from '../../src/moods/catalogue-moods.js'
import { MOODS, type Mood } from '../../src/moods/moods.js'
import { nameByThresholds } from '../../src/moods/naming.js'
import { makeTrack } from '../helpers/make-track.js'

/** A catalogue of `ids` (fresh track objects) whose served moods are all `mood`. */
function served(ids: string[], mood: Mood, home: string): ServiceMoods {
  const tracks = ids.map((id) => makeTrack({ id, audio: { valence: 0.9, energy: 0.9 } }))
  const cat = { tracks, rowOf: new Map(ids.map((id, r) => [id, r])), version: `v-${mood}` }
  const moods = new ServiceMoods(cat, home)
  const proba = new Float32Array(ids.length * MOODS.length)
  for (let r = 0; r < ids.length; r++) proba[r * MOODS.length + MOODS.indexOf(mood)] = 1
  moods.current = new CatalogueMoods(cat, proba, 'labels')
  return moods
}

test("a track item's mood comes from the service whose catalogue holds that very track object", async () => {
  const home = mkdtempSync(join(tmpdir(), 'segue-served-moods-'))
  const ids = ['a', 'b', 'c']
  const sad = served(ids, 'Sad', join(home, 'one'))
  const calm = served(ids, 'Calm', join(home, 'two'))
  try {
    // The same ids in two catalogues: each track object answers with its own service's moods.
    assert.deepEqual(sad.cat.tracks.map(trackMood), ['Sad', 'Sad', 'Sad'])
    assert.deepEqual(calm.cat.tracks.map(trackMood), ['Calm', 'Calm', 'Calm'])
    // A track no service holds (a copy with the same id included) gets the threshold rule on its own features.
    const stranger = makeTrack({ id: 'a', audio: { valence: 0.9, energy: 0.9 } })
    assert.equal(trackMood(stranger), nameByThresholds(0.9, 0.9))
    assert.notEqual(trackMood(stranger), 'Sad')
  } finally {
    await Promise.all([sad.close(), calm.close()])
    rmSync(home, { recursive: true, force: true })
  }
})
