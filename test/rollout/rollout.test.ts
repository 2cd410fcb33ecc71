import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { Command } from 'commander'
import { registerModelsCommand } from '../../src/cli/models-command.js'
import { createApp } from '../../src/server/app.js'
import { ModelWatcher } from '../../src/rollout/watcher.js'
import { startRollout } from '../../src/rollout/serve.js'
import { MODELS_CHANNEL, activeModel, publishModel, rollbackModel, sha256Hex } from '../../src/rollout/versions.js'
import { SegueService } from '../../src/service/service.js'
import { PostgresStore } from '../../src/store/postgres.js'
import { startPgCluster } from '../helpers/pg-cluster.js'
import { client } from '../helpers/service.js'
import { makeWorld, trainedBytes, type World } from './fixture.js'

// Two servers (services in this process, each with its own home and watcher) on one PostgreSQL database.
// Versions are ALS models of one small listening world fitted with different parameters; "v2's answers" are
// those of a third server started from v2's artifact alone (SQLite, no rollout), so the check does not lean
// on the code under test. threads: 1 keeps every fit on the calling thread (tests run from source).
const P0 = { factors: 4, iterations: 3, threads: 1 }
const P1 = { factors: 6, iterations: 8, regularization: 0.1, threads: 1 }
const P2 = { factors: 8, iterations: 12, regularization: 0.01, threads: 1 }
/** How long every server may take to serve a newly published version (notification, load, swap). */
const SWAP_BOUND_MS = 10_000

type Answer = string[]

const cluster = await startPgCluster()
if ('skip' in cluster) {
  test('model rollout over PostgreSQL', { skip: cluster.skip }, () => {})
} else {
  after(() => cluster.stop())
  const world = makeWorld()
  let url: string
  let A: SegueService, B: SegueService
  let wA: ModelWatcher, wB: ModelWatcher
  let pool: pg.Pool
  let listenerId: string
  const v1 = await trainedBytes(world, P1)
  const v2 = await trainedBytes(world, P2)
  const answer = async (s: SegueService): Promise<Answer> =>
    (await s.recommendations(listenerId, { model: 'collaborative', n: 8, seeds: [] })).items.map((i) => `${i.track.id} ${i.score.toFixed(6)}`)

  before(async () => {
    url = await cluster.createDatabase('rollout')
    const start = () => SegueService.start({ home: home(), store: url, catalogue: world.catalogue, listening: world.listening, cfModel: { name: 'als', params: P0 } })
    A = await start()
    B = await start()
    pool = (A.store as PostgresStore).pool
    const heartbeatMs = 200
    ;[wA, wB] = await Promise.all([ModelWatcher.start(A, pool, { serverId: 'server-a', heartbeatMs }), ModelWatcher.start(B, (B.store as PostgresStore).pool, { serverId: 'server-b', heartbeatMs })])
    const { listener } = await A.createListener(null)
    listenerId = listener.id
    // The listener likes two tracks of one artist group: ALS answers with the rest of the group, then the other.
    await A.feedback(listenerId, world.trackId(0, 0), 'like')
    await A.feedback(listenerId, world.trackId(2, 1), 'play')
  })
  after(async () => {
    await Promise.all([wA?.close(), wB?.close()])
    await Promise.all([A?.close(), B?.close()])
  })

  test('publish v1 then v2: both servers serve each within the bound, and answer exactly as a server started from v2', { timeout: 60_000 }, async () => {
    const start = await answer(A)
    assert.equal(wA.current.version, null, 'before any publish a server serves the model it fitted at start')
    await publishModel(pool, 'als', v1, { note: 'v1' })
    await bothOn(1)
    const r1 = await answer(A)
    assert.notDeepEqual(r1, start, 'v1 (other parameters) must change the answer, or the test shows nothing')

    // v2 through the CLI, as an operator would.
    const file = join(mkdtempSync(join(tmpdir(), 'segue-rollout-file-')), 'als-v2.art')
    writeFileSync(file, v2)
    const t0 = performance.now()
    assert.match(await cli('models', 'publish', file, '--store', url), /published als v2/)
    await bothOn(2)
    console.log(`# both servers on v2 ${(performance.now() - t0).toFixed(0)} ms after publish returned`)
    const [a2, b2, reference] = await Promise.all([answer(A), answer(B), referenceAnswer(world, v2, P2, listenerId, A)])
    assert.notDeepEqual(a2, r1)
    assert.deepEqual(a2, reference, "server A's answer is not v2's")
    assert.deepEqual(b2, reference, "server B's answer is not v2's")
  })

  test('GET /api/models shows this server\'s version, the active one and every server\'s', { timeout: 30_000 }, async () => {
    const app = await createApp(A, { webRoot: null })
    try {
      const r = await client(app).get('/api/models')
      assert.equal(r.status, 200)
      assert.equal(r.body.rollout.serverId, 'server-a')
      assert.deepEqual(r.body.rollout.models.map((m: any) => [m.name, m.version, m.active, m.error]), [['als', 2, 2, null]])
      const servers = r.body.rollout.servers.map((s: any) => [s.serverId, s.name, s.version])
      assert.deepEqual(servers, [['server-a', 'als', 2], ['server-b', 'als', 2]])
      assert.ok(r.body.models.some((m: any) => m.name === 'collaborative'), 'the recommenders are still listed')
      const doc = await client(app).get('/api/openapi.json')
      assert.ok(doc.body.paths['/api/models'].get.responses['200'].content['application/json'].schema.properties.rollout, 'rollout is in the OpenAPI document')
    } finally {
      await app.close()
    }
  })

  test('rollback is one command; every request during the swap gets v2\'s or v1\'s whole answer', { timeout: 60_000 }, async () => {
    const before = await answer(A)
    // v1's answer, from the version itself: roll back, read, and forward again would test the same code, so
    // the reference server is started from v1's artifact.
    const r1 = await referenceAnswer(world, v1, P1, listenerId, A)
    const seen = new Map<string, number>()
    // Batches of 8 concurrent requests until two batches begun after A's swap have finished.
    let after = 0
    const load = (async () => {
      while (after < 2) {
        const swapped = wA.current.version === 1
        const answers = await Promise.all(Array.from({ length: 8 }, () => answer(A)))
        for (const a of answers) seen.set(JSON.stringify(a), (seen.get(JSON.stringify(a)) ?? 0) + 1)
        if (swapped) after++
      }
    })()
    await cli('models', 'rollback', 'als', '--store', url)
    await bothOn(1)
    await load
    const kinds = [...seen.keys()].map((k) => JSON.parse(k) as Answer)
    assert.ok(kinds.every((k) => sameAnswer(k, before) || sameAnswer(k, r1)), `an answer was neither v2's nor v1's: ${JSON.stringify(kinds)}`)
    assert.ok(kinds.some((k) => sameAnswer(k, before)) && kinds.some((k) => sameAnswer(k, r1)), 'the requests did not span the swap')
    assert.deepEqual(await answer(B), r1)
    assert.equal((await activeModel(pool, 'als'))!.version, 1)
    console.log(`# ${[...seen.values()].reduce((a, b) => a + b, 0)} requests during the rollback, all answered`)
  })

  test('a damaged version (sha256 differs from the one published) is refused; servers keep serving the old one', { timeout: 30_000 }, async () => {
    const r1 = await answer(A)
    const damaged = Buffer.from(v2)
    damaged[Math.floor(damaged.length / 2)] ^= 0xff
    // As if the row rotted after it was published: the bytes no longer match the recorded checksum.
    await inTransaction(pool, async (c) => {
      await c.query("INSERT INTO model_versions (name, version, sha256, bytes, meta, published_by) VALUES ('als', 3, $1, $2, '{}', 'test')", [sha256Hex(v2), damaged])
      await c.query("UPDATE model_active SET version = 3 WHERE name = 'als'")
      await c.query('SELECT pg_notify($1, $2)', [MODELS_CHANNEL, JSON.stringify({ name: 'als', version: 3 })])
    })
    await waitFor(() => wA.current.error !== null && wB.current.error !== null, 'both servers to refuse v3')
    for (const w of [wA, wB]) {
      assert.equal(w.current.version, 1)
      assert.match(w.current.error!, /sha256/)
    }
    assert.deepEqual(await answer(A), r1)
    assert.deepEqual(await answer(B), r1)
    // Rolling back from the damaged version lands on v2, which loads.
    assert.equal(await rollbackModel(pool, 'als'), 2)
    await bothOn(2)
    assert.equal(wA.current.error, null)
  })

  test('a version trained on other listening data is refused; servers keep serving the one they have', { timeout: 30_000 }, async () => {
    const before = await answer(A)
    const other = await trainedBytes(makeWorld(50), P2)
    const version = await publishModel(pool, 'als', other, { note: 'other data' })
    await waitFor(() => /other listening data/.test(wA.current.error ?? '') && /other listening data/.test(wB.current.error ?? ''), 'both servers to refuse it')
    assert.equal(wA.current.version, 2)
    assert.deepEqual(await answer(A), before)
    // The version before it is the damaged one: rollback passes over it to v2, which the servers serve.
    assert.equal(await rollbackModel(pool, 'als'), 2)
    await bothOn(2)
    await waitFor(() => wA.current.error === null, 'server A to clear its error')
  })

  test('a server whose LISTEN connection is cut reconnects, and one started late catches up on start', { timeout: 30_000 }, async () => {
    const { rows } = await pool.query(`SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE query = 'LISTEN ${MODELS_CHANNEL}'`)
    assert.equal(rows.length, 2, 'both servers LISTEN on a connection of their own')
    await wB.close()
    const v = await publishModel(pool, 'als', v1, { note: 'v1 again' })
    await waitFor(() => wA.current.version === v, `server A to reconnect and load v${v}`)
    // B was not following while v4 was published; a watcher started now serves it before start resolves.
    wB = await ModelWatcher.start(B, (B.store as PostgresStore).pool, { serverId: 'server-b', heartbeatMs: 200 })
    assert.equal(wB.current.version, v)
  })

  test('a server that never trains (training: worker) serves content only until the active version loads at start', { timeout: 30_000 }, async () => {
    const C = await SegueService.start({ home: home(), store: url, catalogue: world.catalogue, listening: world.listening, cfModel: { name: 'als', params: P0 }, training: 'worker' })
    let w: ModelWatcher | undefined
    try {
      assert.equal(C.collaborative, null)
      assert.deepEqual(C.models().models.map((m) => m.name), ['content'])
      w = await ModelWatcher.start(C, (C.store as PostgresStore).pool, { serverId: 'server-c' })
      assert.equal(w.current.version, wA.current.version)
      assert.deepEqual(await answer(C), await answer(A), 'the worker-trained server answers as the others do')
    } finally {
      await w?.close()
      await C.close()
    }
  })

  test('on SQLite the models commands refuse, naming --store postgres://, and a server does not follow versions', { timeout: 30_000 }, async () => {
    const file = join(home(), 'segue.db')
    await assert.rejects(cli('models', 'list', '--store', file), (err: any) => err.code === 'E_BAD_ARGUMENT' && /needs --store postgres:\/\//.test(err.message))
    await assert.rejects(cli('models', 'rollback', 'als'), (err: any) => err.code === 'E_BAD_ARGUMENT')
    const s = await SegueService.start({ home: home(), catalogue: world.catalogue, listening: world.listening, cfModel: { name: 'als', params: P0 } })
    try {
      assert.equal(await startRollout(s, () => {}), null)
      const app = await createApp(s, { webRoot: null })
      assert.equal((await client(app).get('/api/models')).body.rollout, null)
      await app.close()
    } finally {
      await s.close()
    }
  })

  async function bothOn(version: number): Promise<void> {
    await waitFor(() => wA.current.version === version && wB.current.version === version, `both servers to serve v${version}`)
  }
}

function sameAnswer(a: Answer, b: Answer): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

/** The answer of a server started from `bytes` alone: its saved model file, on SQLite, with no rollout. */
async function referenceAnswer(world: World, bytes: Buffer, params: Record<string, unknown>, listenerId: string, from: SegueService): Promise<Answer> {
  const h = home()
  mkdirSync(join(h, 'models'), { recursive: true })
  writeFileSync(join(h, 'models', 'als-service.art'), bytes)
  const s = await SegueService.start({ home: h, catalogue: world.catalogue, listening: world.listening, cfModel: { name: 'als', params } })
  try {
    assert.equal(s.collaborative!.origin, 'loaded', 'the reference server must load the artifact, not fit its own')
    const { listener } = await s.createListener(null)
    for (const e of await from.history(listenerId, 100)) await s.feedback(listener.id, e.trackId, e.kind)
    return (await s.recommendations(listener.id, { model: 'collaborative', n: 8, seeds: [] })).items.map((i) => `${i.track.id} ${i.score.toFixed(6)}`)
  } finally {
    await s.close()
  }
}

/** `segue models ...` as main.ts registers it (main.ts itself runs on import); output is kept, not printed. */
async function cli(...args: string[]): Promise<string> {
  const program = new Command('segue').option('--json').option('--no-progress').exitOverride()
  let out = ''
  registerModelsCommand(program, () => program.opts(), (_g, _data, text) => {
    out += text() + '\n'
  })
  await program.parseAsync(['node', 'segue', ...args])
  return out
}

async function waitFor(ok: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + SWAP_BOUND_MS
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${SWAP_BOUND_MS} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

async function inTransaction(pool: pg.Pool, work: (c: pg.PoolClient) => Promise<void>): Promise<void> {
  const c = await pool.connect()
  try {
    await c.query('BEGIN')
    await work(c)
    await c.query('COMMIT')
  } finally {
    c.release()
  }
}

function home(): string {
  return mkdtempSync(join(tmpdir(), 'segue-rollout-'))
}
