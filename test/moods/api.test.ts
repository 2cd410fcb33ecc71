import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { createApp, OPENAPI_PATH } from '../../src/server/app.js'
import { SegueService } from '../../src/service/service.js'
import { MOOD_INFO, MOODS } from '../../src/moods/moods.js'
import { surveyFile } from '../../src/moods/product.js'
import { CatalogueMoods } from '../../src/moods/catalogue-moods.js'
import { CSV_GENRES, csvId, quadrantCsv } from './helpers.js'

// The moods API over a small catalogue whose moods are known: 60 tracks around each quadrant's corner.
const PER_MOOD = 60
let dir: string
let service: SegueService
let app: FastifyInstance

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'segue-moods-api-'))
  writeFileSync(join(dir, 'catalogue.csv'), quadrantCsv(PER_MOOD))
  service = await SegueService.start({ home: join(dir, 'home'), catalogue: join(dir, 'catalogue.csv'), listening: null })
  await service.moods.ready
  app = await createApp(service, { webRoot: null })
})

after(async () => {
  await app?.close()
  await service?.close()
  rmSync(dir, { recursive: true, force: true })
})

type Method = 'GET' | 'POST' | 'PUT'
async function call(method: Method, url: string, body?: unknown, token?: string): Promise<{ status: number; body: any; headers: Record<string, unknown> }> {
  const headers: Record<string, string> = {}
  if (token) headers.authorization = `Bearer ${token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  const res = await app.inject({ method, url, headers, payload: body === undefined ? undefined : JSON.stringify(body) })
  return { status: res.statusCode, body: res.body === '' ? null : JSON.parse(res.body), headers: res.headers }
}

async function newListener(): Promise<{ id: string; token: string }> {
  const r = await call('POST', '/api/listeners', {})
  return { id: r.body.listener.id, token: r.body.token }
}

async function feedback(l: { id: string; token: string }, trackId: string, kind: string): Promise<void> {
  const r = await call('POST', `/api/listeners/${l.id}/feedback`, { trackId, kind }, l.token)
  assert.equal(r.status, 201, JSON.stringify(r.body))
}

const moodOfId = (id: string) => MOODS.find((m) => id.startsWith(m))!
const genreOfId = (id: string) => CSV_GENRES[moodOfId(id)][Number(id.slice(moodOfId(id).length, moodOfId(id).length + 3)) % 2]

function assertCapped(items: { track: { artists: string[] } }[], cap = 2): void {
  const per = new Map<string, number>()
  for (const i of items) for (const a of i.track.artists) per.set(a, (per.get(a) ?? 0) + 1)
  assert.ok([...per.values()].every((c) => c <= cap), JSON.stringify([...per]))
}

test('GET /api/moods: the four moods with colours, descriptions and the classifier\'s counts', async () => {
  assert.equal(service.moods.current.source, 'kmeans', 'the worker built the k-means moods')
  const r = await call('GET', '/api/moods')
  assert.equal(r.status, 200)
  assert.deepEqual(r.body.moods.map((m: { name: string }) => m.name), [...MOODS])
  for (const m of r.body.moods) {
    assert.equal(m.color, MOOD_INFO[m.name as keyof typeof MOOD_INFO].colour)
    assert.match(m.color, /^#[0-9a-f]{6}$/i)
    assert.equal(m.tracks, PER_MOOD, `${m.name}: every quadrant's tracks are its own`)
  }
})

test('every track item carries its mood: search, track, similar', async () => {
  const search = await call('GET', '/api/search?q=Calm%20song%205')
  assert.ok(search.body.items.length > 0)
  for (const t of search.body.items) assert.equal(t.mood, moodOfId(t.id))
  const track = await call('GET', `/api/tracks/${csvId('Sad', 3)}`)
  assert.equal(track.body.track.mood, 'Sad')
  const similar = await call('GET', `/api/tracks/${csvId('Happy', 0)}/similar?n=5`)
  for (const i of similar.body.items) assert.equal(i.track.mood, moodOfId(i.track.id))
})

test('track items read the moods the server holds (swapped when the classifier is built)', async () => {
  const built = service.moods.current
  const sad = new Float32Array(built.proba.length)
  for (let r = 0; r < sad.length / 4; r++) sad[r * 4 + MOODS.indexOf('Sad')] = 1
  service.moods.current = new CatalogueMoods(built.cat, sad, 'labels')
  try {
    assert.equal((await call('GET', `/api/tracks/${csvId('Happy', 3)}`)).body.track.mood, 'Sad')
    assert.equal((await call('GET', '/api/moods')).body.moods.find((m: { name: string }) => m.name === 'Sad').tracks, 4 * PER_MOOD)
  } finally {
    service.moods.current = built
  }
  assert.equal((await call('GET', `/api/tracks/${csvId('Happy', 3)}`)).body.track.mood, 'Happy')
})

test("a mood's tracks without a listener: all of the mood, typical and popular first, artists capped", async () => {
  const r = await call('GET', '/api/moods/Calm/tracks?n=12')
  assert.equal(r.status, 200)
  assert.equal(r.body.mood, 'Calm')
  assert.equal(r.body.items.length, 12)
  for (const i of r.body.items) {
    assert.equal(i.mood, 'Calm')
    assert.equal(i.track.mood, 'Calm')
    assert.equal(moodOfId(i.track.id), 'Calm')
  }
  const scores = r.body.items.map((i: { score: number }) => i.score)
  assert.deepEqual(scores, [...scores].sort((a, b) => b - a))
  // Popularity is 20 + i % 60: the most popular Calm tracks (i = 59, 58, ...) lead, two per artist at most.
  assert.ok(r.body.items.slice(0, 3).every((i: { track: { popularity: number } }) => i.track.popularity >= 70), JSON.stringify(r.body.items.slice(0, 3).map((i: any) => i.track.popularity)))
  assertCapped(r.body.items)
})

test("a mood's tracks for a listener: closest to their taste, nothing they heard or rejected", async () => {
  const l = await newListener()
  // They like three folk (even) Calm tracks, and skip one more folk one.
  for (const i of [0, 2, 4]) await feedback(l, csvId('Calm', i), 'like')
  await feedback(l, csvId('Calm', 6), 'skip')
  const r = await call('GET', `/api/moods/Calm/tracks?n=10&listener=${l.id}`, undefined, l.token)
  assert.equal(r.status, 200)
  assert.equal(r.headers['cache-control'], 'no-store')
  const ids = r.body.items.map((i: { track: { id: string } }) => i.track.id)
  assert.equal(ids.length, 10)
  for (const id of ids) assert.equal(genreOfId(id), 'folk', `${id}: the listener's sound (folk) comes first`)
  for (const i of [0, 2, 4, 6]) assert.ok(!ids.includes(csvId('Calm', i)), 'liked and skipped tracks are not offered again')
  assert.equal(r.body.items[0].reasons[0].kind, 'like')
  assertCapped(r.body.items)
  const plain = await call('GET', '/api/moods/Calm/tracks?n=10')
  assert.ok(plain.body.items.some((i: { track: { id: string } }) => genreOfId(i.track.id) === 'ambient'), 'without the listener both sounds are there')
  assert.equal((await call('GET', `/api/moods/Calm/tracks?listener=${l.id}`)).status, 401)
  assert.equal((await call('GET', `/api/moods/Calm/tracks?listener=${l.id}`, undefined, 'wrong')).status, 403)
})

test('mood filters: similar, "for you" and playlists stay full-length with only the mood asked for', async () => {
  const seed = csvId('Happy', 1)
  const similar = await call('GET', `/api/tracks/${seed}/similar?n=15&mood=Sad`)
  assert.equal(similar.status, 200)
  assert.equal(similar.body.items.length, 15)
  assert.ok(similar.body.items.every((i: { track: { mood: string } }) => i.track.mood === 'Sad'))
  const unfiltered = await call('GET', `/api/tracks/${seed}/similar?n=15`)
  assert.ok(unfiltered.body.items.every((i: { track: { mood: string } }) => i.track.mood === 'Happy'), 'without the filter a Happy seed finds Happy tracks')

  const l = await newListener()
  for (const i of [1, 3, 5, 7]) await feedback(l, csvId('Happy', i), 'like')
  await feedback(l, csvId('Sad', 1), 'dislike')
  const mine = await call('GET', `/api/listeners/${l.id}/recommendations?model=content&n=12&mood=Sad`, undefined, l.token)
  assert.equal(mine.status, 200, JSON.stringify(mine.body))
  assert.equal(mine.body.items.length, 12)
  assert.ok(mine.body.items.every((i: { track: { mood: string } }) => i.track.mood === 'Sad'))
  assert.ok(!mine.body.items.some((i: { track: { id: string } }) => i.track.id === csvId('Sad', 1)), 'a disliked track stays out')
  assertCapped(mine.body.items)
  const plainForYou = await call('GET', `/api/listeners/${l.id}/recommendations?model=content&n=12`, undefined, l.token)
  assert.ok(plainForYou.body.items.filter((i: { track: { mood: string } }) => i.track.mood === 'Happy').length >= 10, 'unfiltered, their likes lead to Happy tracks')

  const playlist = await call('POST', '/api/playlists', { seeds: [seed], total: 10, mood: 'Calm' })
  assert.equal(playlist.status, 200, JSON.stringify(playlist.body))
  assert.equal(playlist.body.items.length, 10)
  assert.ok(playlist.body.items.every((i: { track: { mood: string } }) => i.track.mood === 'Calm'))
  assert.equal((await call('POST', '/api/playlists', { seeds: [seed], mood: 'Angry' })).status, 400)
  assert.equal((await call('GET', `/api/tracks/${seed}/similar?mood=happy`)).status, 400, 'mood names are exact')
})

test("a listener's mood: default, then their listening (late night leans Calm), then their pick", async () => {
  const l = await newListener()
  const get = (hour: number) => call('GET', `/api/listeners/${l.id}/mood?hour=${hour}`, undefined, l.token)
  let r = await get(12)
  assert.equal(r.status, 200)
  assert.equal(r.body.source, 'default')
  assert.ok(Math.abs(MOODS.reduce((s, m) => s + r.body.mix[m], 0) - 1) < 1e-9)
  // Three Happy plays, then two Calm ones: recency makes it close, and the hour decides.
  for (const i of [10, 11, 12]) await feedback(l, csvId('Happy', i), 'play')
  for (const i of [10, 11]) await feedback(l, csvId('Calm', i), 'play')
  const noon = (await get(12)).body
  const night = (await get(23)).body
  assert.equal(noon.source, 'listening')
  assert.equal(noon.mood, 'Happy')
  assert.equal(night.mood, 'Calm', 'late at night the same listening leans Calm')
  assert.ok(Math.abs(night.mix.Calm / night.mix.Happy - 1.5 * (noon.mix.Calm / noon.mix.Happy)) < 1e-6)
  const put = await call('PUT', `/api/listeners/${l.id}/mood`, { mood: 'Energetic' }, l.token)
  assert.equal(put.status, 200)
  assert.deepEqual([put.body.mood, put.body.source], ['Energetic', 'picked'])
  assert.equal((await get(12)).body.source, 'picked')
  const cleared = await call('PUT', `/api/listeners/${l.id}/mood`, { mood: null }, l.token)
  assert.deepEqual([cleared.body.source], ['listening'])
  for (const bad of [{ mood: 'Angry' }, {}, { mood: 'Calm', extra: 1 }]) assert.equal((await call('PUT', `/api/listeners/${l.id}/mood`, bad, l.token)).status, 400)
  assert.equal((await call('GET', `/api/listeners/${l.id}/mood?hour=24`, undefined, l.token)).status, 400)
  assert.equal((await call('GET', `/api/listeners/${l.id}/mood`)).status, 401)
  assert.equal((await call('PUT', `/api/listeners/${l.id}/mood`, { mood: 'Calm' }, 'wrong')).status, 403)
})

test("a listener's mood from onboarding answers through the survey model", { skip: existsSync(surveyFile()) ? false : 'the shared survey is absent' }, async () => {
  const l = await newListener()
  const q = await call('GET', '/api/moods/onboarding')
  assert.equal(q.status, 200)
  assert.ok(q.body.questions.fav_music_genre.length > 3)
  assert.ok(!('music_Influencial_mood' in q.body.questions), 'the mood question is what the model predicts, not a question')
  const r = await call('PUT', `/api/listeners/${l.id}/onboarding`, { answers: { fav_music_genre: ['Melody'], music_time_slot: ['Night'] } }, l.token)
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.equal(r.body.source, 'onboarding')
  for (const i of [20, 21, 22]) await feedback(l, csvId('Sad', i), 'play')
  assert.deepEqual([(await call('GET', `/api/listeners/${l.id}/mood`, undefined, l.token)).body.source], ['listening'], 'listening outranks onboarding')
})

test('a mood journey: from one mood to the other in n tracks, seeds kept, bad input refused', async () => {
  const r = await call('POST', '/api/moods/journey', { from: 'Calm', to: 'Energetic', n: 8 })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.deepEqual([r.body.from, r.body.to, r.body.items.length], ['Calm', 'Energetic', 8])
  assert.equal(r.body.items[0].mood, 'Calm')
  assert.equal(r.body.items[7].mood, 'Energetic')
  for (const i of r.body.items) assert.ok(typeof i.valence === 'number' && typeof i.energy === 'number' && i.track.mood === i.mood)
  assert.ok(r.body.items[7].energy > r.body.items[0].energy && r.body.items[7].valence < r.body.items[0].valence)
  const l = await newListener()
  const first = r.body.items[0].track.id
  await feedback(l, first, 'play')
  const mine = await call('POST', '/api/moods/journey', { from: 'Calm', to: 'Energetic', n: 8, listener: l.id }, l.token)
  assert.equal(mine.status, 200)
  assert.ok(!mine.body.items.some((i: { track: { id: string } }) => i.track.id === first), 'a track they heard is not in their journey')
  assert.equal((await call('POST', '/api/moods/journey', { from: 'Calm', to: 'Energetic', n: 8, listener: l.id })).status, 401)
  const bad: [unknown, number][] = [
    [{ from: 'Calm', to: 'Energetic', n: 3 }, 400],
    [{ from: 'Calm', to: 'Energetic', n: 51 }, 400],
    [{ from: 'Calm', to: 'Angry', n: 8 }, 400],
    [{ from: 'Calm', to: 'Sad', n: 8, seeds: Array.from({ length: 6 }, (_, i) => csvId('Sad', i)) }, 400],
    [{ from: 'Calm', to: 'Sad', n: 8, seeds: ['nope'] }, 404],
  ]
  for (const [body, status] of bad) {
    const b = await call('POST', '/api/moods/journey', body)
    assert.equal(b.status, status, JSON.stringify(body))
    assert.ok(typeof b.body.error.code === 'string' && typeof b.body.error.message === 'string')
  }
})

test('the OpenAPI document lists the mood routes and the mood filters', async () => {
  const doc = (await call('GET', OPENAPI_PATH)).body
  for (const p of ['/api/moods', '/api/moods/{mood}/tracks', '/api/listeners/{id}/mood', '/api/moods/journey', '/api/moods/onboarding']) assert.ok(doc.paths[p], p)
  assert.ok(doc.paths['/api/listeners/{id}/mood'].put)
  const params = (path: string) => doc.paths[path].get.parameters.map((p: { name: string }) => p.name)
  assert.ok(params('/api/tracks/{id}/similar').includes('mood'))
  assert.ok(params('/api/listeners/{id}/recommendations').includes('mood'))
})
