import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { enqueueTraining, openQueue } from '../../src/jobs/queue.js'
import { TrainingWorker } from '../../src/jobs/worker.js'
import { readinessOf } from '../../src/ops/readiness.js'
import { startRollout } from '../../src/rollout/serve.js'
import { SegueService } from '../../src/service/service.js'
import { fixturesDir } from '../helpers/paths.js'
import { startPgCluster } from '../helpers/pg-cluster.js'
import { waitFor, writeListens } from './helpers.js'

// A server with --training worker never fits a collaborative model: it starts with content only and says so,
// then serves the version a worker publishes (loaded by src/rollout), never one fitted in its own process.

const catalogue = join(fixturesDir, 'engine', 'catalogue.csv')
const cluster = await startPgCluster()

test('--training worker refuses a SQLite store, naming the flag', async () => {
  const home = mkdtempSync(join(tmpdir(), 'segue-serve-worker-'))
  await assert.rejects(
    SegueService.start({ home, catalogue, listening: writeListens(home), training: 'worker' }),
    (err: Error & { code?: string }) => err.code === 'E_BAD_ARGUMENT' && /--training worker needs --store postgres/.test(err.message),
  )
})

if ('skip' in cluster) {
  test('serve --training worker', { skip: cluster.skip }, () => {})
} else {
  after(() => cluster.stop())

  test('a server in worker mode does not train: content only until a worker publishes, then that version', { timeout: 30_000 }, async (t) => {
    const url = await cluster.createDatabase('serve_worker')
    const home = mkdtempSync(join(tmpdir(), 'segue-serve-worker-'))
    const listening = writeListens(home)
    const notes: string[] = []
    const service = await SegueService.start({ home, store: url, catalogue, listening, training: 'worker', log: (m) => notes.push(m) })
    const rollout = await startRollout(service, (m) => notes.push(m))
    t.after(async () => {
      await rollout?.close()
      await service.close()
    })
    assert.equal(service.collaborative, null)
    assert.equal(service.engine.loadReport.model, undefined, 'a model was loaded or fitted at start')
    assert.ok(!existsSync(join(home, 'models', 'als-service.art')), 'the server saved a model it fitted')
    assert.deepEqual(service.models().models.map((m) => m.name), ['content'])
    assert.ok(notes.some((n) => /collaborative model als: trained by segue worker, never in this server; content only/.test(n)), notes.join('\n'))
    const said = async () => (await readinessOf(service).evaluate()).checks.find((c) => c.name === 'collaborative')
    assert.deepEqual(await said(), { name: 'collaborative', ok: true, detail: 'no als version published by segue worker yet: serving content recommendations only' })

    const worker = await TrainingWorker.start({ store: url, home: mkdtempSync(join(tmpdir(), 'segue-worker-')), listening, pollSeconds: 0.5, log: () => {} })
    t.after(() => worker.stop('abandon'))
    const boss = await openQueue(url)
    t.after(() => boss.stop({ graceful: false }))
    await enqueueTraining(boss, { model: 'als', params: { factors: 8, iterations: 3, threads: 1 } })
    const served = await waitFor('the published model to be served', async () => service.collaborative)
    assert.equal(served.name, 'als')
    assert.equal(served.origin, 'loaded')
    assert.deepEqual(served.params, { factors: 8, iterations: 3, threads: 1 })
    assert.equal(rollout?.current.version, 1)
    assert.ok(service.models().models.some((m) => m.name !== 'content'))
    assert.equal(service.engine.loadReport.model, undefined)
    assert.equal((await said())?.detail, 'serving als as published by segue worker')
  })
}
