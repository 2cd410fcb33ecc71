import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { listJobs } from '../../src/jobs/queue.js'
import { activeModel, ensureRolloutSchema } from '../../src/rollout/versions.js'
import { HAPROXY, driveLoad, startHaproxy, type LoadListener, type RequestRecord } from '../helpers/haproxy.js'
import { fixturesDir, repoRoot } from '../helpers/paths.js'
import { startPgCluster } from '../helpers/pg-cluster.js'
import { startPgReplica } from '../helpers/pg-replica.js'
import { startServer, type ServerProcess } from '../helpers/server-process.js'
import { holdPublishing, waitFor, writeListens } from '../jobs/helpers.js'

// Issue 13's "done when": PostgreSQL primary + streaming replica, three servers behind haproxy and a training
// worker; listeners driven through the front; a model trained by the worker and published mid-run; one server
// and the worker killed (SIGKILL) mid-job. Then: no acknowledged event lost, limits held across the servers,
// every server on the new model version, the interrupted job finished by a restarted worker.
// Uses dist/ (npx tsc -p tsconfig.json first). About 60 s on a quiet 2-core machine: eleven processes.

const CLI = join(repoRoot, 'dist', 'src', 'cli', 'main.js')
const CATALOGUE = join(fixturesDir, 'engine', 'catalogue.csv')
const TRACKS = ['seed0000000000000000001', 'alpha000000000000000002', 'close000000000000000003', 'rock0000000000000000005', 'middle00000000000000006']
/** The default per-address creation budget (DEFAULT_RATE_LIMIT.creates per minute). */
const CREATES_PER_WINDOW = 30
const WINDOW_MS = 60_000
const LOAD_LISTENERS = 9
const JOB = ['--model', 'als', '--param', 'factors=8', '--param', 'iterations=3', '--param', 'threads=1']

const cluster = await startPgCluster()
const skip = 'skip' in cluster ? cluster.skip : !existsSync(HAPROXY) ? `${HAPROXY} not found (Debian package haproxy)` : !existsSync(CLI) ? `${CLI} not built (npx tsc -p tsconfig.json)` : null

if (skip !== null || 'skip' in cluster) {
  test('scale-out: replicas, three servers behind haproxy, a worker, kills', { skip: skip ?? true }, () => {})
} else {
  after(() => cluster.stop())

  test('scale-out: nothing acknowledged lost, limits shared, every server on the published version, the killed worker\'s job finished', { timeout: 180_000 }, async (t) => {
    const dbUrl = await cluster.createDatabase('scale')
    const replica = await startPgReplica(cluster)
    if ('skip' in replica) return t.skip(replica.skip)
    t.after(() => replica.stop())
    const work = mkdtempSync(join(tmpdir(), 'segue-scale-'))
    const listening = writeListens(work)
    const pool = new pg.Pool({ connectionString: dbUrl })
    t.after(() => pool.end())
    await ensureRolloutSchema(pool)

    const serveArgs = ['--store', dbUrl, '--store-replica', replica.url('scale'), '--catalogue', CATALOGUE, '--listening', listening, '--training', 'worker', '--trust-proxy', '127.0.0.1', '--log-level', 'warn']
    const home = () => mkdtempSync(join(work, 'home-'))
    const servers: ServerProcess[] = await Promise.all([0, 1, 2].map(() => startServer(home(), serveArgs)))
    t.after(() => Promise.all(servers.map((s) => s.stop())).then(() => undefined))
    const front = await startHaproxy(servers.map((s) => new URL(s.url).host))
    if ('skip' in front) return t.skip(front.skip)
    t.after(() => front.stop())
    let worker = startWorker(home(), dbUrl, listening)
    t.after(() => worker.child.kill('SIGKILL'))
    await waitFor('the worker', async () => worker.err().includes('waiting for jobs'))

    // Limits across servers: listener creations per address, through the front (round-robin over three servers).
    await awayFromWindowTurn()
    const created = await createUntilRefused(front.url, CREATES_PER_WINDOW + 3)
    assert.equal(created.length, CREATES_PER_WINDOW, `the ${CREATES_PER_WINDOW + 1}st creation is refused, whichever server counts it`)
    const listeners = created.slice(0, LOAD_LISTENERS)

    // Load; mid-run a job is enqueued and held at publishing, then the worker and server s2 are killed.
    const stop = new AbortController()
    const load = driveLoad(front.url, listeners, TRACKS, stop.signal)
    await sleep(1_000)
    let release = await holdPublishing(dbUrl)
    const job = cli(['jobs', 'enqueue', '--store', dbUrl, ...JOB, '--expire-in', '3', '--retry-delay', '1']) as { id: string; added: boolean }
    assert.ok(job.added)
    await waitFor('the job to start', async () => worker.err().includes(`job ${job.id}: training als`))
    const died = new Promise<number>((resolve) => servers[1].child.once('exit', () => resolve(performance.now())))
    const killAt = performance.now()
    worker.child.kill('SIGKILL')
    servers[1].child.kill('SIGKILL')
    const diedAt = await died
    await worker.exited
    await release()
    release = async () => {}
    worker = startWorker(home(), dbUrl, listening)
    const done = await waitFor('the interrupted job to finish', async () => (await listJobs(dbUrl)).find((j) => j.id === job.id && j.state === 'completed'), 40_000)
    const published = (await activeModel(pool, 'als'))?.version
    // The killed server comes back on its port (haproxy's checks bring it back into rotation).
    servers[1] = await startServer(home(), [...serveArgs, '--port', new URL(servers[1].url).port])
    const versions = await waitFor('every server on the published version', async () => {
      const v = await Promise.all(servers.map((s) => servedVersion(s.url)))
      return v.every((x) => x === published) ? v : null
    }, 30_000)
    await sleep(1_000)
    stop.abort()
    const records = await load

    const dying = (r: RequestRecord) => r.start <= diedAt && r.end >= killAt
    const failed = records.filter((r) => r.status < 200 || r.status >= 300)
    const acked = records.flatMap((r) => (r.ack ? [r.ack] : []))
    t.diagnostic(JSON.stringify({ requests: records.length, failed: failed.map((r) => r.status), inFlightWhileDying: records.filter(dying).length, acked: acked.length, job: { attempts: done.attempts }, published, versions }))
    assert.equal(done.attempts, 2, 'the job the killed worker held was run again, by the restarted worker')
    assert.equal(published, 1)
    assert.match(worker.err(), new RegExp(`job ${job.id}: training als .*\\(attempt 2 of`))
    assert.ok(failed.every(dying), `only requests in flight to the killed server failed: ${JSON.stringify(failed.filter((r) => !dying(r)).slice(0, 3))}`)
    assert.ok(acked.length > 0)
    assert.equal(await countSeqs(pool, acked.map((a) => a.seq)), acked.length, 'every acknowledged event is in the store')
    assert.ok(records.some((r) => r.kind === 'recommendations' && r.status === 200 && r.start > diedAt), 'recommendations kept being served')
  })
}

function startWorker(home: string, url: string, listening: string): { child: ChildProcess; err: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI, '--no-progress', '--home', home, 'worker', '--store', url, '--listening', listening, '--reclaim-every', '1', '--poll', '1'], { stdio: ['ignore', 'ignore', 'pipe'] })
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

/** The model version a server says it serves (GET /api/models, straight to the server). */
async function servedVersion(url: string): Promise<number | null> {
  try {
    const res = await fetch(`${url}/api/models`)
    const body = (await res.json()) as { rollout: { models: { version: number | null }[] } | null }
    return body.rollout?.models[0]?.version ?? null
  } catch {
    return null
  }
}

/** Creates listeners through the front until one is refused (or `max`); the ones created. */
async function createUntilRefused(url: string, max: number): Promise<LoadListener[]> {
  const made: LoadListener[] = []
  for (let i = 0; i < max; i++) {
    const res = await fetch(`${url}/api/listeners`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    const body = (await res.json()) as { listener: { id: string }; token: string }
    if (res.status === 429) return made
    assert.equal(res.status, 201, JSON.stringify(body))
    made.push({ id: body.listener.id, token: body.token })
  }
  return made
}

/** Waits while the (minute-aligned) rate-limit window is about to turn, so a burst of requests stays in one. */
async function awayFromWindowTurn(marginMs = 8_000): Promise<void> {
  const left = WINDOW_MS - (Date.now() % WINDOW_MS)
  if (left < marginMs) await sleep(left + 100)
}

async function countSeqs(pool: pg.Pool, seqs: number[]): Promise<number> {
  return (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM feedback WHERE seq = ANY($1::bigint[])', [seqs])).rows[0].n
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}
