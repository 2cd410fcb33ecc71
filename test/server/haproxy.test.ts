import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { driveLoad, startHaproxy, type LoadListener, type RequestRecord } from '../helpers/haproxy.js'
import { fixturesDir } from '../helpers/paths.js'
import { startPgCluster } from '../helpers/pg-cluster.js'
import { startServer, type ServerProcess } from '../helpers/server-process.js'

// deploy/haproxy/haproxy.cfg over three `segue serve` processes on one PostgreSQL; one is killed (SIGKILL)
// under load. Uses dist/ (npx tsc -p tsconfig.json first).
const CATALOGUE = join(fixturesDir, 'engine', 'catalogue.csv')
const TRACKS = ['seed0000000000000000001', 'alpha000000000000000002', 'close000000000000000003', 'rock0000000000000000005', 'middle00000000000000006']
const LISTENERS = 9
/** Load before the kill (all three serve) and after it (the two left serve; the dead one is marked down). */
const BEFORE_KILL_MS = 1_500
const AFTER_KILL_MS = 3_000

const cluster = await startPgCluster()

if ('skip' in cluster) {
  test('haproxy over three servers', { skip: cluster.skip }, () => {})
} else {
  after(() => cluster.stop())

  test('three servers behind haproxy: killing one under load fails only the requests in flight to it', { timeout: 120_000 }, async (t) => {
    const dbUrl = await cluster.createDatabase('front')
    const args = ['--store', dbUrl, '--catalogue', CATALOGUE, '--no-collaborative', '--trust-proxy', '127.0.0.1']
    const home = () => mkdtempSync(join(tmpdir(), 'segue-front-'))
    // Started together: the catalogue import is serialised in the store, so one of them imports it.
    const servers: ServerProcess[] = await Promise.all([startServer(home(), args), startServer(home(), args), startServer(home(), args)])
    const front = await startHaproxy(servers.map((s) => new URL(s.url).host))
    try {
      if ('skip' in front) return t.skip(front.skip)
      const listeners = await createListeners(front.url, LISTENERS)
      const stop = new AbortController()
      const load = driveLoad(front.url, listeners, TRACKS, stop.signal)
      await sleep(BEFORE_KILL_MS)
      // The process takes a moment to die after SIGKILL (its threads and memory are torn down first); until it
      // has, the kernel still accepts connections for it, so a request sent then is in flight to it too.
      const died = new Promise<number>((resolve) => servers[1].child.once('exit', () => resolve(performance.now())))
      const killAt = performance.now()
      servers[1].child.kill('SIGKILL')
      const diedAt = await died
      await sleep(AFTER_KILL_MS)
      stop.abort()
      const records = await load
      const dying = (r: RequestRecord) => r.start <= diedAt && r.end >= killAt
      const report = { ...summarise(records, dying), dyingMs: Math.round(diedAt - killAt) }
      t.diagnostic(JSON.stringify(report))
      const failedAtFront = front.output().split('\n').filter((l) => / 50[234] /.test(l))
      for (const line of failedAtFront) t.diagnostic(line)

      const failed = records.filter((r) => r.status < 200 || r.status >= 300)
      assert.ok(failed.every(dying), `every failed request was under way while the server died: ${JSON.stringify(failed.filter((r) => !dying(r)).slice(0, 3))}`)
      assert.ok(failed.length <= report.inFlightWhileDying, 'no more failures than requests in flight then')
      assert.ok(failedAtFront.every((l) => l.includes('segue_servers/s2 ')), 'haproxy logged every failure as a request sent to the killed server')
      assert.equal(failedAtFront.length, failed.length, 'each failure the clients saw is one haproxy sent to the killed server')
      const before = records.filter((r) => r.end < killAt)
      assert.deepEqual(new Set(before.map((r) => r.server)), new Set(['s1', 's2', 's3']), 'before the kill all three served')
      const after = records.filter((r) => r.start > diedAt)
      assert.ok(after.length >= 50, `the two servers left kept serving: ${after.length} requests after the kill`)
      assert.ok(after.every((r) => r.status >= 200 && r.status < 300), 'every request sent after the server was gone succeeded (the refused ones were redispatched)')
      assert.deepEqual(new Set(after.map((r) => r.server)), new Set(['s1', 's3']), 'after the kill only the two servers left answer')

      const acked = records.flatMap((r) => (r.ack ? [r.ack] : []))
      assert.ok(acked.length > 0)
      assert.equal(await storedOf(dbUrl, acked.map((a) => a.seq)), acked.length, 'every acknowledged event is in the store')
    } finally {
      if (!('skip' in front)) await front.stop()
      await Promise.all(servers.map((s) => s.stop()))
    }
  })
}

async function createListeners(url: string, n: number): Promise<LoadListener[]> {
  const made: LoadListener[] = []
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${url}/api/listeners`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    const body = (await res.json()) as { listener: { id: string }; token: string }
    assert.equal(res.status, 201, JSON.stringify(body))
    made.push({ id: body.listener.id, token: body.token })
  }
  return made
}

/** How many of `seqs` the feedback table holds. */
async function storedOf(dbUrl: string, seqs: number[]): Promise<number> {
  const c = new pg.Client({ connectionString: dbUrl })
  await c.connect()
  try {
    return (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM feedback WHERE seq = ANY($1::bigint[])', [seqs])).rows[0].n
  } finally {
    await c.end()
  }
}

function summarise(records: RequestRecord[], dying: (r: RequestRecord) => boolean) {
  const byServer: Record<string, number> = {}
  for (const r of records) byServer[r.server ?? 'none'] = (byServer[r.server ?? 'none'] ?? 0) + 1
  const failed = records.filter((r) => r.status < 200 || r.status >= 300)
  return {
    requests: records.length,
    byServer,
    inFlightWhileDying: records.filter(dying).length,
    failed: failed.length,
    failedStatuses: failed.map((r) => r.status),
    acknowledgedWrites: records.filter((r) => r.ack).length,
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}
