import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { enqueueTraining, listJobs, openQueue, type JobPolicy, type JobRow, type TrainJobData } from '../../src/jobs/queue.js'
import { TrainingWorker, type WorkerOptions } from '../../src/jobs/worker.js'
import { metricsText } from '../../src/ops/metrics.js'
import { activeModel, ensureRolloutSchema } from '../../src/rollout/versions.js'
import { startPgCluster } from '../helpers/pg-cluster.js'
import { holdPublishing, waitFor, writeListens } from './helpers.js'

/** How far transaction-start stamps of two back-to-back jobs may cross (see the one-at-a-time test). */
const TRANSACTION_SKEW_MS = 200

// Training as a job over a real PostgreSQL: a worker takes jobs from the pg-boss queue, fits on a small
// listening file and publishes through src/rollout. A held lock on model_versions keeps a job "mid-job" (it
// waits to publish) for as long as a test needs, without any test hook in the worker.

/** Short limits so that retries and reclaiming happen within a test. */
const FAST: Partial<JobPolicy> = { retryLimit: 2, retryDelay: 1, expireInSeconds: 60 }
// One thread: worker threads load the compiled kernels from dist/, which tests run from source do not have.
const ALS: TrainJobData = { model: 'als', params: { factors: 8, iterations: 3, threads: 1 } }

const cluster = await startPgCluster()
let dbCount = 0

function jobOf(url: string, id: string, state?: JobRow['state']): Promise<JobRow> {
  return waitFor(`job ${id}${state ? ` to be ${state}` : ''}`, async () => (await listJobs(url)).find((j) => j.id === id && (!state || j.state === state)))
}

/** A fresh database, a home and a listening file; workers and pools are closed after the test. */
async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  if ('skip' in cluster) throw new Error('unreachable')
  const url = await cluster.createDatabase(`jobs_${++dbCount}`)
  const home = mkdtempSync(join(tmpdir(), 'segue-jobs-'))
  const listening = writeListens(home)
  const pool = new pg.Pool({ connectionString: url })
  const boss = await openQueue(url)
  const lines: { at: number; line: string }[] = []
  const workers: TrainingWorker[] = []
  const startWorker = async (schedule?: WorkerOptions['schedule']) => {
    const w = await TrainingWorker.start({ store: url, home, listening, schedule, pollSeconds: 0.5, reclaimEverySeconds: 1, log: (line) => lines.push({ at: Date.now(), line }) })
    workers.push(w)
    return w
  }
  t.after(async () => {
    await Promise.all(workers.map((w) => w.stop('abandon')))
    await boss.stop({ graceful: false })
    await pool.end()
  })
  return { url, home, listening, pool, boss, lines, startWorker }
}

if ('skip' in cluster) {
  test('training jobs', { skip: cluster.skip }, () => {})
} else {
  after(() => cluster.stop())

  test('an enqueued job is trained by the worker and published as the active version', { timeout: 30_000 }, async (t) => {
    const s = await setup(t)
    await s.startWorker({ cron: '0 */6 * * *', job: ALS })
    const [schedule] = await s.boss.getSchedules()
    assert.deepEqual([schedule.cron, schedule.data, schedule.options?.singletonKey], ['0 */6 * * *', ALS, 'als'])
    const r = await enqueueTraining(s.boss, ALS, FAST)
    assert.ok(r.added)
    const done = await jobOf(s.url, r.id!, 'completed')
    const active = await activeModel(s.pool, 'als')
    assert.ok(active, 'no version was published')
    assert.equal(active.version, 1)
    assert.deepEqual(active.meta.params, ALS.params)
    assert.equal(active.meta.users, 40)
    assert.equal((done.output as { version: number }).version, 1)
    assert.ok(done.seconds !== null && done.seconds >= 0)
    assert.ok(s.lines.some((l) => /published als version 1/.test(l.line)), s.lines.map((l) => l.line).join('\n'))
    const metrics = (await metricsText()).body
    assert.match(metrics, /segue_training_duration_seconds_count\{name="als"\} 1\n/)
    assert.match(metrics, /segue_queue_depth\{queue="segue-train"\} 0\n/)
  })

  test('two jobs of one model run one at a time, and a third enqueue while one waits is not added', { timeout: 30_000 }, async (t) => {
    const s = await setup(t)
    await ensureRolloutSchema(s.pool)
    const release = await holdPublishing(s.url)
    await Promise.all([s.startWorker(), s.startWorker()])
    const a = await enqueueTraining(s.boss, ALS, FAST)
    await jobOf(s.url, a.id!, 'active')
    const b = await enqueueTraining(s.boss, ALS, FAST)
    assert.ok(b.added, 'the second job should wait in the queue')
    const c = await enqueueTraining(s.boss, ALS, FAST)
    assert.deepEqual(c, { id: b.id, added: false })
    // Both workers poll every 0.5 s: for 2 s the idle one must leave b alone while a runs.
    await new Promise((r) => setTimeout(r, 2_000))
    assert.equal((await jobOf(s.url, b.id!)).state, 'created')
    await release()
    const [ja, jb] = [await jobOf(s.url, a.id!, 'completed'), await jobOf(s.url, b.id!, 'completed')]
    // pg-boss stamps both times with PostgreSQL's now(), the start of each statement's transaction: b's fetch may
    // begin a few ms before a's completion commits and then wait for it on the stately index, so its start stamp can
    // precede a's end stamp by that wait (seen: 5 ms in CI). A real overlap would be a's whole run, seconds.
    const overlapMs = Date.parse(ja.completedOn!) - Date.parse(jb.startedOn!)
    assert.ok(overlapMs <= TRANSACTION_SKEW_MS, `b started ${jb.startedOn}, ${overlapMs} ms before a ended ${ja.completedOn}`)
    assert.equal((await activeModel(s.pool, 'als'))?.version, 2)
  })

  test('a job that throws is retried with growing delays, then fails with its error', { timeout: 30_000 }, async (t) => {
    const s = await setup(t)
    await s.startWorker()
    const r = await enqueueTraining(s.boss, { model: 'no-such-model', params: {} }, FAST)
    const failed = await jobOf(s.url, r.id!, 'failed')
    assert.equal(failed.attempts, 3)
    assert.match(JSON.stringify(failed.output), /no-such-model/)
    const starts = s.lines.filter((l) => l.line.includes(`job ${r.id}: training`)).map((l) => l.at)
    assert.equal(starts.length, 3)
    // Backoff with retryDelay 1: the first retry waits 1-2 s, the second 2-4 s (a fixed delay would wait 1 s each).
    assert.ok(starts[1] - starts[0] >= 1_000, `first retry after ${starts[1] - starts[0]} ms`)
    assert.ok(starts[2] - starts[1] >= 2_000, `second retry after ${starts[2] - starts[1]} ms`)
    assert.ok(s.lines.some((l) => l.line.includes('attempt 3 of 3; no retries left: failed')))
    assert.equal(await activeModel(s.pool, 'no-such-model').catch(() => null), null)
  })
}
