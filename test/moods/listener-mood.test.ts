import { test } from 'node:test'
import assert from 'node:assert/strict'
import { CatalogueMoods } from '../../src/moods/catalogue-moods.js'
import { isLateNight, LATE_NIGHT_CALM, listeningMix, resolveListenerMood, RECENCY_DECAY } from '../../src/moods/listener-mood.js'
import { MOODS } from '../../src/moods/moods.js'
import type { FeedbackEvent, FeedbackKind } from '../../src/store/store.js'
import { track } from './helpers.js'

// Four tracks, one per mood, each certain of its mood.
const tracks = MOODS.map((m) => track(m, {}))
const proba = new Float32Array(16)
MOODS.forEach((_, i) => { proba[i * 4 + i] = 1 })
const moods = new CatalogueMoods({ tracks, rowOf: new Map(tracks.map((t, i) => [t.id, i])), version: 'v' }, proba, 'labels')
const events = (list: [string, FeedbackKind][]): FeedbackEvent[] => list.map(([trackId, kind], i) => ({ seq: i + 1, listenerId: 'l', trackId, kind, at: '' }))

test('listening mix: likes count double, older events decay, skips cancel, late night leans Calm', () => {
  const e = events([['Happy', 'like'], ['Calm', 'play'], ['Sad', 'play'], ['Sad', 'skip'], ['Energetic', 'play']])
  const noon = listeningMix(e, moods, 12)!
  // Positives newest last: Happy (like, 2 events before the newest), Calm (1 before), Energetic (newest); Sad was skipped.
  const w = { Happy: 2 * RECENCY_DECAY ** 2, Calm: RECENCY_DECAY, Energetic: 1, Sad: 0 }
  const total = w.Happy + w.Calm + w.Energetic
  for (const m of MOODS) assert.ok(Math.abs(noon[m] - w[m] / total) < 1e-6, `${m}: ${noon[m]}`)
  const night = listeningMix(e, moods, 23)!
  assert.ok(Math.abs(night.Calm / night.Happy - LATE_NIGHT_CALM * (noon.Calm / noon.Happy)) < 1e-6)
  assert.deepEqual([21, 22, 0, 5, 6].map(isLateNight), [false, true, true, true, false])
  assert.equal(listeningMix(events([['Happy', 'play'], ['Calm', 'play'], ['nope', 'play']]), moods, 12), null, 'fewer than three plays in the catalogue say too little')
})

test('the strongest evidence decides and the answer names it', () => {
  const catalogue = { Happy: 0.4, Energetic: 0.3, Calm: 0.2, Sad: 0.1 }
  const listening = { Happy: 0.1, Energetic: 0.1, Calm: 0.2, Sad: 0.6 }
  const onboarding = { Happy: 0.2, Energetic: 0.9, Calm: 0.5, Sad: 0.1 }
  assert.deepEqual(resolveListenerMood({ picked: 'Calm', listening, onboarding, catalogue }), { mood: 'Calm', source: 'picked', mix: listening })
  assert.deepEqual(resolveListenerMood({ picked: null, listening, onboarding, catalogue }), { mood: 'Sad', source: 'listening', mix: listening })
  const ob = resolveListenerMood({ picked: null, listening: null, onboarding, catalogue })
  assert.deepEqual([ob.mood, ob.source], ['Energetic', 'onboarding'])
  assert.ok(Math.abs(ob.mix.Energetic - 0.9 / 1.7) < 1e-9, 'the onboarding mix is normalised')
  assert.deepEqual(resolveListenerMood({ picked: null, listening: null, onboarding: null, catalogue }), { mood: 'Happy', source: 'default', mix: catalogue })
})
