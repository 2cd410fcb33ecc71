import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { createApp } from '../../src/server/app.js'
import type { SegueService } from '../../src/service/service.js'
import { client, startBundledService } from '../helpers/service.js'
import { playlistFolder, type Lists } from './playlist-folder.js'

// The bundled catalogue and HetRec, plus a hand-made playlist folder (invented playlists, not MPD content) that
// puts Adele's "Hello" beside two Metallica songs, which neither its sound nor Last.fm's artist model would offer.
const HELLO = '1YrZuuVG0vZWvsahkSx5WC' // Adele - Hello
const NOTHING_ELSE = '0nLiqZ6A27jJri2VCalIUs' // Metallica - Nothing Else Matters
const SANDMAN = '5sICkBXVmaCQk5aISGR3x1' // Metallica - Enter Sandman
const POKER_FACE = '24tNhacN8vdN8OqkR7LcNm' // Lady Gaga - Poker Face: in no playlist here
const NOT_IN_CATALOGUE = 'inventedTrack000000001'
const SANDMAN_ALBUM = 'inventedRelease0000002' // another release of Enter Sandman: linked by artist and title

const SAMPLE_LISTS: Lists = [
  [1, 'odd mix', [[HELLO, 'Adele', 'Hello'], [NOTHING_ELSE, 'Metallica', 'Nothing Else Matters'], [SANDMAN, 'Metallica', 'Enter Sandman']]],
  [2, 'ballads', [[HELLO, 'Adele', 'Hello'], [NOTHING_ELSE, 'Metallica', 'Nothing Else Matters']]],
  [3, 'unknowns', [[HELLO, 'Adele', 'Hello'], [NOT_IN_CATALOGUE, 'Nobody', 'Made Up']]],
  [4, 'album cuts', [[SANDMAN_ALBUM, 'Metallica', 'Enter Sandman'], [NOTHING_ELSE, 'Metallica', 'Nothing Else Matters']]],
]

let service: SegueService
let app: FastifyInstance
let api: ReturnType<typeof client>
const notes: string[] = []

before(async () => {
  service = await startBundledService({ playlists: playlistFolder(SAMPLE_LISTS), log: (m) => notes.push(m) })
  // The playlists load after start (the server answers meanwhile with the artist-level model).
  await service.playlistsReady
  app = await createApp(service, { webRoot: null })
  api = client(app)
}, { timeout: 900_000 })

after(async () => {
  await app?.close()
  await service?.close()
})

async function collaborativeFor(liked: string[]): Promise<{ track: { id: string }; reasons: { kind: string; text: string }[] }[]> {
  const me = await api.listener()
  for (const trackId of liked) assert.equal((await api.post(`/api/listeners/${me.id}/feedback`, { trackId, kind: 'like' }, me.token)).status, 201)
  const r = await api.get(`/api/listeners/${me.id}/recommendations?model=collaborative&n=10`, me.token)
  assert.equal(r.status, 200, JSON.stringify(r.body))
  return r.body.items
}

test('start-up says what the playlists gave', () => {
  assert.ok(notes.some((m) => /playlists: 4 read from .* \(5 tracks, 4 in the catalogue: 3 by id, 1 by artist and title\)/.test(m)), notes.join('\n'))
  const collaborative = service.models().models.find((m) => m.name === 'collaborative')!
  assert.match(collaborative.description, /share playlists/)
})

test('a liked track the playlists hold brings the tracks sharing its playlists first, with the playlist reason', async () => {
  const items = await collaborativeFor([HELLO])
  assert.deepEqual(items.slice(0, 2).map((i) => i.track.id), [NOTHING_ELSE, SANDMAN], 'two shared playlists rank above one')
  assert.equal(items[0].reasons[0].text, 'Often in playlists with “Hello”')
  assert.equal(items[0].reasons[0].kind, 'collaborative')
  assert.ok(!items.some((i) => i.track.id === NOT_IN_CATALOGUE || i.track.id === HELLO))
})

test('a liked track the playlists lack falls back to the artist-level model and its reasons', async () => {
  const items = await collaborativeFor([POKER_FACE])
  assert.ok(items.length > 0)
  assert.ok(items.every((i) => !/Often in playlists/.test(i.reasons[0].text)), items.map((i) => i.reasons[0].text).join('\n'))
  assert.ok(items.some((i) => /^Listeners of Lady Gaga also play /.test(i.reasons[0].text)), items.map((i) => i.reasons[0].text).join('\n'))
})

test('a history with both kinds of track gets both kinds of reason', async () => {
  const items = await collaborativeFor([POKER_FACE, HELLO])
  const texts = items.map((i) => i.reasons[0].text)
  assert.ok(texts.includes('Often in playlists with “Hello”'), texts.join('\n'))
  assert.ok(texts.some((t) => t.startsWith('Listeners of Lady Gaga also play ')), texts.join('\n'))
})
