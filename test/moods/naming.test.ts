import { test } from 'node:test'
import assert from 'node:assert/strict'
import { nameByThresholds, nameCentres, prototypeOf, ENERGY_SPLIT, VALENCE_SPLIT } from '../../src/moods/naming.js'
import { nameClusters } from '../../src/moods/clusters.js'
import { featureMatrix, fitStandardiser, standardise, BASE_MOOD_FEATURES } from '../../src/moods/features.js'
import { kmeans } from '../../src/moods/kmeans.js'
import { moodOf, parseMoodMapping, QUADRANT_NAMES, SURVEY_MOODS } from '../../src/moods/moods.js'
import { quadrantCatalogue } from './helpers.js'

test('hand-made centres are named by the valence/energy thresholds', () => {
  // [valence, energy, other] per centre, in Spotify units.
  const centres = Float64Array.from([
    0.8, 0.9, 7, // Happy: positive and intense
    0.2, 0.9, 7, // Energetic: dark and intense
    0.7, 0.3, 7, // Calm: positive and gentle
    0.2, 0.3, 7, // Sad: dark and gentle
    VALENCE_SPLIT, ENERGY_SPLIT, 7, // on both splits: counts as high, so Happy
    VALENCE_SPLIT - 1e-9, ENERGY_SPLIT - 1e-9, 7, // just under both: Sad
    0.49, 0.6, 7, // valence just under 0.5, energy over 0.55: Energetic
  ])
  assert.deepEqual(nameCentres(centres, 3, 0, 1), ['Happy', 'Energetic', 'Calm', 'Sad', 'Happy', 'Sad', 'Energetic'])
  assert.equal(nameByThresholds(0.6, 0.5), 'Calm', 'energy 0.5 is below the 0.55 split')
  assert.equal(nameByThresholds(0.6, 0.5, { valence: 0.5, energy: 0.5 }), 'Happy', 'thresholds are a parameter')
})

test('k-means on four quadrant blobs finds them and names each after its quadrant', () => {
  const tracks = quadrantCatalogue(50)
  const raw = featureMatrix(tracks.map((t) => t.features), BASE_MOOD_FEATURES)
  const s = fitStandardiser(raw)
  const fit = kmeans(standardise(raw, s), 4, { seed: 3 })
  const named = nameClusters(fit, raw, s)
  assert.deepEqual([...named.names].sort(), ['Calm', 'Energetic', 'Happy', 'Sad'])
  // Every track gets the mood of the corner it was drawn around.
  tracks.forEach((t, i) => assert.equal(named.names[named.assignment[i]], t.id.split('-')[0], t.id))
})

test('label mappings: Angry is the Energetic quadrant, survey answers map to the four moods', () => {
  assert.equal(moodOf('Angry'), 'Energetic')
  assert.equal(moodOf('relaxed'), 'Calm')
  assert.equal(moodOf('Q3'), 'Sad')
  assert.equal(moodOf('calm'), 'Calm')
  assert.equal(moodOf('Furious'), undefined)
  assert.equal(moodOf('Furious', parseMoodMapping('Furious=Energetic')), 'Energetic')
  assert.equal(QUADRANT_NAMES.angry, 'Energetic')
  assert.deepEqual(Object.values(SURVEY_MOODS).sort(), ['Calm', 'Energetic', 'Happy', 'Sad'])
  assert.throws(() => parseMoodMapping('Furious=Livid'), { code: 'E_BAD_ARGUMENT' })
  assert.throws(() => parseMoodMapping('Furious'), { code: 'E_BAD_ARGUMENT' })
})

test('a mood no centre reaches by thresholds goes to the crowded centre nearest its prototype, one to one', () => {
  // The 114k catalogue's k = 4 centres (valence, energy): two fall in Sad's quadrant, none in Calm's.
  const centres = Float64Array.from([0.699, 0.738, 0.168, 0.17, 0.318, 0.817, 0.423, 0.422])
  assert.deepEqual(nameCentres(centres, 2, 0, 1), ['Happy', 'Sad', 'Energetic', 'Calm'])
  assert.deepEqual(prototypeOf('Calm'), { valence: 0.75, energy: 0.275 })
  // A centre alone in its quadrant keeps its name even when it is nearer the missing mood's prototype.
  const lonely = Float64Array.from([0.9, 0.56, 0.1, 0.1, 0.2, 0.2, 0.3, 0.9])
  assert.deepEqual(nameCentres(lonely, 2, 0, 1), ['Happy', 'Sad', 'Calm', 'Energetic'], 'the Sad centre nearer Calm moves, Happy stays')
  // Two moods missing, three centres in one quadrant: each missing mood takes its own nearest centre.
  const crowded = Float64Array.from([0.1, 0.1, 0.45, 0.2, 0.2, 0.5, 0.8, 0.8])
  assert.deepEqual(nameCentres(crowded, 2, 0, 1), ['Sad', 'Calm', 'Energetic', 'Happy'])
  // Fewer centres than moods: what cannot be covered is not, and nothing is named twice away from a quadrant.
  assert.deepEqual(nameCentres(Float64Array.from([0.9, 0.9, 0.1, 0.1]), 2, 0, 1), ['Happy', 'Sad'])
})
