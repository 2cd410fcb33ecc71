import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { AlsRecommender } from '../../src/models/als/als.js'
import { ArtistBridge } from '../../src/service/artist-bridge.js'
import { ForYou, type ForYouModel, type ForYouResult } from '../../src/service/for-you.js'
import { buildProfile, type Profile } from '../../src/service/profile.js'
import type { SegueService } from '../../src/service/service.js'
import type { FeedbackKind } from '../../src/store/store.js'
import { TestListener } from '../helpers/listener.js'
import { startBundledService } from '../helpers/service.js'

// Issue 8 §5, "Listeners like you" with a new seed per request: the artist part of a taste (the model's artists,
// their reasons, their tracks scored) is kept across requests (src/service/for-you-collab-cache.ts). The lists
// must be the uncached computation's, bit for bit: same tracks, scores, reasons and feature views. The reference
// is a profile copied into a new object, folded from the whole history at once, given to a recommender of its
// own (withBridge: empty caches). Real 114k catalogue and HetRec Last.fm 2K, a small one-thread ALS.

let service: SegueService
let forYou: ForYou
let bridge: ArtistBridge
/** Popular tracks whose artists the model knows, and popular tracks whose artists it does not. */
let known: string[] = []
let unknown: string[] = []

before(async () => {
  service = await startBundledService({ annThreshold: Infinity, cfModel: { name: 'als', params: { threads: 1, factors: 16, iterations: 4 } } })
  bridge = new ArtistBridge(service.collaborative!, service.view.tracks)
  forYou = new ForYou(service.view, bridge)
  const { tracks } = service.view
  const byPopularity = tracks.map((_, row) => row).sort((a, b) => (tracks[b].popularity ?? 0) - (tracks[a].popularity ?? 0) || a - b)
  for (const row of byPopularity.slice(0, 5000).filter((_, i) => i % 7 === 2)) (bridge.itemsOf(tracks[row]).length > 0 ? known : unknown).push(tracks[row].id)
}, { timeout: 600_000 })
after(() => service?.close())

const pickFrom = (list: string[], i: number) => list[(i * 7919) % list.length]

class Listener extends TestListener {
  constructor() {
    super(service.view)
  }
}

const short = () => new Listener().add(Array.from({ length: 8 }, (_, i) => [pickFrom(known, i), i < 3 ? 'like' : 'play']))
const LONG_KINDS: FeedbackKind[] = [...Array(10).fill('like'), ...Array(80).fill('play'), ...Array(7).fill('skip'), ...Array(3).fill('dislike')]
const long = () =>
  new Listener().add(Array.from({ length: 2000 }, (_, i) => [pickFrom(i % 3 ? known : unknown, i * 31 + 5), LONG_KINDS[(i * 37) % LONG_KINDS.length]]))

const shape = (r: ForYouResult) => r.items.map((i) => ({ id: i.track.id, score: i.score, reasons: i.reasons, because: i.because }))

/** The uncached computation: the whole history folded at once, in a profile no cache knows, a recommender of its own. */
async function uncached(on: ForYou, l: Listener, seeds: string[], model: ForYouModel): Promise<ReturnType<typeof shape>> {
  const p: Profile = { ...buildProfile(service.view, l.events, seeds) }
  return shape(await on.withBridge(on.artistBridge!).recommend(p, model, 10))
}

async function assertSame(on: ForYou, l: Listener, seeds: string[], model: ForYouModel, what: string): Promise<ForYouResult> {
  const r = await on.recommend(l.history.profile(seeds), model, 10)
  assert.ok(r.items.length > 0 && !r.coldStart, `${what}: a personal list`)
  assert.deepEqual(shape(r), await uncached(on, l, seeds, model), `${what}: cached and uncached lists differ`)
  return r
}

/** Counts the bridge's folds (one per artist part built). */
function countFolds(b: ArtistBridge): { count: number } {
  const counter = { count: 0 }
  const fold = b.artistsWithReasons.bind(b)
  b.artistsWithReasons = (history, n) => {
    counter.count++
    return fold(history, n)
  }
  return counter
}

test('collaborative and hybrid: the same lists as the uncached computation, 8 and 2,000 events, seeds the model knows and does not', async () => {
  for (const [size, l] of [['8 events', short()], ['2,000 events', long()]] as const) {
    // Hybrid adds the content list (its own cache, tested in for-you-content-cache.test.ts): fewer seeds.
    for (const [model, seeds] of [['collaborative', 4], ['hybrid', 2]] as const) {
      for (let i = 0; i < seeds; i++) {
        const seed = i % 2 ? pickFrom(known, 100 + i) : pickFrom(unknown, 100 + i)
        await assertSame(forYou, l, [seed], model, `${size}, ${model}, seed ${seed}`)
        // The same request again is served from the kept part, and still the same list.
        await assertSame(forYou, l, [seed], model, `${size}, ${model}, seed ${seed} again`)
      }
      await assertSame(forYou, l, [], model, `${size}, ${model}, no seed`)
    }
  }
})

test("the artist part's artists are the model's own top-n over every item (recommendArtists), for tastes with and without seeds", () => {
  // artistsWithReasons scores the linked artists only and selects them in one pass (artist-bridge.ts topLinked):
  // the same artists and scores as ranking every artist with selectTopN, the linked ones as filter.
  const parts = new ForYou(service.view, bridge)
  let tastes = 0
  for (const l of [short(), long()]) {
    for (let i = 0; i < 6; i++) {
      const p = l.history.profile(i === 0 ? [] : [pickFrom(known, 400 + i)])
      const taste = new Map<number, number>()
      for (const pos of p.positives) for (const item of bridge.itemsOf(service.view.tracks[pos.row])) taste.set(item, (taste.get(item) ?? 0) + parts.params.cfWeight[pos.kind] * pos.weight)
      for (const n of [1, 10, 15, 40]) {
        assert.deepEqual(bridge.artistsWithReasons(taste, n).artists, bridge.recommendArtists(taste, n), `taste ${i}, n ${n}`)
        tastes++
      }
    }
  }
  assert.equal(tastes, 48)
})

test("a seed's reasons explained from the history's factorisation (explainerNear): the full factorisation's shares within 1e-9", () => {
  const model = service.collaborative!.model as AlsRecommender
  const parts = new ForYou(service.view, bridge)
  const tasteOf = (p: Profile) => {
    const taste = new Map<number, number>()
    for (const pos of p.positives) for (const item of bridge.itemsOf(service.view.tracks[pos.row])) taste.set(item, (taste.get(item) ?? 0) + parts.params.cfWeight[pos.kind] * pos.weight)
    return taste
  }
  let compared = 0
  for (const l of [short(), long()]) {
    const history = tasteOf(l.history.profile())
    const basis = model.explainBasis([...history.keys()], [...history.values()])
    for (let i = 0; i < 5; i++) {
      const taste = tasteOf(l.history.profile([pickFrom(known, 500 + i)]))
      const folded = model.foldUser({ history: [...taste.keys()], weights: [...taste.values()] })
      const near = model.explainerNear(folded, basis)
      const full = model.explainerFolded(folded)
      for (const { item } of model.recommendFolded(folded, { n: 10 })) {
        const [a, b] = [near(item, 5).because, full(item, 5).because]
        const scale = Math.max(...b.map((x) => Math.abs(x.score)))
        assert.deepEqual(a.map((x) => x.item), b.map((x) => x.item), `artist ${item}: the same listener's artists, in the same order`)
        a.forEach((x, j) => assert.ok(Math.abs(x.score - b[j].score) <= 1e-9 * scale, `artist ${item}: share ${x.score} against ${b[j].score}`))
        compared++
      }
    }
  }
  assert.equal(compared, 100)
})

test('a seed whose artists the model does not know costs no fold-in; one it knows costs one, the first time', async () => {
  const own = new ForYou(service.view, bridge)
  const folds = countFolds(bridge)
  try {
    const l = long()
    await own.recommend(l.history.profile([pickFrom(unknown, 1)]), 'collaborative', 10)
    assert.equal(folds.count, 1, 'the history taste is folded once')
    for (let i = 2; i < 8; i++) await own.recommend(l.history.profile([pickFrom(unknown, i)]), 'collaborative', 10)
    assert.equal(folds.count, 1, 'seeds the model does not know leave the taste as the history made it')
    const seed = known.find((id) => !l.events.some((e) => e.trackId === id))!
    await own.recommend(l.history.profile([seed]), 'collaborative', 10)
    await own.recommend(l.history.profile([seed]), 'collaborative', 10)
    assert.equal(folds.count, 2, 'a seed the model knows changes the taste: one fold-in, kept for the next request')
  } finally {
    delete (bridge as Partial<ArtistBridge>).artistsWithReasons
  }
})

test('events between requests: the next list is the uncached one, and rejected tracks never come back', async () => {
  const l = short()
  const rejected = new Set<string>()
  for (let round = 0; round < 4; round++) {
    const seed = pickFrom(round % 2 ? known : unknown, 200 + round)
    const r = await assertSame(forYou, l, [seed], 'collaborative', `round ${round}`)
    for (const item of r.items) assert.ok(!rejected.has(item.track.id), `round ${round}: rejected ${item.track.id} came back`)
    // The listener dislikes the first track shown, skips the second and likes the third.
    const [a, b, c] = r.items.map((i) => i.track.id)
    l.add([[a, 'dislike'], [b, 'skip'], ...(c ? [[c, 'like'] as [string, FeedbackKind]] : [])])
    rejected.add(a).add(b)
    const after = await assertSame(forYou, l, [seed], 'collaborative', `round ${round}, after the events`)
    for (const item of after.items) assert.ok(!rejected.has(item.track.id), `round ${round}: rejected ${item.track.id} came back`)
  }
})

test('a model swap: lists come from the new model, the same as its uncached computation', async () => {
  const other = new AlsRecommender({ threads: 1, factors: 8, iterations: 3 })
  await other.fit(service.collaborative!.listening.data, { seed: 2 })
  const swapped = forYou.withBridge(new ArtistBridge({ ...service.collaborative!, model: other }, service.view.tracks, bridge.links))
  const l = long()
  let changed = 0
  for (let i = 0; i < 3; i++) {
    const seed = pickFrom(known, 300 + i)
    const before = await assertSame(forYou, l, [seed], 'collaborative', `before the swap, seed ${seed}`)
    const after = await assertSame(swapped, l, [seed], 'collaborative', `after the swap, seed ${seed}`)
    if (JSON.stringify(shape(before)) !== JSON.stringify(shape(after))) changed++
  }
  assert.ok(changed > 0, 'another model gives other lists (else this test could not tell the models apart)')
})
