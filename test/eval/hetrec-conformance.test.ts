import { test } from 'node:test'
import assert from 'node:assert/strict'
import { formatTable } from '../../src/eval/report.js'
import { compareModels } from '../../src/listening/compare.js'
import { loadListening } from '../../src/listening/source.js'
import { SKIP_NO_SHARED, realFile } from '../helpers/paths.js'

const dir = realFile('hetrec2011-lastfm-2k')
const MODELS = ['popularity', 'item-knn', 'user-knn', 'ease', 'als', 'bpr']

// HetRec Last.fm 2K, seeded 80/20 per-user holdout: every model side by side. The README table comes from
// this run (`segue evaluate --listens ../shared/data/hetrec2011-lastfm-2k --models ... --seed 42`).
test('HetRec Last.fm 2K: ALS, item-kNN and EASE clearly beat popularity', { skip: dir ? false : SKIP_NO_SHARED, timeout: 900_000 }, async () => {
  const { data } = await loadListening(dir!)
  const results = await compareModels(data, MODELS.map((name) => ({ name })), { kind: 'random', fraction: 0.2, seed: 42 }, {
    k: 10,
    metrics: ['precision', 'recall', 'ndcg', 'map', 'coverage'],
    fit: { seed: 42 },
  })
  console.log(formatTable(results).split('\n').map((l) => `# ${l}`).join('\n'))
  const by = Object.fromEntries(results.map((r) => [r.model, r.overall.metrics]))
  for (const r of results) assert.equal(r.overall.users, results[0].overall.users, 'every model is scored on the same test users')
  for (const name of ['als', 'item-knn', 'ease']) {
    for (const metric of ['precision', 'ndcg', 'map'] as const) {
      assert.ok(by[name][metric]! >= 1.5 * by.popularity[metric]!, `${name} ${metric} ${by[name][metric]} vs popularity ${by.popularity[metric]}`)
    }
  }
})
