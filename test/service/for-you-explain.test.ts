import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AlsRecommender } from '../../src/models/als/als.js'
import type { FoldedUser } from '../../src/models/als/factor-model.js'
import { SegueService } from '../../src/service/service.js'
import { realFile } from '../helpers/paths.js'

// Issue 8 §5: "Listeners like you" over ALS explains each recommended artist ("Listeners of X also play Y") with
// a factorisation and a solve per artist. It asks the model for more artists than a list shows, so explaining
// them all cost more than the recommending; only the artists of the tracks shown are explained now. Real HetRec
// Last.fm 2K, a small ALS fit, and a catalogue of 15 pop artists HetRec knows, two tracks each.
const ARTISTS = [
  'Madonna', 'Lady Gaga', 'Rihanna', 'Katy Perry', 'Christina Aguilera', 'Kylie Minogue', 'Shakira', 'Avril Lavigne',
  'Kelly Clarkson', 'Beyoncé', 'Jennifer Lopez', 'Mariah Carey', 'Miley Cyrus', 'Spice Girls', 'Backstreet Boys',
]
const SEED = 'seed0000000000000000001'
const HEADER = ',track_id,artists,album_name,track_name,popularity,duration_ms,explicit,danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,time_signature,track_genre'

function row(i: number, id: string, artist: string): string {
  const x = (0.3 + 0.04 * (i % 10)).toFixed(2)
  return `${i},${id},${artist},Album,Song ${i},${40 + (i % 30)},${180000 + 1000 * i},False,${x},${x},5,-8.0,1,0.05,0.3,0.0,0.1,0.5,${100 + i},4,pop`
}

function catalogue(): string {
  const rows = [row(0, SEED, 'Britney Spears')]
  ARTISTS.forEach((a, i) => [0, 1].forEach((j) => rows.push(row(1 + 2 * i + j, `t${String(2 * i + j).padStart(21, '0')}`, a))))
  const dir = mkdtempSync(join(tmpdir(), 'segue-explain-cat-'))
  writeFileSync(join(dir, 'catalogue.csv'), [HEADER, ...rows].join('\n') + '\n')
  return join(dir, 'catalogue.csv')
}

let service: SegueService

before(async () => {
  service = await SegueService.start({
    home: mkdtempSync(join(tmpdir(), 'segue-explain-')),
    catalogue: catalogue(),
    listening: realFile('hetrec2011-lastfm-2k')!,
    // A small, quick ALS on one thread (worker threads run the built kernels in dist/, absent from source).
    cfModel: { name: 'als', params: { threads: 1, factors: 16, iterations: 4 } },
  })
}, { timeout: 120_000 })
after(() => service?.close())

/** Counts the artists the model is asked to explain, by either of its explaining entry points. */
function countExplained(model: AlsRecommender): number[] {
  const explained: number[] = []
  const many = model.explainFolded.bind(model)
  const one = model.explainerFolded.bind(model)
  model.explainFolded = (folded: FoldedUser, items: readonly number[], top?: number) => {
    explained.push(...items)
    return many(folded, items, top)
  }
  model.explainerFolded = (folded: FoldedUser, scoreOf?: (item: number) => number) => {
    const explain = one(folded, scoreOf)
    return (item: number, top?: number) => {
      explained.push(item)
      return explain(item, top)
    }
  }
  return explained
}

test('collaborative: only the artists of the tracks shown are explained, and every shown track is', async () => {
  const model = service.collaborative!.model as AlsRecommender
  const explained = countExplained(model)
  const { listener } = await service.createListener(null)
  await service.feedback(listener.id, SEED, 'like')
  const r = await service.recommendations(listener.id, { model: 'collaborative', n: 3, seeds: [] })
  assert.equal(r.items.length, 3)
  const shown = new Set(r.items.map((i) => i.track.artists[0]))
  assert.ok(explained.length > 0, 'the shown artists were explained')
  assert.ok(explained.length <= shown.size, `${explained.length} artists explained for ${shown.size} shown (${[...shown].join(', ')})`)
  for (const item of r.items) {
    const reason = item.reasons[0]
    assert.equal(reason.kind, 'collaborative')
    assert.match(reason.text, new RegExp(`^Listeners (of Britney Spears also play ${item.track.artists[0]}; you liked “Song 0”|with your taste play ${item.track.artists[0]})$`))
    // An explained reason keeps the key order of one built at once: kind, trackId, text.
    assert.deepEqual(Object.keys(reason), reason.trackId === undefined ? ['kind', 'text'] : ['kind', 'trackId', 'text'])
  }
})
