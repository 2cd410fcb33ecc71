import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readLabels } from '../../src/moods/labels.js'
import { ensureMoods, trainMoods, type MoodCatalogue } from '../../src/moods/service.js'
import { AUDIO_FEATURES } from '../../src/core/track.js'
import { quadrantCatalogue } from './helpers.js'

const tracks = quadrantCatalogue(30)
const cat: MoodCatalogue = { tracks, rowOf: new Map(tracks.map((t, i) => [t.id, i])), version: 'v1' }
const features = [...AUDIO_FEATURES]

function withFile(text: string, fn: (file: string, dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'segue-moods-'))
    const file = join(dir, 'labels.csv')
    writeFileSync(file, text)
    try { await fn(file, dir) } finally { rmSync(dir, { recursive: true, force: true }) }
  }
}

test('reads ids, title + artist, quadrant names, and rows outside the catalogue with their own features', withFile(
  [
    `track_id,name,artist,mood,${AUDIO_FEATURES.join(',')}`,
    `Happy-0,,,Happy,${AUDIO_FEATURES.map(() => '').join(',')}`,
    `,Sad song 3,Nobody;Sad band,sad,${AUDIO_FEATURES.map(() => '').join(',')}`,
    `Calm-1,,,Angry,${AUDIO_FEATURES.map(() => '').join(',')}`,
    `Happy-0,,,Sad,${AUDIO_FEATURES.map(() => '').join(',')}`,
    `xyz,New song,New band,Relaxed,${tracks[0].features.join(',')}`,
  ].join('\n') + '\n',
  async (file) => {
    const { rows, report } = await readLabels(file, cat, { features })
    assert.deepEqual(rows.map((r) => [r.mood, r.row, r.line]), [['Happy', 0, 2], ['Sad', cat.rowOf.get('Sad-3'), 3], ['Energetic', cat.rowOf.get('Calm-1'), 4], ['Calm', undefined, 6]])
    assert.deepEqual({ byId: report.byId, byName: report.byName, fromFeatures: report.fromFeatures, duplicates: report.duplicates, unmatched: report.unmatched }, { byId: 2, byName: 1, fromFeatures: 1, duplicates: 1, unmatched: 0 })
  },
))

/** A valid features row with one cell replaced. */
const withValue = (feature: string, value: string) => AUDIO_FEATURES.map((f, j) => (f === feature ? value : String(tracks[0].features[j]))).join(',')

const BAD: [string, string, RegExp][] = [
  ['unknown mood', 'track_id,mood\nHappy-0,Happy\nSad-1,Furious\n', /labels\.csv:3 column 'mood' value 'Furious': unknown mood/],
  ['feature out of range', `track_id,mood,${AUDIO_FEATURES.join(',')}\nnope,Happy,${withValue('valence', '55')}\n`, /labels\.csv:2 column 'valence' value '55': out of range/],
  ['feature not a number', `track_id,mood,${AUDIO_FEATURES.join(',')}\nnope,Happy,${withValue('tempo', 'fast')}\n`, /labels\.csv:2 column 'tempo' value 'fast': not a number/],
  ['missing mood column', 'track_id,feeling\nHappy-0,Happy\n', /labels\.csv: no 'mood' column/],
  ['no way to find tracks', 'song,mood\nx,Happy\n', /labels\.csv: needs a track id column/],
  ['nothing matched', 'track_id,mood\nnope,Happy\n', /labels\.csv: no labelled row matched/],
  ['ragged row', 'track_id,mood\nHappy-0,Happy,extra\n', /labels\.csv:2: row has 3 columns/],
]

for (const [name, text, message] of BAD) {
  test(`bad labelled file (${name}): a clear error and the saved moods unchanged`, withFile(text, async (file, dir) => {
    const art = join(dir, 'moods.art')
    ensureMoods(cat, art)
    const before = readFileSync(art)
    const mtime = statSync(art).mtimeMs
    await assert.rejects(trainMoods(cat, art, file), (err: Error & { code?: string }) => {
      assert.match(err.message, message)
      assert.ok(['E_INPUT_ROW', 'E_INPUT_FORMAT'].includes(err.code ?? ''), err.code)
      return true
    })
    assert.ok(readFileSync(art).equals(before), 'the artifact is byte for byte the same')
    assert.equal(statSync(art).mtimeMs, mtime)
  }))
}

test('a mapping names labels the reader does not know', withFile('track_id,feeling\nHappy-0,Joyful\nSad-2,Blue\n', async (file) => {
  const { rows } = await readLabels(file, cat, { features, moodColumn: 'feeling', mapping: { joyful: 'Happy', blue: 'Sad' } })
  assert.deepEqual(rows.map((r) => r.mood), ['Happy', 'Sad'])
}))
