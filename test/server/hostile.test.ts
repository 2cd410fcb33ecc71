import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { ERROR_CODES } from '../../src/core/errors.js'
import { createApp } from '../../src/server/app.js'
import { listen } from '../../src/server/listen.js'
import { SegueService } from '../../src/service/service.js'
import { fixturesDir } from '../helpers/paths.js'
import { client } from '../helpers/service.js'

// Hostile input over the small fixture catalogue (9 tracks, SQLite, no listening data): control characters,
// bogus tokens in bulk, requests node's parser refuses, probing for ids, and what the headers promise.
const SEED = 'seed0000000000000000001'
let home: string
let service: SegueService
let app: FastifyInstance
let api: ReturnType<typeof client>

before(async () => {
  home = mkdtempSync(join(tmpdir(), 'segue-hostile-'))
  service = await SegueService.start({ home, catalogue: join(fixturesDir, 'engine', 'catalogue.csv'), listening: null })
  app = await createApp(service, { webRoot: null })
  api = client(app)
})

after(async () => {
  await app?.close()
  await service?.close()
})

/** Asserts `body` is exactly the documented error shape, with a code from the catalogue. */
function assertErrorShape(body: unknown, what: string): void {
  const b = body as { error?: { code?: string; message?: string; path?: string } }
  assert.deepEqual(Object.keys(b), ['error'], `${what}: only "error" at the top: ${JSON.stringify(body)}`)
  assert.ok(b.error!.code! in ERROR_CODES, `${what}: a catalogue code, got ${b.error!.code}`)
  assert.equal(typeof b.error!.message, 'string', what)
  for (const k of Object.keys(b.error!)) assert.ok(['code', 'message', 'path'].includes(k), `${what}: unexpected field ${k}`)
}

describe('control characters are refused at the schema edge', () => {
  test('NUL, other C0, DEL and C1 characters in every string field are 400 with the field path', async () => {
    const me = await api.listener()
    const cases: [string, Promise<{ status: number; body: any }>, string][] = [
      ['listener id', api.get('/api/listeners/ab%00cd', me.token), 'params.id'],
      ['track id', api.get('/api/tracks/ab%01cd'), 'params.id'],
      ['similar seed', api.get('/api/tracks/ab%7Fcd/similar'), 'params.id'],
      ['search query', api.get('/api/search?q=hello%00'), 'querystring.q'],
      ['seeds', api.get(`/api/listeners/${me.id}/recommendations?seeds=${SEED},x%00y`, me.token), 'querystring.seeds'],
      ['name', api.post('/api/listeners', { name: 'Ada\u0000Lovelace' }), 'body.name'],
      ['feedback track', api.post(`/api/listeners/${me.id}/feedback`, { trackId: 'a\u0007b', kind: 'like' }, me.token), 'body.trackId'],
      ['playlist seed', api.post('/api/playlists', { seeds: [SEED, 'x\u009fy'] }), 'body.seeds.1'],
    ]
    for (const [what, answer, path] of cases) {
      const r = await answer
      assert.equal(r.status, 400, `${what}: ${JSON.stringify(r.body)}`)
      assert.equal(r.body.error.code, 'E_VALIDATION', what)
      assert.ok(r.body.error.path.startsWith(path), `${what}: path ${r.body.error.path}`)
      assert.match(r.body.error.message, /control characters/, what)
    }
    const ok = await api.post('/api/listeners', { name: 'Zoë – “ünïcode” ♫' })
    assert.equal(ok.status, 201, 'printable Unicode is fine')
  })
})

describe('store errors carry no location', () => {
  test('a failing SQLite store answers 503 E_STORE without the file path or the home', async () => {
    const own = mkdtempSync(join(tmpdir(), 'segue-hostile-closed-'))
    const small = await SegueService.start({ home: own, catalogue: join(fixturesDir, 'engine', 'catalogue.csv'), listening: null })
    const failing = await createApp(small, { webRoot: null })
    try {
      const c = client(failing)
      const me = await c.listener()
      await small.store.close()
      for (const r of [await c.get(`/api/listeners/${me.id}`, me.token), await c.post('/api/listeners', { name: 'x' })]) {
        assert.equal(r.status, 503)
        assertErrorShape(r.body, 'store failure')
        assert.equal(r.body.error.code, 'E_STORE')
        assert.ok(!r.body.error.message.includes(own), `the home is not named: ${r.body.error.message}`)
        assert.doesNotMatch(r.body.error.message, /segue-hostile|\.db\b|\/tmp\//)
      }
    } finally {
      await failing.close()
      await small.close().catch(() => {})
    }
  })
})

describe('rate limits cannot be reset or dodged', () => {
  test('5,100 bogus tokens neither reset a listener\'s write budget nor get past the per-address limit', { timeout: 120_000 }, async () => {
    const limited = await createApp(service, { webRoot: null, rateLimit: { writes: 5, creates: 100, authFailures: 20, windowMs: 60_000 } })
    try {
      const c = client(limited)
      const me = await c.listener()
      const write = (token: string) => c.post(`/api/listeners/${me.id}/feedback`, { trackId: SEED, kind: 'play' }, token)
      const own = []
      for (let i = 0; i < 6; i++) own.push((await write(me.token)).status)
      assert.deepEqual(own, [201, 201, 201, 201, 201, 429])
      const bogus = new Map<number, number>()
      for (let i = 0; i < 5_100; i++) {
        const s = (await write(`bogus-${i}`)).status
        bogus.set(s, (bogus.get(s) ?? 0) + 1)
      }
      const other = await limited.inject({ method: 'POST', url: `/api/listeners/${me.id}/feedback`, remoteAddress: '10.1.2.3',
        headers: { authorization: `Bearer ${me.token}`, 'content-type': 'application/json' }, payload: JSON.stringify({ trackId: SEED, kind: 'play' }) })
      assert.equal(other.statusCode, 429, 'the listener\'s own budget is still spent: the flood did not reset it')
      assert.ok(Number(other.headers['retry-after']) >= 1, 'a refusal says when to retry')
      assert.deepEqual(Object.fromEntries(bogus), { 403: 20, 429: 5_080 }, 'failed authentications are limited per address')
      assert.equal((await service.store.feedback(me.id)).length, 5, 'nothing past the budget was stored')
    } finally {
      await limited.close()
    }
  })

  test('failures are counted per address (IPv6 by /64): another address is not refused', async () => {
    const limited = await createApp(service, { webRoot: null, rateLimit: { authFailures: 3 } })
    try {
      const me = await client(limited).listener()
      const get = async (remoteAddress: string, token: string) =>
        (await limited.inject({ method: 'GET', url: `/api/listeners/${me.id}`, remoteAddress, headers: { authorization: `Bearer ${token}` } })).statusCode
      for (let i = 0; i < 3; i++) assert.equal(await get(`2001:db8:1:2::${i + 1}`, 'wrong'), 403)
      assert.equal(await get('2001:db8:1:2:ffff::9', me.token), 429, 'the same /64 is one address')
      assert.equal(await get('2001:db8:1:3::1', me.token), 200, 'another /64 is not')
      assert.equal(await get('192.0.2.7', me.token), 200)
    } finally {
      await limited.close()
    }
  })
})

describe('ids cannot be probed', () => {
  test('a valid token gets the same answer for an unknown id as for another listener\'s id', async () => {
    const a = await api.listener('a')
    const b = await api.listener('b')
    const other = await api.get(`/api/listeners/${b.id}`, a.token)
    const unknown = await api.get('/api/listeners/nobody-has-this-id', a.token)
    assert.equal(other.status, 403)
    assert.equal(unknown.status, other.status)
    assert.equal(unknown.body.error.code, other.body.error.code)
    assert.equal(unknown.body.error.message.replace('nobody-has-this-id', '<id>'), other.body.error.message.replace(b.id, '<id>'))
    const wrongUnknown = await api.get('/api/listeners/nobody-has-this-id', 'not-a-token')
    assert.equal(wrongUnknown.status, 403, 'a wrong token on an unknown id: the same again')
  })
})

describe('security headers', () => {
  test('CSP fit for the web app and Spotify\'s player, nosniff, no framing, no referrer', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/health' })
    const csp = String(r.headers['content-security-policy'])
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v.join(' ')]))
    assert.equal(directives.get('default-src'), "'self'")
    assert.equal(directives.get('script-src'), "'self'", 'no inline or remote script')
    assert.equal(directives.get('frame-src'), 'https://open.spotify.com', 'exactly the embed origin may be framed')
    assert.equal(directives.get('frame-ancestors'), "'none'")
    assert.equal(directives.get('object-src'), "'none'")
    assert.ok(!csp.includes('unsafe'), `no unsafe-* source: ${csp}`)
    assert.ok(!/(^|\s)(\*|https:|http:)(\s|;|$)/.test(csp), `no wildcard source: ${csp}`)
    assert.equal(r.headers['x-content-type-options'], 'nosniff')
    assert.equal(r.headers['x-frame-options'], 'DENY')
    assert.equal(r.headers['referrer-policy'], 'no-referrer')
    assert.equal(r.headers['x-powered-by'], undefined)
  })

  test('listener routes, their errors included, are never cached; catalogue routes may be', async () => {
    const created = await app.inject({ method: 'POST', url: '/api/listeners', headers: { 'content-type': 'application/json' }, payload: '{}' })
    assert.equal(created.headers['cache-control'], 'no-store', 'the answer with the token')
    const { id } = created.json().listener
    const token = created.json().token
    for (const url of [`/api/listeners/${id}`, `/api/listeners/${id}/history`, `/api/listeners/${id}/recommendations`]) {
      assert.equal((await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })).headers['cache-control'], 'no-store', url)
    }
    assert.equal((await app.inject({ method: 'GET', url: `/api/listeners/${id}` })).headers['cache-control'], 'no-store', '401 too')
    assert.equal((await app.inject({ method: 'GET', url: `/api/tracks/${SEED}` })).headers['cache-control'], undefined)
  })
})

describe('every error has the one shape', () => {
  let port: number
  let served: FastifyInstance
  before(async () => {
    const l = await listen(service, { port: 0, webRoot: null, rateLimit: { creates: 1 } })
    served = l.app
    port = Number(new URL(l.url).port)
  })
  after(() => served?.close())

  /** Sends raw bytes and returns the status and parsed JSON body of the one response. */
  function raw(bytes: Buffer | string): Promise<{ status: number; headers: string; body: unknown }> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = []
      const s = connect(port, '127.0.0.1', () => s.end(bytes))
      s.on('data', (d) => chunks.push(d))
      s.on('error', reject)
      s.on('close', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        const [head, ...rest] = text.split('\r\n\r\n')
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1])
        try {
          resolve({ status, headers: head.toLowerCase(), body: JSON.parse(rest.join('\r\n\r\n')) })
        } catch {
          reject(new Error(`not JSON: ${text.slice(0, 300)}`))
        }
      })
    })
  }

  const request = (line: string | Buffer, headers = '') =>
    Buffer.concat([Buffer.from(line), Buffer.from(` HTTP/1.1\r\nHost: x\r\n${headers}Connection: close\r\n\r\n`)])

  test('URLs that do not decode, parser refusals and oversized headers answer {"error": {code, message}}', async () => {
    const cases: [string, Buffer | string, number][] = [
      ['bad percent-escape (FST_ERR_BAD_URL)', request('GET /api/tracks/%FF'), 400],
      ['raw non-ASCII request line', request(Buffer.concat([Buffer.from('GET /api/tracks/'), Buffer.from('é♫', 'utf8')])), 400],
      ['Content-Length with Transfer-Encoding', 'POST /api/playlists HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n', 400],
      ['headers over 16 KiB', request('GET /api/health', `X-Big: ${'a'.repeat(17_000)}\r\n`), 431],
      ['unknown method', request('BREW /api/health'), 400],
      ['not HTTP at all', 'hello there\r\n\r\n', 400],
      ['a path part over the router\'s limit', request(`GET /api/tracks/${'a'.repeat(150)}`), 400],
    ]
    for (const [what, bytes, status] of cases) {
      const r = await raw(bytes)
      assert.equal(r.status, status, `${what}: ${JSON.stringify(r.body)}`)
      assertErrorShape(r.body, what)
      assert.match(r.headers, /content-type: application\/json/, what)
      assert.match(r.headers, /x-content-type-options: nosniff/, what)
    }
  })

  test('rate-limit refusals and JSON errors from the routes have the same shape', async () => {
    await raw(request('POST /api/listeners', 'Content-Type: application/json\r\nContent-Length: 2\r\n').toString() + '{}')
    const limited = await raw(request('POST /api/listeners', 'Content-Type: application/json\r\nContent-Length: 2\r\n').toString() + '{}')
    assert.equal(limited.status, 429)
    assertErrorShape(limited.body, 'creation limit')
    const bad = await raw(request('POST /api/playlists', 'Content-Type: application/json\r\nContent-Length: 3\r\n').toString() + '{"s')
    assert.equal(bad.status, 400)
    assertErrorShape(bad.body, 'malformed JSON')
  })
})
