import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { listJobs, type JobRow } from '../../src/jobs/queue.js'
import { activeModel, ensureRolloutSchema } from '../../src/rollout/versions.js'
import { repoRoot } from '../helpers/paths.js'
import { startPgCluster } from '../helpers/pg-cluster.js'
import { holdPublishing, waitFor, writeListens } from './helpers.js'

// `segue worker` as a process (dist/): killed with SIGKILL in the middle of a job, the job is finished by the
// next worker once its short expireInSeconds has passed; Ctrl-C lets the current job finish, then exits 0;
// SIGTERM abandons the current job at once, leaving it to be retried.

const CLI = join(repoRoot, 'dist', 'src', 'cli', 'main.js')
const PARAMS = ['--model', 'als', '--param', 'factors=8', '--param', 'iterations=3']
const cluster = await startPgCluster()

/** A worker process and everything it wrote to stderr so far. */
function startWorker(home: string, url: string, listening: string, extra: string[] = []): { child: ChildProcess; err: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI, '--no-progress', '--home', home, 'worker', '--store', url, '--listening', listening, '--reclaim-every', '1', '--poll', '1', ...extra], { stdio: ['ignore', 'ignore', 'pipe'] })
  let text = ''
  child.stderr!.on('data', (d) => (text += d))
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
  return { child, err: () => text, exited }
}

function cli(args: string[]): unknown {
  const r = spawnSync(process.execPath, [CLI, '--json', ...args], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  return JSON.parse(r.stdout)
}

function jobState(url: string, id: string, state: JobRow['state']): Promise<JobRow> {
  return waitFor(`job ${id} to be ${state}`, async () => (await listJobs(url)).find((j) => j.id === id && j.state === state))
}

if ('skip' in cluster) {
  test('worker restart', { skip: cluster.skip }, () => {})
} else {
  after(() => cluster.stop())

  test('a job whose worker was killed is finished by the next worker; Ctrl-C finishes the current job, SIGTERM abandons it to a retry', { timeout: 60_000 }, async (t) => {
    const url = await cluster.createDatabase('restart')
    const home = mkdtempSync(join(tmpdir(), 'segue-restart-'))
    const listening = writeListens(home)
    const pool = new pg.Pool({ connectionString: url })
    t.after(() => pool.end())
    await ensureRolloutSchema(pool)

    const first = startWorker(home, url, listening)
    t.after(() => first.child.kill('SIGKILL'))
    await waitFor('the first worker', async () => first.err().includes('waiting for jobs'))
    let release = await holdPublishing(url)
    const job = cli(['jobs', 'enqueue', '--store', url, ...PARAMS, '--expire-in', '3', '--retry-delay', '1']) as { id: string; added: boolean }
    assert.ok(job.added)
    await waitFor('the job to start', async () => first.err().includes(`job ${job.id}: training als`))
    first.child.kill('SIGKILL')
    await first.exited
    await release()
    assert.equal((await listJobs(url))[0].state, 'active', 'the killed worker left its job active')

    const second = startWorker(home, url, listening, ['--metrics-port', '0'])
    t.after(() => second.child.kill('SIGKILL'))
    const done = await jobState(url, job.id, 'completed')
    assert.equal(done.attempts, 2)
    assert.equal((await activeModel(pool, 'als'))?.version, 1)
    assert.match(second.err(), new RegExp(`job ${job.id}: training als .*\\(attempt 2 of 4\\)`))
    // The worker's own /metrics: the fit it ran, and the queue (empty now).
    const metricsUrl = /metrics at (\S+)/.exec(second.err())![1]
    const metrics = await (await fetch(metricsUrl)).text()
    assert.match(metrics, /segue_training_duration_seconds_count\{name="als"\} 1\n/)
    assert.match(metrics, /segue_queue_depth\{queue="segue-train"\} 0\n/)

    // Ctrl-C in the middle of a job: the worker says so, finishes it, and exits cleanly.
    release = await holdPublishing(url)
    const next = cli(['train', '--enqueue', '--store', url, ...PARAMS]) as { id: string; added: boolean }
    await waitFor('the second job to start', async () => second.err().includes(`job ${next.id}: training als`))
    second.child.kill('SIGINT')
    await waitFor('the worker to say it stops after the job', async () => second.err().includes('stopping after the current job'))
    await release()
    assert.equal(await second.exited, 0, second.err())
    assert.equal((await jobState(url, next.id, 'completed')).attempts, 1)
    assert.equal((await activeModel(pool, 'als'))?.version, 2)
    assert.match(second.err(), /worker stopped/)
    const listed = cli(['jobs', 'list', '--store', url]) as JobRow[]
    assert.deepEqual(listed.map((j) => [j.id, j.state, j.attempts]), [[next.id, 'completed', 1], [job.id, 'completed', 2]])
    assert.ok(listed.every((j) => j.seconds !== null && j.seconds >= 0))

    // SIGTERM (or a second Ctrl-C) mid-job: the job is abandoned at once, left to be retried, and the worker exits 0.
    const third = startWorker(home, url, listening)
    t.after(() => third.child.kill('SIGKILL'))
    release = await holdPublishing(url)
    const last = cli(['train', '--enqueue', '--store', url, ...PARAMS]) as { id: string }
    await waitFor('the third job to start', async () => third.err().includes(`job ${last.id}: training als`))
    third.child.kill('SIGTERM')
    assert.equal(await third.exited, 0, third.err())
    await release()
    assert.match(third.err(), /the current job is abandoned and will be retried/)
    const retried = await jobState(url, last.id, 'retry')
    assert.equal(retried.attempts, 1)
    assert.equal((await activeModel(pool, 'als'))?.version, 2)
  })
}
