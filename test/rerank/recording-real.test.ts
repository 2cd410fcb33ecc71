import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Track } from '../../src/core/track.js'
import { bundledCatalogue } from '../../src/core/paths.js'
import { SegueService } from '../../src/service/service.js'

// The cases of issue 8 §4 on the real bundled catalogue (data/spotify-tracks-114k) and the bundled HetRec
// listening data: each one listed a recording twice, or offered another release of a disliked track.
// This file goes through the service only (no recording internals), so it runs unchanged against older code.

const CHASING_PAVEMENTS_BRITISH = '4YoGMmUJJ9dZpQ2CLOmPl2' // popularity 60
const CHASING_PAVEMENTS = '0Z5ok0QLLttAKsujOZYOXf' // the same recording, popularity 74
const HELLO = '1Yk0cQdMLx5RzzFTYwmuld' // Adele; Chasing Pavements is its nearest neighbour
const A_TOUT_LE_MONDE = '6olS0TmHmsGr0hXtcBsiVM' // Megadeth, "A Tout Le Monde - Remastered 2004" (metal): both Paranoids are near
const PARANOID_2009 = '3Jnxngdff0lVu2rza1GVx6' // popularity 42; the 2012 remaster 2z71jdeVcC782NgsYZ6N8q has 28
const CLINT_EASTWOOD = '1RKUoGiLEbcXN4GY4spQDx' // Gorillaz album release, popularity 76; compilation copies have 2-3

let service: SegueService

before(async () => {
  service = await SegueService.start({ home: mkdtempSync(join(tmpdir(), 'segue-recording-')), catalogue: bundledCatalogue() })
}, { timeout: 900_000 })
after(() => service?.close())

const label = (t: Track) => `${t.name} — ${t.artists.join(', ')} [${t.id}]`

/** The recordings a list shows more than once, by title and artists as a listener reads them. */
function repeated(tracks: readonly Track[]): string[] {
  const seen = new Map<string, number>()
  for (const t of tracks) {
    const k = `${t.name.toLowerCase().replace(/\s*[([]\d{4} - remaster[)\]]$/, '')} / ${t.artists.join(', ')}`
    seen.set(k, (seen.get(k) ?? 0) + 1)
  }
  return [...seen].filter(([, n]) => n > 1).map(([k]) => k)
}

test('CLI recommend --seeds "Daft Punk" "Air" --model als --tracks: Clint Eastwood and Porcelain once, as their most popular release', { timeout: 600_000 }, async () => {
  // What `segue recommend --tracks` does for --seeds: artist recommendations become catalogue tracks.
  const t = service.collaborative!
  const l = t.listening
  const byName = new Map([...l.itemNames].map(([raw, name]) => [name.toLowerCase(), raw]))
  const history = ['Daft Punk', 'Air'].map((name) => l.data.items.dense(byName.get(name.toLowerCase())!)!)
  const items = t.model.recommend({ history }, { n: 10 })
  const artist = (item: number) => l.itemNames.get(l.data.items.rawId(item)) ?? l.data.items.rawId(item)
  const list = await service.engine.tracksForArtists(
    items.map((s, i) => ({ artist: artist(s.item), weight: items.length - i })),
    history.map((item) => ({ artist: artist(item), weight: 1 })),
    10,
  )
  const tracks = list.map((x) => x.track)
  assert.deepEqual(repeated(tracks), [], tracks.map(label).join('\n'))
  const clint = tracks.filter((x) => x.name === 'Clint Eastwood')
  assert.deepEqual(clint.map((x) => x.id), [CLINT_EASTWOOD], 'Gorillaz "Clint Eastwood" once, as the album release')
  assert.equal(tracks.filter((x) => x.name === 'Porcelain - Reprise Version').length, 1, tracks.map(label).join('\n'))
})

test('similar "Clair de Lune": "Lieutenant Kijé ... Troïka" once', async () => {
  const r = await service.engine.similar('Clair de Lune')
  const troika = r.items.filter((i) => i.track.name.includes('Troïka'))
  assert.equal(troika.length, 1, r.items.map((i) => label(i.track)).join('\n'))
  assert.deepEqual(repeated(r.items.map((i) => i.track)), [])
})

test('"Sounds like" for a metal listener: Black Sabbath "Paranoid" once (2009 and 2012 remasters are one recording)', async () => {
  const { listener } = await service.createListener(null)
  await service.feedback(listener.id, A_TOUT_LE_MONDE, 'like')
  const r = await service.recommendations(listener.id, { model: 'content', n: 10, seeds: [] })
  const paranoid = r.items.filter((i) => i.track.name.startsWith('Paranoid') && i.track.artists.includes('Black Sabbath'))
  assert.deepEqual(paranoid.map((i) => i.track.id), [PARANOID_2009], r.items.map((i) => label(i.track)).join('\n'))
})

test('a listener playlist leaves out every release of a disliked track ("Chasing Pavements")', async () => {
  const { listener } = await service.createListener(null)
  const before = await service.playlist([HELLO], { exclude: await service.rejectedRows(listener.id) })
  assert.ok(before.items.some((i) => i.track.id === CHASING_PAVEMENTS), 'without the dislike the playlist offers Chasing Pavements')
  await service.feedback(listener.id, CHASING_PAVEMENTS_BRITISH, 'dislike')
  const p = await service.playlist([HELLO], { exclude: await service.rejectedRows(listener.id) })
  const offered = p.items.filter((i) => i.track.name === 'Chasing Pavements' && i.track.artists.includes('Adele'))
  assert.deepEqual(offered.map((i) => i.track.id), [], p.items.map((i) => label(i.track)).join('\n'))
  assert.equal(p.items.length, before.items.length, 'the playlist is as long as before')
  // The same holds for "for you" (content), which already compared recordings by title.
  await service.feedback(listener.id, HELLO, 'like')
  const r = await service.recommendations(listener.id, { model: 'content', n: 20, seeds: [] })
  assert.ok(!r.items.some((i) => i.track.name === 'Chasing Pavements' && i.track.artists.includes('Adele')))
})
