import assert from 'node:assert/strict'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { isSegueError } from '../../src/core/errors.js'
import { loadListening, type ListeningData } from '../../src/listening/source.js'
import { dataKey, loadOrTrain, saveTrained } from '../../src/listening/trained.js'
import { trainedFromBytes } from '../../src/rollout/artifact.js'
import { AlsRecommender } from '../../src/models/als/als.js'
import { exportParquet } from '../../src/spark/export.js'
import { importSparkAls, type ImportResult } from '../../src/spark/import.js'
import { writeSparkAlsModel } from './spark-layout.js'

// Small enough to fit in about a second on the bundled HetRec data; the round trip does not depend on quality.
const PARAMS = { factors: 8, iterations: 2 }
/** float32 dot products summed in different orders agree to a few ulps of the largest term. */
const SCORE_TOLERANCE = 1e-5

describe('segue import-factors --spark: a Spark ALSModel directory becomes a segue ALS model', () => {
  let dir: string
  let listening: ListeningData
  let reference: AlsRecommender
  let imported: ImportResult
  const modelDir = () => join(dir, 'export', 'als-model')

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'segue-spark-import-'))
    listening = await loadListening()
    reference = new AlsRecommender({ ...PARAMS, threads: 1 })
    await reference.fit(listening.data, { seed: 7 })
    await exportParquet(listening, join(dir, 'export'), { params: PARAMS, rowsPerPart: 30_000 })
    // What Spark would have written after training on the export: here, the factors segue just learnt.
    await writeSparkAlsModel(modelDir(), { rank: 8, userFactors: reference.userFactors, itemFactors: reference.itemFactors, parts: 3 })
    imported = await importSparkAls(modelDir())
  })
  after(async () => {
    await reference.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  it('keeps every id with its own factors and scores by their dot products', () => {
    const d = listening.data, got = imported.trained.listening.data
    assert.deepEqual(got.users.rawIds(), d.users.rawIds())
    assert.deepEqual(got.items.rawIds(), d.items.rawIds())
    const model = imported.trained.model as AlsRecommender
    assert.deepEqual(model.userFactors, reference.userFactors)
    assert.deepEqual(model.itemFactors, reference.itemFactors)
    const k = 8, U = reference.userFactors, V = reference.itemFactors
    for (const raw of [d.users.rawId(0), d.users.rawId(900), d.users.rawId(d.users.size - 1)]) {
      const u = got.users.require(raw)
      const scores = model.scoreAll(u).scores
      for (const raw2 of [d.items.rawId(0), d.items.rawId(5000), d.items.rawId(d.items.size - 1)]) {
        const i = got.items.require(raw2)
        let dot = 0
        for (let f = 0; f < k; f++) dot += U[d.users.require(raw) * k + f] * V[d.items.require(raw2) * k + f]
        assert.ok(Math.abs(scores[i] - dot) <= SCORE_TOLERANCE * Math.max(1, Math.abs(dot)), `user ${raw} item ${raw2}: ${scores[i]} vs ${dot}`)
      }
    }
  })

  it('recommends, explains and folds in exactly as the model trained here', () => {
    const model = imported.trained.model as AlsRecommender
    for (const u of [0, 17, 1500]) {
      assert.deepEqual(model.recommend({ user: u }, { n: 10 }), reference.recommend({ user: u }, { n: 10 }))
      const top = reference.recommend({ user: u }, { n: 1 })[0].item
      assert.deepEqual(model.explain({ user: u }, top), reference.explain({ user: u }, top))
    }
    const history = { history: [3, 40, 41, 500], weights: [10, 2, 1, 300] }
    assert.deepEqual(model.recommend(history, { n: 10 }), reference.recommend(history, { n: 10 }))
    const withPlays = model.explain(history, reference.recommend(history, { n: 1 })[0].item)
    assert.ok(withPlays.because.length > 0, 'a folded-in listener is explained by their history')
  })

  it('saves the artifact that serve and recommend load for this data instead of training', async () => {
    const path = join(dir, 'models', 'als-service.art')
    saveTrained(path, imported.trained)
    const loaded = await loadOrTrain(path, 'als', PARAMS, listening)
    assert.equal(loaded.origin, 'loaded')
    assert.deepEqual(loaded.model.recommend({ user: 5 }, { n: 10 }), reference.recommend({ user: 5 }, { n: 10 }))
    // What a server loads when the file is published (`segue models publish`): src/rollout reads the same bytes.
    const published = trainedFromBytes(readFileSync(path), listening, dataKey(listening.data), path)
    assert.deepEqual(published.model.recommend({ user: 5 }, { n: 10 }), reference.recommend({ user: 5 }, { n: 10 }))
  })

  it('records the Spark model metadata and refuses a model trained on another export', async () => {
    assert.equal(imported.spark.metadata.sparkVersion, '3.5.3')
    assert.equal(imported.spark.rank, 8)
    const other = join(dir, 'other-model')
    cpSync(modelDir(), other, { recursive: true })
    writeFileSync(join(other, 'segue-trained-from.json'), JSON.stringify({ dataKey: 'not-this-data' }))
    await rejects(() => importSparkAls(other, join(dir, 'export')), 'E_BAD_ARGUMENT', /segue-trained-from\.json: the model was trained on an export with data key not-this-data/)
  })

  it('names the file when the directory is not a Spark ALS model', async () => {
    const bad = (name: string) => {
      const d = join(dir, name)
      cpSync(modelDir(), d, { recursive: true })
      return d
    }
    const noMeta = bad('no-meta')
    rmSync(join(noMeta, 'metadata'), { recursive: true })
    await rejects(() => importSparkAls(noMeta, join(dir, 'export')), 'E_INPUT_FILE', /no-meta\/metadata\/part-00000: not found/)

    const wrongClass = bad('wrong-class')
    writeFileSync(join(wrongClass, 'metadata', 'part-00000'), JSON.stringify({ class: 'org.apache.spark.ml.feature.PCAModel', rank: 8 }))
    await rejects(() => importSparkAls(wrongClass, join(dir, 'export')), 'E_INPUT_FORMAT', /wrong-class\/metadata\/part-00000: class 'org\.apache\.spark\.ml\.feature\.PCAModel'/)

    const noItems = bad('no-items')
    rmSync(join(noItems, 'itemFactors'), { recursive: true })
    await rejects(() => importSparkAls(noItems, join(dir, 'export')), 'E_INPUT_FILE', /no-items\/itemFactors: item factors directory not found/)

    const wrongRank = bad('wrong-rank')
    writeFileSync(join(wrongRank, 'metadata', 'part-00000'), JSON.stringify({ class: 'org.apache.spark.ml.recommendation.ALSModel', rank: 16 }))
    await rejects(() => importSparkAls(wrongRank, join(dir, 'export')), 'E_INPUT_FORMAT', /wrong-rank\/userFactors\/part-00000-[0-9a-f-]+-c000\.snappy\.parquet: user id \d+: features has 8 values, the model's rank is 16/)

    const garbage = bad('garbage')
    writeFileSync(join(garbage, 'userFactors', 'part-00001-garbage-c000.snappy.parquet'), 'this is not parquet')
    await rejects(() => importSparkAls(garbage, join(dir, 'export')), 'E_INPUT_FORMAT', /garbage\/userFactors\/part-00001-garbage-c000\.snappy\.parquet: not readable as the expected Parquet/)

    await rejects(() => importSparkAls(modelDir(), join(dir, 'nowhere')), 'E_INPUT_FILE', /nowhere\/segue-export\.json: not found/)

    const brokenExport = join(dir, 'broken-export')
    cpSync(join(dir, 'export'), brokenExport, { recursive: true })
    writeFileSync(join(brokenExport, 'interactions', 'part-00001.parquet'), 'cut short')
    await rejects(() => importSparkAls(join(brokenExport, 'als-model')), 'E_INPUT_FORMAT', /broken-export\/interactions\/part-00001\.parquet: not readable as the expected Parquet/)
  })
})

async function rejects(fn: () => Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(fn, (err: unknown) => {
    assert.ok(isSegueError(err), `a SegueError, got ${String(err)}`)
    assert.equal(err.code, code, err.message)
    assert.match(err.message, message)
    return true
  })
}
