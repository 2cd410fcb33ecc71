import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureMoods, moodCounts, trainMoods, tracksForMood, type MoodCatalogue } from '../../src/moods/service.js'
import { loadMoods, moodProbabilities } from '../../src/moods/model.js'
import { quadrantCatalogue } from './helpers.js'

const tracks = quadrantCatalogue(40)
const catalogue = (version: string): MoodCatalogue => ({ tracks, rowOf: new Map(tracks.map((t, i) => [t.id, i])), version })

function inDir(fn: (dir: string) => Promise<void> | void): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'segue-moods-art-'))
    try { await fn(dir) } finally { rmSync(dir, { recursive: true, force: true }) }
  }
}

test('the k-means moods are built once, then loaded with the same model and probabilities', inDir((dir) => {
  const path = join(dir, 'moods.art')
  const first = ensureMoods(catalogue('v1'), path)
  assert.equal(first.origin, 'built')
  assert.deepEqual(moodCounts(first.saved), { Happy: 40, Energetic: 40, Calm: 40, Sad: 40 }, 'every quadrant is found and named')
  const second = ensureMoods(catalogue('v1'), path)
  assert.equal(second.origin, 'loaded')
  assert.deepEqual(Array.from(second.saved.proba), Array.from(first.saved.proba))
  assert.deepEqual(Array.from(second.saved.model.softmax.weights), Array.from(first.saved.model.softmax.weights))
  // The loaded model computes the saved probabilities again from the features.
  const again = moodProbabilities(second.saved.model, tracks.map((t) => t.features))
  for (let i = 0; i < again.length; i++) assert.ok(Math.abs(again[i] - first.saved.proba[i]) < 1e-6)
}))

test('a catalogue version change makes the moods stale: rebuilt under the new key; damage is rebuilt too', inDir((dir) => {
  const path = join(dir, 'moods.art')
  ensureMoods(catalogue('v1'), path)
  const warnings: string[] = []
  const rebuilt = ensureMoods(catalogue('v2'), path, { warn: (m) => warnings.push(m) })
  assert.equal(rebuilt.origin, 'built')
  assert.ok(rebuilt.saved.key.startsWith('v2:'))
  assert.match(warnings.join('\n'), /another catalogue or configuration/)
  assert.equal(loadMoods(path, (key) => key.startsWith('v1:')), null, 'the file now holds the v2 moods')
  const bytes = readFileSync(path)
  bytes[bytes.length - 40] ^= 0xff
  writeFileSync(path, bytes)
  const afterDamage = ensureMoods(catalogue('v2'), path, { warn: (m) => warnings.push(m) })
  assert.equal(afterDamage.origin, 'built')
  assert.match(warnings.join('\n'), /checksum mismatch/)
}))

test('a model trained from labels is kept for its catalogue version and dropped for another', inDir(async (dir) => {
  const path = join(dir, 'moods.art')
  const labels = join(dir, 'labels.csv')
  // Labels that swap Happy and Sad: the trained model must follow the labels, not the k-means moods.
  const rows = tracks.filter((_, i) => i % 2 === 0).map((t) => `${t.id},${({ Happy: 'Sad', Sad: 'Happy' } as Record<string, string>)[t.id.split('-')[0]] ?? t.id.split('-')[0]}`)
  writeFileSync(labels, ['track_id,mood', ...rows].join('\n'))
  const report = await trainMoods(catalogue('v1'), path, labels)
  assert.equal(report.cv.model.accuracy, 1, 'separable labels are learnt exactly in CV')
  assert.ok(report.cv.majority.macroF1 < 0.2)
  assert.equal(report.agreement.accuracy, 0.5, 'k-means moods agree on Energetic and Calm only')
  const loaded = ensureMoods(catalogue('v1'), path)
  assert.equal(loaded.origin, 'loaded')
  assert.equal(loaded.saved.model.source, 'labels')
  const top = tracksForMood(loaded.saved, catalogue('v1'), 'Happy', 5, new Set(['Sad-0']))
  assert.equal(top.length, 5)
  for (const t of top) assert.match(t.track.id, /^Sad-/, 'Happy, as these labels mean it, is the Sad corner')
  assert.ok(!top.some((t) => t.track.id === 'Sad-0'), 'excluded ids stay out')
  assert.equal(ensureMoods(catalogue('v2'), path).saved.model.source, 'kmeans', 'another catalogue falls back to k-means')
}))

test('tracksForMood: highest probability first, ties by catalogue order, exclusions skipped, n capped', () => {
  const few = quadrantCatalogue(2) // Happy-0, Happy-1, Energetic-0, Energetic-1, Calm-0, Calm-1, Sad-0, Sad-1
  const cat: MoodCatalogue = { tracks: few, rowOf: new Map(few.map((t, i) => [t.id, i])), version: 'x' }
  const calm = [0.1, 0.5, 0.9, 0.5, 0.2, 0.9, 0.7, 0.0]
  const proba = new Float32Array(few.length * 4)
  calm.forEach((p, r) => { proba[r * 4 + 2] = p })
  const saved = { model: ensureModelStub(), proba, key: 'x', meta: {} }
  const ids = (xs: { track: { id: string } }[]) => xs.map((x) => x.track.id)
  assert.deepEqual(ids(tracksForMood(saved, cat, 'Calm', 4)), ['Energetic-0', 'Calm-1', 'Sad-0', 'Happy-1'])
  assert.deepEqual(ids(tracksForMood(saved, cat, 'Calm', 3, new Set(['Energetic-0', 'Sad-0']))), ['Calm-1', 'Happy-1', 'Energetic-1'])
  assert.equal(tracksForMood(saved, cat, 'Calm', 100).length, 8)
  assert.throws(() => tracksForMood(saved, cat, 'Calm', 0), { code: 'E_BAD_ARGUMENT' })
})

function ensureModelStub() {
  return { features: [], source: 'kmeans' as const, standardiser: { mean: new Float64Array(0), sd: new Float64Array(0) }, softmax: { classes: 4, dims: 0, weights: new Float64Array(4), loss: 0 } }
}
