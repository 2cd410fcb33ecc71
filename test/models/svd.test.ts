import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { SvdRecommender, type SvdOptions } from '../../src/models/svd/svd.js'
import { tune } from '../../src/eval/tune.js'
import { buildInteractions, type RawInteraction } from '../../src/data/interactions.js'
import { decodeArtifact, encodeArtifact } from '../../src/core/artifact.js'
import { isRatingPredictor } from '../../src/models/types.js'
import { Rng } from '../../src/core/rng.js'
import { sharedFile, SKIP_NO_SHARED } from '../helpers/paths.js'

/** A MovieLens u*.base / u*.test file: user, item, rating, time, tab-separated, no header. */
function readMovieLens(path: string): RawInteraction[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [user, item, rating, time] = line.split('\t')
      return { user, item, value: Number(rating), time: Number(time) }
    })
}

const folds = [1, 2, 3, 4, 5].map((f) => ({ base: sharedFile('movielens-100k', `u${f}.base`), test: sharedFile('movielens-100k', `u${f}.test`) }))
const allRatings = sharedFile('movielens-100k', 'u.data')
const present = folds.every((f) => f.base && f.test) && allRatings !== null

/** Mean RMSE and MAE of default-option SVD over (train, test) pairs; unknown test ids go to predict as undefined. */
async function crossValidate(pairs: { train: RawInteraction[]; test: RawInteraction[] }[], options: Partial<SvdOptions> = {}): Promise<{ rmse: number; mae: number; perFold: number[] }> {
  const perFold: number[] = []
  let maeSum = 0
  for (const [f, pair] of pairs.entries()) {
    const train = buildInteractions(pair.train, 'explicit')
    const model = new SvdRecommender(options)
    await model.fit(train, { seed: f })
    let sq = 0, abs = 0
    for (const r of pair.test) {
      const err = model.predict(train.users.dense(r.user), train.items.dense(r.item)) - r.value
      sq += err * err
      abs += Math.abs(err)
    }
    perFold.push(Math.sqrt(sq / pair.test.length))
    maeSum += abs / pair.test.length
  }
  return { rmse: perFold.reduce((a, b) => a + b, 0) / pairs.length, mae: maeSum / pairs.length, perFold }
}

// Surprise's published SVD figures (RMSE 0.934, MAE 0.737) come from its shuffled 5-fold split of u.data. The
// same algorithm with the same defaults measures 0.9347 / 0.7368 there (this suite's seed), but 0.9376-0.9395 / 0.7384-0.7401
// on the official u1..u5 folds, whose u1 split is known to be harder (0.953). Each protocol is held to its own
// measured figure plus a little room for seed noise.
test('svd: MovieLens 100K, shuffled 5-fold of u.data (Surprise protocol): RMSE ~0.934, MAE ~0.737', { skip: present ? false : SKIP_NO_SHARED }, async () => {
  const rows = readMovieLens(allRatings as string)
  const rng = new Rng(42)
  const fold = rows.map(() => rng.int(5))
  const pairs = [0, 1, 2, 3, 4].map((f) => ({ train: rows.filter((_, i) => fold[i] !== f), test: rows.filter((_, i) => fold[i] === f) }))
  const got = await crossValidate(pairs)
  console.log(`svd u.data shuffled 5-fold: RMSE ${got.rmse.toFixed(4)} MAE ${got.mae.toFixed(4)}`)
  assert.ok(got.rmse <= 0.936, `mean RMSE ${got.rmse}`)
  assert.ok(got.mae <= 0.738, `mean MAE ${got.mae}`)
})

test('svd: MovieLens 100K, official folds u1..u5: RMSE <= 0.942, MAE <= 0.742', { skip: present ? false : SKIP_NO_SHARED }, async () => {
  const got = await crossValidate(folds.map((f) => ({ train: readMovieLens(f.base as string), test: readMovieLens(f.test as string) })))
  console.log(`svd official folds: RMSE ${got.perFold.map((x) => x.toFixed(4)).join(' ')} mean ${got.rmse.toFixed(4)}; MAE ${got.mae.toFixed(4)}`)
  assert.ok(got.rmse <= 0.942, `mean RMSE ${got.rmse}`)
  assert.ok(got.mae <= 0.742, `mean MAE ${got.mae}`)
})

// The bar (RMSE <= 0.934, MAE <= 0.737) on the official folds, with settings chosen the honest way:
// `tune` scores a small grid on a validation split carved from u1.base alone, so no test fold picks them.
test('svd: MovieLens 100K, official folds u1..u5, settings tuned on validation: RMSE <= 0.934, MAE <= 0.737', { skip: present ? false : SKIP_NO_SHARED, timeout: 300_000 }, async () => {
  const base = buildInteractions(readMovieLens(folds[0].base as string), 'explicit')
  const space = { factors: [100], learningRate: [0.007], regularization: [0.02, 0.05, 0.1], epochs: [20, 40] }
  const tuned = await tune((p) => new SvdRecommender(p as Partial<SvdOptions>), base, space, {
    metric: 'rmse', k: 10, seed: 7, validation: { fraction: 0.2, seed: 7 }, evaluate: { metrics: ['rmse'], fit: { seed: 1 } },
  })
  const got = await crossValidate(folds.map((f) => ({ train: readMovieLens(f.base as string), test: readMovieLens(f.test as string) })), tuned.best.params as Partial<SvdOptions>)
  console.log(`svd official folds, tuned ${JSON.stringify(tuned.best.params)}: RMSE ${got.rmse.toFixed(4)} MAE ${got.mae.toFixed(4)}`)
  assert.ok(got.rmse <= 0.934, `mean RMSE ${got.rmse}`)
  assert.ok(got.mae <= 0.737, `mean MAE ${got.mae}`)
})

/** Two taste groups: even users rate even items 5 and odd items 1, odd users the reverse; (u, u) withheld. */
function tastes(n: number) {
  const events: RawInteraction[] = []
  for (let u = 0; u < n; u++) for (let i = 0; i < n; i++) if (u !== i) events.push({ user: `u${u}`, item: `i${(i + u) % n}`, value: 0 })
  const rated = events.map((e) => {
    const u = Number(e.user.slice(1)), i = Number(e.item.slice(1))
    return { ...e, value: (u + i) % 2 === 0 ? 5 : 1 }
  })
  return buildInteractions(rated, 'explicit')
}

test('svd: learns two taste groups; unknown ids fall back to baselines without throwing', async () => {
  const data = tastes(30)
  const model = new SvdRecommender({ factors: 4, epochs: 60, learningRate: 0.02 })
  const progress: number[] = []
  await model.fit(data, { seed: 1, onProgress: (p) => progress.push(p.loss as number) })
  assert.equal(progress.length, 60)
  assert.ok(progress[59] < progress[0])
  const u = data.users.dense('u2') as number
  assert.ok(model.predict(u, data.items.dense('i4')) > 4, 'even user, even item')
  assert.ok(model.predict(u, data.items.dense('i5')) < 2, 'even user, odd item')
  const mean = model.predict(undefined, undefined)
  assert.ok(Math.abs(mean - 3) < 0.2, `global mean ${mean}`)
  assert.ok(Number.isFinite(model.predict(u, undefined)) && Number.isFinite(model.predict(undefined, 0)) && Number.isFinite(model.predict(-5, 1e9)))
  assert.ok(isRatingPredictor(model))
  const top = model.recommend({ user: u }, { n: 1, excludeSeen: false })[0].item
  assert.equal(Number(data.items.rawId(top).slice(1)) % 2, 0)
  const newcomer = model.recommend({ history: [data.items.dense('i1'), data.items.dense('i3')] as number[], weights: [5, 5] }, { n: 3 })
  for (const r of newcomer) assert.equal(Number(data.items.rawId(r.item).slice(1)) % 2, 1, 'a fan of odd items gets odd items')
})

test('svd: same seed, same model; save and load round-trip', async () => {
  const data = tastes(12)
  const a = new SvdRecommender({ factors: 5, epochs: 5 })
  const b = new SvdRecommender({ factors: 5, epochs: 5 })
  await a.fit(data, { seed: 3 })
  await b.fit(data, { seed: 3 })
  assert.equal(a.predict(1, 2), b.predict(1, 2))
  const art = a.save()
  const bytes = encodeArtifact({ kind: art.kind, version: art.version, key: 't', meta: art.meta }, art.blobs)
  const back = decodeArtifact(bytes, { kind: 'svd', version: 1 })
  const c = SvdRecommender.load({ kind: 'svd', version: 1, meta: back.header.meta, blobs: back.blobs })
  assert.equal(c.predict(1, 2), a.predict(1, 2))
  assert.deepEqual(c.recommend({ user: 3 }), a.recommend({ user: 3 }))
  assert.deepEqual(c.similarItems(0, 3), a.similarItems(0, 3))
})
