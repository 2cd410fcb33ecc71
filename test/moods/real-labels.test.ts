import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { sharedDataDir } from '../../src/core/paths.js'
import { readLabels } from '../../src/moods/labels.js'
import { crossValidateLabels, DEFAULT_MOOD_CONFIG } from '../../src/moods/model.js'
import { featureMatrix, fitStandardiser } from '../../src/moods/features.js'
import { MOODS } from '../../src/moods/moods.js'
import { crossValidateSurvey, readSurvey } from '../../src/moods/survey.js'

const MOODS_FILE = join(sharedDataDir(), 'track-moods', 'moods.csv')
const SURVEY_FILE = join(sharedDataDir(), 'spotify-user-survey', 'Spotify_data.converted.csv')

test('CV on the real labelled file (1,520 tracks) beats the majority class on macro-F1', { skip: existsSync(MOODS_FILE) ? false : `${MOODS_FILE} is absent (../shared/data)` }, async () => {
  // No catalogue: every row counts through its own audio-feature columns, standardised by the file's own statistics.
  const { rows, report } = await readLabels(MOODS_FILE, { tracks: [], rowOf: new Map() }, { features: DEFAULT_MOOD_CONFIG.labelFeatures })
  assert.equal(report.fromFeatures, 1520)
  assert.deepEqual(report.perMood, { Happy: 494, Energetic: 350, Calm: 259, Sad: 417 }, 'Angry maps to Energetic')
  const data = { features: rows.map((r) => r.features), moods: Int32Array.from(rows, (r) => MOODS.indexOf(r.mood)) }
  const cv = crossValidateLabels(data, fitStandardiser(featureMatrix(data.features, DEFAULT_MOOD_CONFIG.labelFeatures)))
  assert.ok(cv.model.macroF1 > cv.majority.macroF1 + 0.2, `macro-F1 ${cv.model.macroF1} against majority ${cv.majority.macroF1}`)
  assert.ok(cv.model.accuracy > cv.majority.accuracy, `accuracy ${cv.model.accuracy} against majority ${cv.majority.accuracy}`)
  // The file's README puts a plain classifier at about 0.5: far above that would mean a leak.
  assert.ok(cv.model.accuracy < 0.65, `accuracy ${cv.model.accuracy} is implausibly high for these labels`)
})

test('listener moods from the survey: one model per mood, cross-validated against the majority', { skip: existsSync(SURVEY_FILE) ? false : `${SURVEY_FILE} is absent (../shared/data)` }, async () => {
  const r = crossValidateSurvey(await readSurvey(SURVEY_FILE))
  assert.equal(r.respondents, 520)
  assert.deepEqual(Object.fromEntries(MOODS.map((m) => [m, r.perMood[m].positives])), { Happy: 199, Energetic: 92, Calm: 364, Sad: 167 })
  // The majority answer for the three minority moods is "not named": its F1 for the mood is 0; the model's is not.
  for (const m of ['Happy', 'Energetic', 'Sad'] as const) assert.ok(r.perMood[m].f1 > r.perMood[m].majorityF1 + 0.2, `${m}: ${r.perMood[m].f1}`)
})
