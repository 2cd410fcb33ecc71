import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { createApp } from '../../src/server/app.js'
import { PgWindowCounter } from '../../src/server/limits-pg.js'
import { SegueService } from '../../src/service/service.js'
import { fixturesDir } from '../helpers/paths.js'
import { startPgCluster } from '../helpers/pg-cluster.js'
import { client } from '../helpers/service.js'

// Three servers over one PostgreSQL database share one budget per listener and per address.
const cluster = await startPgCluster()
const CATALOGUE = join(fixturesDir, 'engine', 'catalogue.csv')
const SEED = 'seed0000000000000000001'
/**
 * Windows are aligned to the database clock, so a run that straddles a window's turn would see counts start
 * again; an hour-long window makes that a 1-in-1000 chance for a test of a few seconds.
 */
const LIMITS = { writes: 5, creates: 4, authFailures: 3, windowMs: 3_600_000 }

if ('skip' in cluster) {
  test('rate limits shared in PostgreSQL', { skip: cluster.skip }, () => {})
} else {
  after(() => cluster.stop())

  test('three servers on one PostgreSQL give the limits of one: 429 at the same count, whichever server is asked', { timeout: 60_000 }, async () => {
    const url = await cluster.createDatabase('limits')
    const services: SegueService[] = []
    for (let i = 0; i < 3; i++) {
      services.push(await SegueService.start({ home: mkdtempSync(join(tmpdir(), 'segue-limits-')), store: url, catalogue: CATALOGUE, listening: null }))
    }
    const apps = await Promise.all(services.map((s) => createApp(s, { webRoot: null, rateLimit: LIMITS })))
    const servers = apps.map(client)
    const next = (i: number) => servers[i % servers.length]
    try {
      // Listener creations per address (the @fastify/rate-limit route limit, through its PostgreSQL store).
      const created: number[] = []
      for (let i = 0; i < LIMITS.creates + 2; i++) created.push((await next(i).post('/api/listeners', {})).status)
      assert.deepEqual(created, [201, 201, 201, 201, 429, 429], 'the fifth creation is refused on whichever server it lands')

      assert.equal((await servers[0].post('/api/listeners', {})).status, 429, 'still refused: the address used its creations on the three servers together')

      // Writes per listener, spread over the three servers (the listener is made through the service: the
      // address has no creations left).
      const me = await createListenerDirect(services[0])
      const writes: number[] = []
      for (let i = 0; i < LIMITS.writes + 2; i++) {
        writes.push((await next(i).post(`/api/listeners/${me.id}/feedback`, { trackId: SEED, kind: 'play' }, me.token)).status)
      }
      assert.deepEqual(writes, [201, 201, 201, 201, 201, 429, 429], 'the sixth write is refused: five per listener across all servers')
      const refused = await servers[2].post(`/api/listeners/${me.id}/feedback`, { trackId: SEED, kind: 'play' }, me.token)
      assert.ok(Number(refused.headers['retry-after']) >= 1, 'a refusal says when to retry')
      assert.equal(refused.body.error.code, 'E_RATE_LIMITED')

      // Failed authentications per address: the fourth attempt is refused before any token is looked at.
      const guesses: number[] = []
      for (let i = 0; i < LIMITS.authFailures + 2; i++) guesses.push((await next(i).get(`/api/listeners/${me.id}`, `wrong-${i}`)).status)
      assert.deepEqual(guesses, [403, 403, 403, 429, 429])
      assert.equal((await servers[1].get(`/api/listeners/${me.id}`, me.token)).status, 429, 'even the right token waits once the address is blocked')
    } finally {
      for (const app of apps) await app.close()
      for (const s of services) await s.close()
    }
  })

  test('behind a trusted proxy each client has its own budget; a client cannot pick its address with X-Forwarded-For', { timeout: 30_000 }, async () => {
    const url = await cluster.createDatabase('proxied')
    const service = await SegueService.start({ home: mkdtempSync(join(tmpdir(), 'segue-limits-')), store: url, catalogue: CATALOGUE, listening: null })
    const app = await createApp(service, { webRoot: null, rateLimit: { ...LIMITS, creates: 2 }, trustProxy: '10.0.0.1' })
    const create = async (from: string, forwardedFor: string) =>
      (await app.inject({ method: 'POST', url: '/api/listeners', remoteAddress: from, headers: { 'x-forwarded-for': forwardedFor, 'content-type': 'application/json' }, payload: '{}' })).statusCode
    try {
      assert.deepEqual([await create('10.0.0.1', '203.0.113.5'), await create('10.0.0.1', '203.0.113.5'), await create('10.0.0.1', '203.0.113.5')], [201, 201, 429])
      assert.equal(await create('10.0.0.1', '203.0.113.6'), 201, 'another client behind the same proxy has its own budget')
      const direct = [await create('198.51.100.7', '203.0.113.7'), await create('198.51.100.7', '203.0.113.8'), await create('198.51.100.7', '203.0.113.9')]
      assert.deepEqual(direct, [201, 201, 429], 'a client that is not the proxy counts under its own address whatever it forwards')
    } finally {
      await app.close()
      await service.close()
    }
  })

  test('a PostgreSQL counter starts again when its window turns and sweeps the windows that are over', { timeout: 30_000 }, async () => {
    const pool = new pg.Pool({ connectionString: await cluster.createDatabase('counter') })
    try {
      const counter = new PgWindowCounter(pool, 'test', 1000)
      await waitForWindowStart(1000)
      assert.equal((await counter.hit('a')).count, 1)
      assert.equal((await counter.hit('a')).count, 2)
      assert.equal((await counter.count('a')).count, 2)
      assert.equal((await counter.count('b')).count, 0)
      await new Promise((r) => setTimeout(r, 1100))
      assert.equal((await counter.count('a')).count, 0, 'a new window: the count starts again')
      assert.equal((await counter.hit('a')).count, 1)
      await new Promise((r) => setTimeout(r, 200)) // the sweep runs after the hit answers
      const { rows } = await pool.query<{ windows: number }>("SELECT count(DISTINCT win)::int AS windows FROM segue_rate_counts WHERE scope = 'test'")
      assert.equal(rows[0].windows, 1, 'the first hit of a window deleted the rows of the windows before it')
    } finally {
      await pool.end()
    }
  })
}

/** A listener made through the service (the address's creation budget is spent). */
async function createListenerDirect(service: SegueService): Promise<{ id: string; token: string }> {
  const { listener, token } = await service.createListener('writer')
  return { id: listener.id, token }
}

/** Waits until a window has just turned (by this machine's clock, which is the database's here). */
async function waitForWindowStart(windowMs: number): Promise<void> {
  const wait = windowMs - (Date.now() % windowMs) + 20
  await new Promise((r) => setTimeout(r, wait))
}
