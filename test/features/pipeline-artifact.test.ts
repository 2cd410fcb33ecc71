import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadArtifact } from '../../src/core/artifact.js'
import { SegueError } from '../../src/core/errors.js'
import { Rng } from '../../src/core/rng.js'
import { FeaturePipeline } from '../../src/features/pipeline.js'
import { makeTrack } from './feature-helpers.js'

function catalogue(n: number, seed: number) {
  const rng = new Rng(seed)
  return Array.from({ length: n }, () =>
    makeTrack({
      genres: [`g${rng.int(6)}`, ...(rng.next() < 0.3 ? [`g${rng.int(6)}`] : [])],
      artists: [`artist ${rng.int(9)}`],
      releaseYear: rng.next() < 0.2 ? null : 1960 + rng.int(60),
      audio: { energy: rng.next(), speechiness: rng.next() ** 4, tempo: 60 + 120 * rng.next(), key: rng.int(13) - 1, loudness: -30 * rng.next() },
    }),
  )
}

const dir = mkdtempSync(join(tmpdir(), 'segue-features-'))
const tracks = catalogue(200, 7)

test('save then load transforms bit for bit, with the same columns and config', () => {
  for (const scaler of ['standard', 'robust', 'minmax'] as const) {
    const p = FeaturePipeline.fit(tracks, { scaler, maxArtistTerms: 4 })
    const path = join(dir, `${scaler}.seg`)
    p.save(path, 'catalogue-v1')
    const q = FeaturePipeline.load(path, 'catalogue-v1')!
    assert.ok(q, scaler)
    assert.deepEqual(q.columns(), p.columns())
    assert.deepEqual(q.config, p.config)
    const fresh = catalogue(50, 99)
    assert.deepEqual(Buffer.from(q.transform(fresh).buffer), Buffer.from(p.transform(fresh).buffer), scaler)
    assert.deepEqual(q.explain(fresh[0], fresh[1]), p.explain(fresh[0], fresh[1]))
  }
})

test('the artifact is a feature-pipeline of version 1 holding the fitted parameters', () => {
  const path = join(dir, 'kind.seg')
  FeaturePipeline.fit(tracks).save(path, 'k')
  const art = loadArtifact(path, { kind: 'feature-pipeline', version: 1 })
  assert.equal(art.header.key, 'k')
  assert.ok(art.blobs.numeric instanceof Float64Array)
  assert.ok(art.blobs['idf:genre'] instanceof Float64Array)
})

test('a different key gives null, and so does a missing file', () => {
  const path = join(dir, 'keyed.seg')
  FeaturePipeline.fit(tracks).save(path, 'catalogue-v1')
  assert.equal(FeaturePipeline.load(path, 'catalogue-v2'), null)
  assert.equal(FeaturePipeline.load(join(dir, 'absent.seg'), 'catalogue-v1'), null)
})

test('a damaged or truncated file is detected as corrupt', () => {
  const path = join(dir, 'damaged.seg')
  FeaturePipeline.fit(tracks).save(path, 'k')
  const bytes = readFileSync(path)
  const flipped = Buffer.from(bytes)
  flipped[Math.floor(bytes.length / 2)] ^= 0x10
  writeFileSync(path, flipped)
  assert.throws(() => FeaturePipeline.load(path, 'k'), (e: SegueError) => e.code === 'E_ARTIFACT_CORRUPT')
  assert.throws(() => FeaturePipeline.fromBytes(bytes.subarray(0, bytes.length - 1), 'k'), (e: SegueError) => e.code === 'E_ARTIFACT_CORRUPT')
})

test('toBytes and fromBytes round trip without a file', () => {
  const p = FeaturePipeline.fit(tracks, { genres: 'onehot', artists: 'none', capOutliers: false })
  const q = FeaturePipeline.fromBytes(p.toBytes('mem'), 'mem')!
  assert.deepEqual(q.transform(tracks), p.transform(tracks))
  assert.equal(q.numericParams('energy')!.lo, -Infinity)
})
