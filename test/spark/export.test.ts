import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { isSegueError } from '../../src/core/errors.js'
import { loadListening, type ListeningData } from '../../src/listening/source.js'
import { dataKey } from '../../src/listening/trained.js'
import { ALS_DEFAULTS, confidenceOf } from '../../src/models/als/options.js'
import { exportParquet, partCuts } from '../../src/spark/export.js'
import { readExport } from '../../src/spark/import.js'
import { withDuckDb } from '../../src/spark/duckdb.js'
import { fixturesDir } from '../helpers/paths.js'

const FIXTURES = join(fixturesDir, 'listens')

async function query(sql: string): Promise<unknown[][]> {
  return withDuckDb(async (c) => (await c.runAndReadAll(sql)).getRowsJS())
}

describe('segue export --parquet: interactions and id maps for Spark', () => {
  let dir: string
  let listening: ListeningData
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'segue-spark-export-'))
    listening = await loadListening()
    await exportParquet(listening, join(dir, 'hetrec'), { rowsPerPart: 30_000 })
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  it("writes every entry once, with segue's ALS confidence, in part files of whole user ranges", async () => {
    const d = listening.data
    const glob = `'${join(dir, 'hetrec', 'interactions')}/*.parquet'`
    const rows = await query(`SELECT user, item, plays, strength, confidence, filename FROM read_parquet(${glob}, filename = true) ORDER BY user, item`)
    assert.equal(rows.length, d.matrix.indices.length)
    const confidence = confidenceOf(ALS_DEFAULTS)
    let p = 0
    for (let u = 0; u < d.users.size; u++) {
      for (let q = d.matrix.indptr[u]; q < d.matrix.indptr[u + 1]; q++, p++) {
        const [user, item, plays, strength, conf] = rows[p] as number[]
        assert.deepEqual([user, item, plays], [u, d.matrix.indices[q], d.matrix.data[q]])
        assert.equal(conf, Math.fround(confidence(d.matrix.data[q])), `confidence of user ${u} item ${item}`)
        // What Spark computes from the rating column it is given: 1 + alpha * strength.
        assert.ok(Math.abs(1 + ALS_DEFAULTS.alpha * strength - conf) < 1e-5 * conf)
      }
    }
    const files = await query(`SELECT filename, min(user), max(user), count(*) FROM read_parquet(${glob}, filename = true) GROUP BY filename ORDER BY filename`)
    assert.equal(files.length, partCuts(d.matrix.indptr, 30_000).length)
    assert.ok(files.length >= 3, `${files.length} part files`)
    for (let f = 1; f < files.length; f++) assert.equal(files[f][1], (files[f - 1][2] as number) + 1, 'each part starts where the previous one ended')
  })

  it('writes the id maps and a manifest the import checks against', async () => {
    const d = listening.data
    const users = await query(`SELECT user, user_id FROM read_parquet('${join(dir, 'hetrec', 'users')}/*.parquet') ORDER BY user`)
    assert.deepEqual(users.map((r) => r[1]), d.users.rawIds())
    const items = await query(`SELECT item, item_id, name FROM read_parquet('${join(dir, 'hetrec', 'items')}/*.parquet') ORDER BY item`)
    assert.deepEqual(items.map((r) => r[1]), d.items.rawIds())
    assert.equal(items[0][2], listening.itemNames.get(d.items.rawId(0)))
    const manifest = JSON.parse(readFileSync(join(dir, 'hetrec', 'segue-export.json'), 'utf8'))
    assert.equal(manifest.interactions, d.matrix.indices.length)
    assert.equal(manifest.dataKey, dataKey(d))
    assert.deepEqual({ rank: manifest.spark.rank, alpha: manifest.spark.alpha, maxIter: manifest.spark.maxIter }, { rank: ALS_DEFAULTS.factors, alpha: ALS_DEFAULTS.alpha, maxIter: ALS_DEFAULTS.iterations })
    // Spark's λ is regParam x interactions of the row: the average listener gets segue's λ.
    assert.ok(Math.abs(manifest.spark.regParam * (d.matrix.indices.length / d.users.size) - ALS_DEFAULTS.regularization) < 1e-9)
    const back = await readExport(join(dir, 'hetrec'))
    assert.equal(dataKey(back.data), dataKey(d))
  })

  it('keeps timestamps where the source has them and follows --param confidence', async () => {
    const l = await loadListening(join(FIXTURES, 'listens.csv'))
    const out = join(dir, 'listens')
    await exportParquet(l, out, { params: { confidence: 'linear', alpha: 3 } })
    const rows = await query(`SELECT user, item, plays, confidence, epoch(timestamp) FROM read_parquet('${out}/interactions/*.parquet') ORDER BY user, item`)
    const d = l.data
    assert.equal(rows.length, d.matrix.indices.length)
    rows.forEach(([, , plays, conf, ts], p) => {
      assert.equal(conf, Math.fround(1 + 3 * (plays as number)))
      const t = d.times![p]
      assert.equal(ts, Number.isFinite(t) ? t : null)
    })
    assert.ok(rows.some((r) => r[4] !== null), 'some timestamps survive')
  })

  it('refuses a directory that holds other files', async () => {
    const busy = join(dir, 'busy')
    mkdirSync(busy)
    writeFileSync(join(busy, 'notes.txt'), 'mine')
    await assert.rejects(exportParquet(listening, busy), (e: unknown) => isSegueError(e) && e.code === 'E_BAD_ARGUMENT' && /busy: not empty and not a previous segue export/.test(e.message))
  })

  it('cuts parts at user boundaries once a part holds the row budget', () => {
    assert.deepEqual(partCuts(Int32Array.from([0, 2, 3, 7, 8]), 3), [[0, 2], [2, 3], [3, 4]])
    assert.deepEqual(partCuts(Int32Array.from([0, 1]), 10), [[0, 1]])
  })
})
