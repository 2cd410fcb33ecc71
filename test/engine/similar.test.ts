import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync, readdirSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Engine, type EngineOptions } from '../../src/engine.js'
import { fixturesDir } from '../helpers/paths.js'

// The fixture differs only in energy, so with audio features alone the order of neighbours is known:
// seed 0.50 -> Alpha Two 0.52 (same artist), Close One 0.55, its duplicate 0.551, Rock Near 0.60 (rock),
// Middle 0.65, then the far ones.
const FIXTURE = join(fixturesDir, 'engine', 'catalogue.csv')
const SEED = 'seed0000000000000000001'
const AUDIO_ONLY: EngineOptions['pipeline'] = {
  weights: { audio: 1, genre: 0, artist: 0, era: 0 },
  logTransform: 'none',
  capOutliers: false,
  engineered: false,
}

async function engineWithFixture(opts: EngineOptions = {}): Promise<Engine> {
  const engine = await Engine.open({ home: mkdtempSync(join(tmpdir(), 'segue-engine-')), pipeline: AUDIO_ONLY, ...opts })
  await engine.importCatalogue(FIXTURE)
  return engine
}

const names = (r: { items: { track: { name: string } }[] }) => r.items.map((i) => i.track.name)

for (const mode of ['exact', 'ann'] as const) {
  test(`similar (${mode}) ranks by distance and collapses duplicates`, async () => {
    const e = await engineWithFixture()
    const r = await e.similar(SEED, { k: 3, metric: 'euclidean', mode })
    assert.deepEqual(names(r), ['Alpha Two', 'Close One', 'Rock Near'])
    assert.equal(r.resolvedBy, 'id')
    assert.ok(r.items[0].score > r.items[1].score && r.items[1].score > r.items[2].score)
    assert.ok(r.items.every((i) => i.because.length > 0))
    await e.close()
  })
}

test('options: exclude the seed artist, keep duplicates, restrict to a genre', async () => {
  const e = await engineWithFixture()
  assert.deepEqual(names(await e.similar(SEED, { k: 3, metric: 'euclidean', excludeSeedArtist: true })), ['Close One', 'Rock Near', 'Middle'])
  assert.deepEqual(names(await e.similar(SEED, { k: 3, metric: 'euclidean', collapseDuplicates: false })), ['Alpha Two', 'Close One', 'Close One'])
  assert.deepEqual(names(await e.similar(SEED, { k: 3, metric: 'manhattan', genres: ['rock'] })), ['Rock Near'])
  const rare = await e.similar(SEED, { k: 3, metric: 'euclidean', mode: 'ann', genres: ['rock'] })
  assert.deepEqual([names(rare), rare.mode], [['Rock Near'], 'exact'], 'too few pass the filter in the graph: answered exactly')
  await assert.rejects(e.similar(SEED, { genres: ['polka'] }), /unknown genre 'polka'/)
  await assert.rejects(e.similar(SEED, { k: 0 }), /k must be a whole number/)
  await e.close()
})

test('a free-text query resolves through fuzzy search', async () => {
  const e = await engineWithFixture()
  const r = await e.similar('sead song alpah', { k: 1, metric: 'euclidean' })
  assert.equal(r.seed.id, SEED)
  assert.equal(r.resolvedBy, 'search')
  await assert.rejects(() => e.resolveTrack('qqqqzzzz xxxxyyyy'), /no track has the id/)
  await e.close()
})

test('artifacts are reused on the next start and a corrupt one is rebuilt', async () => {
  const first = await engineWithFixture()
  await first.similar(SEED, { k: 2, mode: 'ann', metric: 'cosine' })
  const home = first.home
  await first.close()
  const artifacts = readdirSync(join(home, 'artifacts')).sort()
  // The HNSW graph sits in its own file beside its checksummed header, so it can be memory-mapped.
  assert.deepEqual(artifacts, ['catalogue.art', 'hnsw-cosine.art', 'hnsw-cosine.graph', 'pipeline.art'])

  const pipelineBefore = statSync(join(home, 'artifacts', 'pipeline.art')).mtimeMs
  writeFileSync(join(home, 'artifacts', 'hnsw-cosine.art'), 'garbage')
  const warnings: string[] = []
  const second = await Engine.open({ home, pipeline: AUDIO_ONLY, onWarning: (m) => warnings.push(m) })
  const r = await second.similar(SEED, { k: 2, mode: 'ann', metric: 'cosine' })
  assert.equal(r.items.length, 2)
  assert.equal(warnings.length, 1)
  assert.match(warnings[0], /hnsw-cosine\.art.*rebuilding/)
  assert.equal(statSync(join(home, 'artifacts', 'pipeline.art')).mtimeMs, pipelineBefore, 'the intact pipeline was loaded, not refitted')
  await second.close()
})

test('an empty store says how to import', async () => {
  const e = await Engine.open({ home: mkdtempSync(join(tmpdir(), 'segue-empty-')) })
  await assert.rejects(() => e.search('x'), /catalogue is empty: import one first/)
  await e.close()
})
