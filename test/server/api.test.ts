import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { createApp, OPENAPI_PATH } from '../../src/server/app.js'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SegueService } from '../../src/service/service.js'
import { fixturesDir } from '../helpers/paths.js'
import { client, startBundledService } from '../helpers/service.js'
import { summary } from '../../src/server/schemas.js'

// Every route over the bundled real data, through app.inject() (no socket).
let service: SegueService
let app: FastifyInstance
let api: ReturnType<typeof client>

const HELLO = '1YrZuuVG0vZWvsahkSx5WC' // Adele - Hello (dataset.csv line with index 11906)

before(async () => {
  service = await startBundledService()
  app = await createApp(service, { webRoot: null })
  api = client(app)
}, { timeout: 300_000 })

after(async () => {
  await app?.close()
  await service?.close()
})

const ids = (items: { track: { id: string } }[]) => items.map((i) => i.track.id)

describe('catalogue routes', () => {
  test('health and the OpenAPI document at its stable path list every route', async () => {
    const h = await api.get('/api/health')
    assert.equal(h.status, 200)
    assert.equal(h.body.tracks, 89_741)
    assert.equal(h.body.collaborative, 'als')
    const doc = await api.get(OPENAPI_PATH)
    assert.equal(doc.status, 200)
    assert.match(doc.body.openapi, /^3\./)
    for (const p of ['/api/search', '/api/tracks/{id}', '/api/tracks/{id}/similar', '/api/playlists', '/api/models', '/api/listeners',
      '/api/listeners/{id}', '/api/listeners/{id}/feedback', '/api/listeners/{id}/history', '/api/listeners/{id}/recommendations',
      '/api/listeners/{id}/playlists']) {
      assert.ok(doc.body.paths[p], `OpenAPI lacks ${p}`)
    }
    assert.ok(doc.body.paths['/api/playlists'].post.requestBody, 'the playlist body schema is documented')
    assert.deepEqual(doc.body.paths['/api/listeners/{id}/feedback'].post.security, [{ listenerToken: [] }])
  })

  const HELLO_ALBUM = '1Yk0cQdMLx5RzzFTYwmuld'

  test('search forgives typos', async () => {
    const r = await api.get('/api/search?q=helo%20adel&limit=5')
    assert.equal(r.status, 200)
    // Adele's "Hello" is on the single (popularity 40) and on the album "25" (74): the recording is shown once,
    // as its most popular release.
    assert.equal(r.body.items[0].id, HELLO_ALBUM)
    assert.equal(r.body.items.filter((t: { name: string; artists: string[] }) => t.name === 'Hello' && t.artists.includes('Adele')).length, 1)
    const q = await api.get('/api/search?q=bohemian%20rapsody%20queen')
    assert.ok(q.body.items.some((t: { name: string; artists: string[] }) => /bohemian rhapsody/i.test(t.name) && t.artists.includes('Queen')))
  })

  test('search refuses a missing query and an absurd limit, naming the field', async () => {
    const missing = await api.get('/api/search')
    assert.equal(missing.status, 400)
    assert.equal(missing.body.error.code, 'E_VALIDATION')
    assert.equal(missing.body.error.path, 'querystring.q')
    const big = await api.get('/api/search?q=x&limit=100000')
    assert.equal(big.status, 400)
    assert.equal(big.body.error.path, 'querystring.limit')
    assert.equal(JSON.stringify(big.body).includes('    at '), false, 'no stack trace')
  })

  test('track detail gives the audio features in original units', async () => {
    const r = await api.get(`/api/tracks/${HELLO}`)
    assert.equal(r.status, 200)
    const t = r.body.track
    assert.deepEqual([t.name, t.artists, t.album, t.popularity, t.durationMs, t.explicit], ['Hello', ['Adele'], 'Hello', 40, 295502, false])
    // Values from the CSV row: danceability 0.578, energy 0.43, key 5, loudness -6.134, tempo 78.991, valence 0.288
    assert.deepEqual([t.features.danceability, t.features.energy, t.features.key, t.features.loudness, t.features.tempo, t.features.valence], [0.578, 0.43, 5, -6.134, 78.991, 0.288])
    assert.equal(Object.keys(t.features).length, 12)
    const missing = await api.get('/api/tracks/no-such-track')
    assert.equal(missing.status, 404)
    assert.equal(missing.body.error.code, 'E_NOT_FOUND')
  })

  test('similar tracks: n of them, nearest first, never the seed, each with its reasons', async () => {
    const r = await api.get(`/api/tracks/${HELLO}/similar?n=7`)
    assert.equal(r.status, 200)
    assert.equal(r.body.seed.id, HELLO)
    assert.equal(r.body.items.length, 7)
    assert.ok(!ids(r.body.items).includes(HELLO))
    const scores = r.body.items.map((i: { score: number }) => i.score)
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a))
    for (const i of r.body.items) assert.ok(i.because.length > 0)
    const other = await api.get(`/api/tracks/${HELLO}/similar?n=7&excludeSeedArtist=true`)
    assert.ok(other.body.items.every((i: { track: { artists: string[] } }) => !i.track.artists.includes('Adele')))
  })

  test('similar answers are kept: a repeat is the same text without asking the service, per n, artist rule, mood and mood assignment', async () => {
    const real = service.similar.bind(service)
    let asked: number = 0
    // Counts the calls to the real service (nothing is stubbed).
    service.similar = (...args: Parameters<SegueService['similar']>) => (asked++, real(...args))
    const get = (query: string) => app.inject({ method: 'GET', url: `/api/tracks/${HELLO}/similar?${query}` })
    try {
      const first = await get('n=6')
      const again = await get('n=6')
      assert.equal(asked, 1)
      assert.equal(again.body, first.body)
      assert.match(String(again.headers['content-type']), /^application\/json/)
      // The kept text is what the service's answer encodes to.
      const fresh = await real(HELLO, 6, false)
      assert.deepEqual(JSON.parse(first.body), {
        seed: summary(fresh.seed),
        items: fresh.items.map((i) => ({ track: summary(i.track), score: i.score, because: i.because, sharedGenres: i.sharedGenres })),
      })
      for (const query of ['n=5', 'n=6&excludeSeedArtist=true', 'n=6&mood=Happy']) {
        const count: number = asked
        const r = await get(query)
        assert.equal(r.statusCode, 200, query)
        assert.equal(asked, count + 1, `${query} is an answer of its own`)
      }
      // Another mood assignment (as when a first start's classifier is done): answers written before are not sent.
      const served = service.moods.current
      service.moods.current = Object.create(served)
      try {
        await get('n=6')
        assert.equal(asked, 5)
      } finally {
        service.moods.current = served
      }
    } finally {
      service.similar = real
    }
  })

  test('similar refuses an absurd or malformed n and an unknown seed', async () => {
    for (const [n, status] of [['0', 400], ['101', 400], ['1e9', 400], ['ten', 400]] as const) {
      const r = await api.get(`/api/tracks/${HELLO}/similar?n=${n}`)
      assert.equal(r.status, status, `n=${n}`)
      assert.equal(r.body.error.path, 'querystring.n')
    }
    assert.equal((await api.get('/api/tracks/nope/similar')).status, 404)
  })
})

describe('playlists', () => {
  let seeds: string[]
  before(async () => {
    const a = await api.get('/api/search?q=clair%20de%20lune%20debussy&limit=1')
    const b = await api.get('/api/search?q=smells%20like%20teen%20spirit%20nirvana&limit=1')
    seeds = [a.body.items[0].id, b.body.items[0].id]
  })

  test('count per seed, no duplicates, no seeds, spread across artists', async () => {
    const r = await api.post('/api/playlists', { seeds, perSeed: 6 })
    assert.equal(r.status, 200)
    assert.deepEqual(r.body.seeds.map((s: { id: string }) => s.id), seeds)
    assert.equal(r.body.items.length, 12)
    for (const s of seeds) assert.equal(r.body.items.filter((i: { seedId: string }) => i.seedId === s).length, 6)
    const got = ids(r.body.items)
    assert.equal(new Set(got).size, got.length)
    assert.ok(got.every((id) => !seeds.includes(id)))
    const titles = r.body.items.map((i: { track: { name: string; artists: string[] } }) => `${i.track.name.toLowerCase()}|${i.track.artists.join()}`)
    assert.equal(new Set(titles).size, titles.length, 'no two releases of one recording')
    const perArtist = new Map<string, number>()
    for (const i of r.body.items) for (const a of i.track.artists) perArtist.set(a, (perArtist.get(a) ?? 0) + 1)
    assert.ok(Math.max(...perArtist.values()) <= 2, 'at most 2 tracks per artist')
    // seeds take turns: the first two items come from different seeds
    assert.notEqual(r.body.items[0].seedId, r.body.items[1].seedId)
  })

  test('a total shorter or longer than seeds x perSeed is honoured', async () => {
    assert.equal((await api.post('/api/playlists', { seeds, perSeed: 5, total: 7 })).body.items.length, 7)
    const long = await api.post('/api/playlists', { seeds, perSeed: 2, total: 9, maxPerArtist: 1 })
    assert.equal(long.body.items.length, 9)
    const artists = long.body.items.flatMap((i: { track: { artists: string[] } }) => i.track.artists)
    assert.equal(new Set(artists).size, artists.length, 'maxPerArtist 1: every artist once')
  })

  test('bad playlist requests are refused with the field path', async () => {
    const six = await api.post('/api/playlists', { seeds: [...seeds, 'a', 'b', 'c', 'd'] })
    assert.equal(six.status, 400)
    assert.equal(six.body.error.path, 'body.seeds')
    const empty = await api.post('/api/playlists', { seeds: [seeds[0], ''] })
    assert.equal(empty.body.error.path, 'body.seeds.1')
    const perSeed = await api.post('/api/playlists', { seeds, perSeed: 1000 })
    assert.equal(perSeed.body.error.path, 'body.perSeed')
    const extra = await api.post('/api/playlists', { seeds, colour: 'red' })
    assert.equal(extra.status, 400)
    const twice = await api.post('/api/playlists', { seeds: [seeds[0], seeds[0]] })
    assert.equal(twice.status, 400)
    assert.match(twice.body.error.message, /given twice/)
    const unknown = await api.post('/api/playlists', { seeds: [seeds[0], 'no-such-track'] })
    assert.equal(unknown.status, 404)
    assert.match(unknown.body.error.message, /no-such-track/)
  })

  test('malformed JSON and oversized bodies get JSON errors', async () => {
    const bad = await api.postRaw('/api/playlists', '{"seeds": [')
    assert.equal(bad.status, 400)
    assert.equal(bad.body.error.code, 'E_VALIDATION')
    const huge = await api.postRaw('/api/playlists', JSON.stringify({ seeds: ['x'.repeat(40_000)] }))
    assert.equal(huge.status, 413)
    assert.equal(huge.body.error.code, 'E_TOO_LARGE')
  })
})

describe('listeners, feedback and recommendations', () => {
  test('a listener is created with a token that their routes require', async () => {
    const created = await api.post('/api/listeners', { name: 'Ada' })
    assert.equal(created.status, 201)
    const { id } = created.body.listener
    const token = created.body.token
    assert.ok(token.length >= 40)
    const me = await api.get(`/api/listeners/${id}`, token)
    assert.equal(me.status, 200)
    assert.deepEqual([me.body.listener.name, me.body.counts], ['Ada', { play: 0, like: 0, skip: 0, dislike: 0 }])
    assert.equal((await api.get(`/api/listeners/${id}`)).status, 401)
    assert.equal((await api.get(`/api/listeners/${id}`, 'wrong-token')).status, 403)
    assert.equal((await api.get('/api/listeners/nobody', token)).status, 403, 'an unknown id answers as another listener\'s does')
    const badName = await api.post('/api/listeners', { name: 'x'.repeat(81) })
    assert.equal(badName.body.error.path, 'body.name')
  })

  test('one listener can never read or change another', async () => {
    const a = await api.listener('a')
    const b = await api.listener('b')
    await api.post(`/api/listeners/${a.id}/feedback`, { trackId: HELLO, kind: 'like' }, a.token)
    for (const url of [`/api/listeners/${a.id}`, `/api/listeners/${a.id}/history`, `/api/listeners/${a.id}/recommendations`]) {
      const r = await api.get(url, b.token)
      assert.equal(r.status, 403, url)
      assert.equal(r.body.error.code, 'E_FORBIDDEN')
    }
    assert.equal((await api.post(`/api/listeners/${a.id}/feedback`, { trackId: HELLO, kind: 'dislike' }, b.token)).status, 403)
    assert.equal((await api.del(`/api/listeners/${a.id}`, b.token)).status, 403)
    const history = await api.get(`/api/listeners/${a.id}/history`, a.token)
    assert.deepEqual(history.body.events.map((e: { kind: string }) => e.kind), ['like'], 'b changed nothing')
    assert.equal((await api.get(`/api/listeners/${b.id}/history`, b.token)).body.events.length, 0)
  })

  test('feedback is validated and stored; history shows it with the track', async () => {
    const me = await api.listener()
    const url = `/api/listeners/${me.id}/feedback`
    const kind = await api.post(url, { trackId: HELLO, kind: 'love' }, me.token)
    assert.equal(kind.status, 400)
    assert.equal(kind.body.error.path, 'body.kind')
    const missing = await api.post(url, { kind: 'like' }, me.token)
    assert.equal(missing.body.error.path, 'body.trackId')
    const unknown = await api.post(url, { trackId: 'no-such-track', kind: 'like' }, me.token)
    assert.equal(unknown.status, 404)
    const ok = await api.post(url, { trackId: HELLO, kind: 'play' }, me.token)
    assert.equal(ok.status, 201)
    assert.deepEqual([ok.body.event.trackId, ok.body.event.kind], [HELLO, 'play'])
    await api.post(url, { trackId: HELLO, kind: 'like' }, me.token)
    const h = await api.get(`/api/listeners/${me.id}/history`, me.token)
    assert.deepEqual(h.body.events.map((e: { kind: string; track: { name: string } }) => [e.kind, e.track.name]), [['play', 'Hello'], ['like', 'Hello']])
    assert.deepEqual((await api.get(`/api/listeners/${me.id}`, me.token)).body.counts, { play: 1, like: 1, skip: 0, dislike: 0 })
  })

  test('a cold-start listener gets popular tracks, then results from their first seed or like', async () => {
    const me = await api.listener()
    const recs = (q = '') => api.get(`/api/listeners/${me.id}/recommendations?n=10${q}`, me.token)
    const cold = await recs()
    assert.equal(cold.status, 200)
    assert.equal(cold.body.coldStart, true)
    assert.equal(cold.body.items.length, 10)
    assert.ok(cold.body.items.every((i: { reasons: { kind: string }[] }) => i.reasons[0].kind === 'popular'))
    const genres = new Set(cold.body.items.map((i: { track: { genres: string[] } }) => i.track.genres[0]))
    assert.ok(genres.size >= 5, 'cold start spreads across genres')

    const seeded = await recs(`&seeds=${HELLO}&model=content`)
    assert.equal(seeded.body.coldStart, false)
    assert.ok(seeded.body.items.every((i: { reasons: { kind: string; trackId: string }[] }) => i.reasons.some((r) => r.kind === 'seed' && r.trackId === HELLO)))

    await api.post(`/api/listeners/${me.id}/feedback`, { trackId: HELLO, kind: 'like' }, me.token)
    const liked = await recs()
    assert.equal(liked.body.coldStart, false)
    assert.equal(liked.body.model, 'hybrid')
    assert.notDeepEqual(ids(liked.body.items), ids(cold.body.items), 'the very next request reflects the like')
    assert.ok(!ids(liked.body.items).includes(HELLO), 'a liked track is not offered as new')
    const texts = liked.body.items.flatMap((i: { reasons: { text: string }[] }) => i.reasons.map((r) => r.text))
    assert.ok(texts.some((t: string) => /Because you liked “Hello” by Adele/.test(t)))
    assert.ok(texts.some((t: string) => /Listeners of Adele also play .+; you liked “Hello”/.test(t)), 'the hybrid carries collaborative reasons, naming the liked track')
    const cf = liked.body.items.flatMap((i: { reasons: { kind: string; trackId?: string }[] }) => i.reasons).filter((r: { kind: string }) => r.kind === 'collaborative')
    assert.ok(cf.length > 0 && cf.every((r: { trackId?: string }) => r.trackId === HELLO), 'a collaborative reason points at the track it came from')
    for (const i of liked.body.items) assert.ok(i.because.length > 0, 'each item has a feature view')
  })

  test('every seed gets its share of the list, even beside a like close to another seed', async () => {
    const me = await api.listener()
    const clair = (await api.get('/api/search?q=clair%20de%20lune%20debussy%20martin%20jones&limit=1')).body.items[0].id
    const chasing = (await api.get('/api/search?q=chasing%20pavements%20adele&limit=1')).body.items[0].id
    await api.post(`/api/listeners/${me.id}/feedback`, { trackId: chasing, kind: 'like' }, me.token)
    for (const model of ['content', 'hybrid']) {
      const r = await api.get(`/api/listeners/${me.id}/recommendations?n=10&model=${model}&seeds=${HELLO},${clair}`, me.token)
      const fromClair = r.body.items.filter((i: { reasons: { trackId?: string }[] }) => i.reasons[0].trackId === clair)
      assert.ok(fromClair.length >= 2, `${model}: ${fromClair.length} of 10 come from the second seed`)
    }
  })

  test('disliked and skipped tracks never come back, in any model', async () => {
    const me = await api.listener()
    await api.post(`/api/listeners/${me.id}/feedback`, { trackId: HELLO, kind: 'like' }, me.token)
    const rejected = new Set<string>()
    for (const model of ['content', 'collaborative', 'hybrid']) {
      const first = await api.get(`/api/listeners/${me.id}/recommendations?n=8&model=${model}`, me.token)
      assert.equal(first.body.items.length, 8, model)
      const [a, b] = ids(first.body.items)
      await api.post(`/api/listeners/${me.id}/feedback`, { trackId: a, kind: 'dislike' }, me.token)
      await api.post(`/api/listeners/${me.id}/feedback`, { trackId: b, kind: 'skip' }, me.token)
      rejected.add(a).add(b)
    }
    for (const model of ['content', 'collaborative', 'hybrid']) {
      const next = await api.get(`/api/listeners/${me.id}/recommendations?n=30&model=${model}`, me.token)
      assert.equal(next.status, 200)
      assert.deepEqual(ids(next.body.items).filter((id) => rejected.has(id)), [], model)
    }
  })

  test("a listener's playlist leaves out what they skipped or disliked; the anonymous one does not", async () => {
    const me = await api.listener()
    const first = await api.post(`/api/listeners/${me.id}/playlists`, { seeds: [HELLO], perSeed: 8 }, me.token)
    assert.equal(first.status, 200)
    const [a, b] = ids(first.body.items)
    await api.post(`/api/listeners/${me.id}/feedback`, { trackId: a, kind: 'dislike' }, me.token)
    await api.post(`/api/listeners/${me.id}/feedback`, { trackId: b, kind: 'skip' }, me.token)
    const mine = await api.post(`/api/listeners/${me.id}/playlists`, { seeds: [HELLO], perSeed: 8 }, me.token)
    assert.equal(mine.body.items.length, 8, 'still 8: others take their places')
    assert.deepEqual(ids(mine.body.items).filter((id) => id === a || id === b), [])
    const anonymous = await api.post('/api/playlists', { seeds: [HELLO], perSeed: 8 })
    assert.ok(ids(anonymous.body.items).includes(a))
    const other = await api.listener()
    assert.equal((await api.post(`/api/listeners/${me.id}/playlists`, { seeds: [HELLO] }, other.token)).status, 403)
    assert.equal((await api.post(`/api/listeners/${me.id}/playlists`, { seeds: [] }, me.token)).body.error.path, 'body.seeds')
  })

  test('recommendation queries are validated', async () => {
    const me = await api.listener()
    const url = `/api/listeners/${me.id}/recommendations`
    assert.equal((await api.get(`${url}?model=magic`, me.token)).body.error.path, 'querystring.model')
    assert.equal((await api.get(`${url}?n=5000`, me.token)).body.error.path, 'querystring.n')
    assert.equal((await api.get(`${url}?seeds=a,b,c,d,e,f`, me.token)).status, 400)
    assert.equal((await api.get(`${url}?seeds=no-such-track`, me.token)).status, 404)
    const models = await api.get('/api/models')
    assert.deepEqual(models.body.models.map((m: { name: string }) => m.name), ['content', 'collaborative', 'hybrid'])
    assert.equal(models.body.default, 'hybrid')
  })

  test('deleting a listener removes every trace of them', async () => {
    const me = await api.listener('temporary')
    await api.post(`/api/listeners/${me.id}/feedback`, { trackId: HELLO, kind: 'like' }, me.token)
    assert.equal((await service.store.feedback(me.id)).length, 1)
    assert.equal((await api.del(`/api/listeners/${me.id}`)).status, 401)
    const gone = await api.del(`/api/listeners/${me.id}`, me.token)
    assert.equal(gone.status, 204)
    assert.equal(await service.store.getListener(me.id), null)
    assert.deepEqual(await service.store.feedback(me.id), [])
    assert.equal((await api.get(`/api/listeners/${me.id}`, me.token)).status, 403, 'the token no longer grants anything')
    assert.equal((await api.post(`/api/listeners/${me.id}/feedback`, { trackId: HELLO, kind: 'like' }, me.token)).status, 403)
  })

  test('unknown API routes answer JSON 404s; without a built web app / says how to build it', async () => {
    const r = await api.get('/api/nothing-here')
    assert.equal(r.status, 404)
    assert.equal(r.body.error.code, 'E_NOT_FOUND')
    const root = await api.get('/')
    assert.equal(root.status, 404)
    assert.match(root.body.error.message, /npm run build:web.*\/api\/openapi\.json/)
  })
})

describe('failures', () => {
  test('a store that fails answers 503 JSON with E_STORE, never a stack trace', async () => {
    const small = await SegueService.start({
      home: mkdtempSync(join(tmpdir(), 'segue-failing-')),
      catalogue: join(fixturesDir, 'engine', 'catalogue.csv'),
      listening: null,
    })
    const failing = await createApp(small, { webRoot: null })
    try {
      const c = client(failing)
      const me = await c.listener()
      await small.store.close()
      const r = await c.get(`/api/listeners/${me.id}`, me.token)
      assert.equal(r.status, 503)
      assert.equal(r.body.error.code, 'E_STORE')
      assert.doesNotMatch(JSON.stringify(r.body), /\n\s+at /)
    } finally {
      await failing.close()
      await small.close()
    }
  })
})

describe('rate limits', () => {
  test('writes per listener and listener creation are limited; other listeners are unaffected', async () => {
    const limited = await createApp(service, { webRoot: null, rateLimit: { writes: 3, creates: 2, windowMs: 60_000 } })
    try {
      const c = client(limited)
      const a = await c.listener()
      const b = await c.listener()
      const third = await c.post('/api/listeners', {})
      assert.equal(third.status, 429)
      assert.equal(third.body.error.code, 'E_RATE_LIMITED')
      const statuses = []
      for (let i = 0; i < 4; i++) statuses.push((await c.post(`/api/listeners/${a.id}/feedback`, { trackId: HELLO, kind: 'play' }, a.token)).status)
      assert.deepEqual(statuses, [201, 201, 201, 429])
      assert.equal((await c.post(`/api/listeners/${b.id}/feedback`, { trackId: HELLO, kind: 'play' }, b.token)).status, 201)
      // Someone without b's token cannot use up b's budget: their refused attempts count against their address.
      for (let i = 0; i < 5; i++) assert.equal((await c.post(`/api/listeners/${b.id}/feedback`, { trackId: HELLO, kind: 'play' }, a.token)).status, 403)
      assert.equal((await c.post(`/api/listeners/${b.id}/feedback`, { trackId: HELLO, kind: 'play' }, b.token)).status, 201)
      assert.equal((await service.store.feedback(a.id)).length, 3, 'the refused write was not stored')
      assert.equal((await c.get(`/api/listeners/${a.id}/history`, a.token)).status, 200, 'reads are not write-limited')
    } finally {
      await limited.close()
    }
  })
})
