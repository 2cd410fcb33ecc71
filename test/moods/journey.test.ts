import { test } from 'node:test'
import assert from 'node:assert/strict'
import { moodJourney } from '../../src/moods/journey.js'
import { nameByThresholds } from '../../src/moods/naming.js'
import { MOODS } from '../../src/moods/moods.js'
import type { SavedMoods } from '../../src/moods/model.js'
import type { MoodCatalogue } from '../../src/moods/service.js'
import { track } from './helpers.js'

/** Tracks on a 21 x 21 grid of valence and energy, two per point: a slow one (tempo 90) listed first, a fast one (150). */
function grid(): { cat: MoodCatalogue; saved: SavedMoods } {
  const tracks = []
  for (let i = 0; i <= 20; i++) for (let j = 0; j <= 20; j++) for (const tempo of [90, 150]) {
    tracks.push(track(`v${i}e${j}t${tempo}`, { valence: i / 20, energy: j / 20, tempo }, `grid ${i},${j}`, `artist ${i},${j},${tempo}`))
  }
  const proba = new Float32Array(tracks.length * 4)
  tracks.forEach((t, r) => { proba[r * 4 + MOODS.indexOf(nameByThresholds(t.features[9], t.features[1]))] = 1 })
  const cat = { tracks, rowOf: new Map(tracks.map((t, i) => [t.id, i])), version: 'grid' }
  const saved = { model: null as never, proba, key: 'grid', meta: {} }
  return { cat, saved }
}

test('a Calm to Energetic journey starts Calm, ends Energetic, in small even steps, without repeats', () => {
  const { cat, saved } = grid()
  const steps = moodJourney(saved, cat, { from: 'Calm', to: 'Energetic', n: 8 })
  assert.equal(steps.length, 8)
  assert.equal(steps[0].mood, 'Calm')
  assert.equal(steps[7].mood, 'Energetic')
  assert.equal(new Set(steps.map((s) => s.track.id)).size, 8)
  const ideal = Math.hypot(steps[7].target.valence - steps[0].target.valence, steps[7].target.energy - steps[0].target.energy) / 7
  for (let i = 1; i < steps.length; i++) {
    const step = Math.hypot(steps[i].valence - steps[i - 1].valence, steps[i].energy - steps[i - 1].energy)
    // Each track sits within half a grid cell of its target on each axis, so a step is the ideal one +- a cell's diagonal.
    assert.ok(Math.abs(step - ideal) <= Math.SQRT2 * 0.05 + 1e-9, `step ${i}: ${step} against ${ideal}`)
    assert.ok(steps[i].valence <= steps[i - 1].valence + 1e-9 && steps[i].energy >= steps[i - 1].energy - 1e-9, 'valence falls and energy rises all the way')
  }
})

test('seeds choose the sound: with a fast seed every step takes the fast track; excluded ids stay out', () => {
  const { cat, saved } = grid()
  const plain = moodJourney(saved, cat, { from: 'Sad', to: 'Happy', n: 5 })
  assert.ok(plain.every((s) => s.track.features[10] === 90), 'without seeds the first-listed (slow) track of each point')
  const seeded = moodJourney(saved, cat, { from: 'Sad', to: 'Happy', n: 5, seeds: ['v10e10t150'] })
  assert.ok(seeded.every((s) => s.track.features[10] === 150), seeded.map((s) => s.track.id).join(' '))
  assert.deepEqual(seeded.map((s) => [s.valence, s.energy]), plain.map((s) => [s.valence, s.energy]), 'the seeds do not move the path')
  const first = plain[0].track.id
  assert.ok(!moodJourney(saved, cat, { from: 'Sad', to: 'Happy', n: 5, exclude: new Set([first]) }).some((s) => s.track.id === first))
  assert.throws(() => moodJourney(saved, cat, { from: 'Sad', to: 'Happy', n: 1 }), { code: 'E_BAD_ARGUMENT' })
})
