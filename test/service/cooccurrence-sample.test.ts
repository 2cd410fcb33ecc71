import { test } from 'node:test'
import assert from 'node:assert/strict'
import { dirname } from 'node:path'
import { readPlaylists } from '../../src/data/playlists/read.js'
import { continuationTable, evaluateContinuation } from '../../src/eval/continuation/evaluate.js'
import { createContinuationModel } from '../../src/eval/continuation/models.js'
import { ProductContinuation } from '../../src/eval/continuation/product.js'
import { splitContinuation } from '../../src/eval/continuation/split.js'
import { SKIP_NO_SHARED, sharedFile } from '../helpers/paths.js'

// The MPD sample (non-commercial research only, never copied into the repository) is read from ../shared;
// the test skips when it is absent.
const listFile = sharedFile('spotify-mpd-sample', 'playlists.tsv')
const skip = listFile === null ? SKIP_NO_SHARED : false

test('MPD sample: "Listeners like you" by track co-occurrence continues playlists at 1.5x popularity\'s R-precision, and the tuned alpha beats cosine', { skip }, async () => {
  const { set } = await readPlaylists(dirname(listFile!))
  const split = splitContinuation(set, { test: 100, validation: 0, seed: 42 })
  const tuned = new ProductContinuation('collaborative', null)
  const cosine = new ProductContinuation('collaborative', null, { alpha: 0.5 })
  const r = await evaluateContinuation([createContinuationModel('popularity'), tuned, cosine], split)
  const [pop, co, cos] = r.models.map((m) => m.overall)
  assert.ok(pop.rPrecision > 0, continuationTable(r))
  assert.ok(co.rPrecision >= 1.5 * pop.rPrecision, continuationTable(r))
  assert.ok(co.ndcg > pop.ndcg && co.clicks < pop.clicks, continuationTable(r))
  assert.ok(co.ndcg > cos.ndcg, continuationTable(r))
})
