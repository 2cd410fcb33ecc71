import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { readPlaylists } from '../../../src/data/playlists/read.js'
import { continuationTable, evaluateContinuation } from '../../../src/eval/continuation/evaluate.js'
import { createContinuationModel } from '../../../src/eval/continuation/models.js'
import { splitContinuation } from '../../../src/eval/continuation/split.js'
import { repoRoot, SKIP_NO_SHARED, sharedFile } from '../../helpers/paths.js'

// The MPD sample is licensed for non-commercial research only and is never copied into the repository:
// these tests read it from ../shared and skip when it is absent.
const listFile = sharedFile('spotify-mpd-sample', 'playlists.tsv')
const sample = listFile === null ? null : dirname(listFile)
const skip = sample === null ? SKIP_NO_SHARED : false
const CLI = join(repoRoot, 'dist', 'src', 'cli', 'main.js')
const home = mkdtempSync(join(tmpdir(), 'segue-continuation-'))

function segue(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, '--home', home, '--no-progress', ...args], { encoding: 'utf8', env: { ...process.env, ...env } })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

test('MPD sample: item-kNN continues held-out playlists better than popularity (1.5x its R-precision, and NDCG)', { skip }, async () => {
  const { set } = await readPlaylists(sample!)
  // 10 playlists per category keeps this quick; validation 0 so every other playlist trains.
  const split = splitContinuation(set, { test: 100, validation: 0, seed: 42 })
  assert.deepEqual(split.shortfall, {})
  const models = ['popularity', 'item-knn'].map((name) => createContinuationModel(name))
  const r = await evaluateContinuation(models, split, { fit: { seed: 42, threads: 1 } })
  const [pop, knn] = r.models
  assert.equal(r.heldOut, 100)
  assert.equal(r.trainPlaylists, set.playlists.length - 100)
  assert.ok(pop.overall.rPrecision > 0, continuationTable(r))
  // The bar for every collaborative model: at least 1.5x popularity's R-precision.
  assert.ok(knn.overall.rPrecision >= 1.5 * pop.overall.rPrecision, continuationTable(r))
  assert.ok(knn.overall.ndcg > pop.overall.ndcg, continuationTable(r))
})

test('segue evaluate --task continuation prints a table per model and writes the JSON report', { skip }, () => {
  const r = segue(['--json', 'evaluate', '--task', 'continuation', '--models', 'popularity,title', '--test', '20'])
  assert.equal(r.code, 0, r.err)
  const report = JSON.parse(r.out)
  assert.equal(report.mode, 'test')
  assert.equal(report.heldOut, 20)
  assert.deepEqual(report.models.map((m: { model: string }) => m.model), ['popularity', 'title'])
  for (const m of report.models) {
    assert.equal(m.byCategory.length, 10)
    assert.ok(m.overall.rPrecision >= 0 && m.overall.rPrecision <= 1)
    assert.ok(m.overall.clicks >= 0 && m.overall.clicks <= 51)
  }
  const v = segue(['--json', 'evaluate', '--task', 'continuation', '--models', 'popularity', '--test', '20', '--validation'])
  assert.equal(v.code, 0, v.err)
  assert.equal(JSON.parse(v.out).mode, 'validation')
})

test('segue evaluate --task continuation without playlists says where it looked and how to give them', () => {
  const r = segue(['evaluate', '--task', 'continuation'], { SEGUE_SHARED_DATA: join(home, 'no-such-folder') })
  assert.equal(r.code, 1)
  assert.match(r.err, /needs playlists: give --playlists <path>/)
  assert.match(r.err, /no-such-folder/)
  const u = segue(['evaluate', '--task', 'continuation', '--models', 'popularity,nope'])
  assert.equal(u.code, 1)
  assert.match(u.err, /unknown continuation model 'nope'/)
})
