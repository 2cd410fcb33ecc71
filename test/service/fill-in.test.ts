import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SegueService } from '../../src/service/service.js'
import { realFile } from '../helpers/paths.js'

// "Listeners like you" over the bundled HetRec Last.fm 2K, on a catalogue where only five artists besides the
// liked one are Last.fm artists: the collaborative picks can be at most those five tracks, so a list of 10 runs
// short and For you's popular fill-in (src/service/for-you.ts) must supply the rest, after the personal picks.
const LINKED = ['Madonna', 'Lady Gaga', 'Rihanna', 'Katy Perry', 'Christina Aguilera']
const UNKNOWN = ['Qzv Orchestra', 'Lumo Brass', 'Pelt Quartet', 'Ondra Kite', 'Vesk Duo', 'Ynna Reeds', 'Kallo Ferns', 'Tamsy Wool']
const SEED = 'seed0000000000000000001'

const HEADER = ',track_id,artists,album_name,track_name,popularity,duration_ms,explicit,danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,time_signature,track_genre'

function row(i: number, id: string, artist: string, popularity: number, genre: string): string {
  const x = (0.3 + 0.04 * (i % 10)).toFixed(2)
  return `${i},${id},${artist},Album,Song ${i},${popularity},200000,False,${x},${x},5,-8.0,1,0.05,0.3,0.0,0.1,0.5,${100 + i},4,${genre}`
}

function catalogue(): string {
  const rows = [row(0, SEED, 'Britney Spears', 70, 'pop')]
  LINKED.forEach((a, i) => rows.push(row(i + 1, `linked${String(i).padStart(16, '0')}`, a, 40 + i, 'pop')))
  UNKNOWN.forEach((a, i) => rows.push(row(i + 10, `unknown${String(i).padStart(15, '0')}`, a, 60 + i, i % 2 ? 'jazz' : 'folk')))
  const dir = mkdtempSync(join(tmpdir(), 'segue-fill-cat-'))
  writeFileSync(join(dir, 'catalogue.csv'), [HEADER, ...rows].join('\n') + '\n')
  return join(dir, 'catalogue.csv')
}

let service: SegueService

before(async () => {
  service = await SegueService.start({
    home: mkdtempSync(join(tmpdir(), 'segue-fill-')),
    catalogue: catalogue(),
    listening: realFile('hetrec2011-lastfm-2k')!,
    // item-kNN fits in a second and needs no worker threads (so this also runs from source).
    cfModel: { name: 'item-knn', params: {} },
  })
})
after(() => service?.close())

test('Listeners like you: when the personal picks run short, popular tracks fill the list, after them', async () => {
  const { listener } = await service.createListener(null)
  await service.feedback(listener.id, SEED, 'like')
  const r = await service.recommendations(listener.id, { model: 'collaborative', n: 10, seeds: [] })
  const kinds = r.items.map((i) => i.reasons[0].kind)
  const personal = kinds.filter((k) => k === 'collaborative').length
  assert.ok(personal >= 1 && personal <= LINKED.length, `some personal picks, at most the linked artists: ${kinds.join(', ')}`)
  assert.equal(r.items.length, 10, `the list is filled to n: ${kinds.join(', ')}`)
  assert.deepEqual(kinds, [...Array(personal).fill('collaborative'), ...Array(10 - personal).fill('popular')], 'personal first, then popular')
  const filled = r.items.slice(personal).map((i) => i.track.artists[0])
  assert.ok(filled.every((a) => UNKNOWN.includes(a) || LINKED.includes(a)), filled.join(', '))
  assert.ok(!r.items.some((i) => i.track.id === SEED), 'never the liked track itself')
})
