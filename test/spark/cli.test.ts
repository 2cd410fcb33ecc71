import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { Rng } from '../../src/core/rng.js'
import { repoRoot } from '../helpers/paths.js'
import { writeSparkAlsModel } from './spark-layout.js'

const CLI = join(repoRoot, 'dist', 'src', 'cli', 'main.js')
const home = mkdtempSync(join(tmpdir(), 'segue-cli-spark-'))
after(() => rmSync(home, { recursive: true, force: true }))

function segue(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, '--home', home, '--no-progress', ...args], { encoding: 'utf8' })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

test('export, Spark-layout factors, import-factors, then recommend loads them without training', async () => {
  const exp = join(home, 'export')
  const e = segue('--json', 'export', '--parquet', exp, '--rows-per-part', '40000')
  assert.equal(e.code, 0, e.err)
  const manifest = JSON.parse(e.out).manifest
  assert.deepEqual(manifest.model.params, {})
  assert.equal(manifest.parts.length, 3)

  // Factors of segue's default rank, as if Spark had trained them: any numbers do, the scores must follow them.
  const rank = manifest.spark.rank
  const rng = new Rng(3)
  const random = (n: number) => Float32Array.from({ length: n * rank }, () => rng.next() - 0.5)
  const userFactors = random(manifest.users), itemFactors = random(manifest.items)
  await writeSparkAlsModel(join(exp, 'als-model'), { rank, userFactors, itemFactors, parts: 4 })

  const i = segue('--json', 'import-factors', '--spark', join(exp, 'als-model'))
  assert.equal(i.code, 0, i.err)
  const imported = JSON.parse(i.out)
  assert.deepEqual(imported.saved, [join(home, 'models', 'als-service.art'), join(home, 'models', 'als.art')])
  assert.deepEqual(imported.params, {})

  const r = segue('--json', 'recommend', '--model', 'als', '--user', '2', '--n', '5')
  assert.equal(r.code, 0, r.err)
  const rec = JSON.parse(r.out)
  assert.equal(rec.origin, 'loaded', 'the imported model is served, not retrained')
  const expected = await topByDot(exp, userFactors, itemFactors, rank, '2', 5)
  assert.deepEqual(rec.items.map((x: { item: string }) => x.item), expected)
})

test('import-factors names the missing file', () => {
  const r = segue('import-factors', '--spark', join(home, 'nowhere', 'als-model'))
  assert.equal(r.code, 1)
  assert.match(r.err, /nowhere\/segue-export\.json: not found/)
})

/** The top-n unplayed items of a raw user by the factors' dot products, computed here from the export's id maps. */
async function topByDot(exp: string, U: Float32Array, V: Float32Array, k: number, rawUser: string, n: number): Promise<string[]> {
  const { withDuckDb } = await import('../../src/spark/duckdb.js')
  return withDuckDb(async (c) => {
    const u = (await c.runAndReadAll(`SELECT user FROM read_parquet('${exp}/users/*.parquet') WHERE user_id = '${rawUser}'`)).getRowsJS()[0][0] as number
    const played = new Set((await c.runAndReadAll(`SELECT item FROM read_parquet('${exp}/interactions/*.parquet') WHERE user = ${u}`)).getRowsJS().map((r) => r[0] as number))
    const ids = (await c.runAndReadAll(`SELECT item_id FROM read_parquet('${exp}/items/*.parquet') ORDER BY item`)).getRowsJS().map((r) => r[0] as string)
    const scored = ids.map((_, i) => {
      let s = 0
      for (let d = 0; d < k; d++) s += U[u * k + d] * V[i * k + d]
      return { i, s }
    }).filter((x) => !played.has(x.i)).sort((a, b) => b.s - a.s)
    return scored.slice(0, n).map((x) => ids[x.i])
  })
}
