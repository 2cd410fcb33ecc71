import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ForYou, fuse } from '../../src/service/for-you.js'
import { DEFAULT_FOR_YOU_PARAMS, forYouParams, HAND_SET_PARAMS } from '../../src/service/for-you-params.js'
import { buildProfile, positiveWeight } from '../../src/service/profile.js'
import { SegueService } from '../../src/service/service.js'
import type { FeedbackEvent, FeedbackKind } from '../../src/store/store.js'
import { fixturesDir } from '../helpers/paths.js'

// The engine fixture: nine tracks around 'Seed Song', content only.
const SEED = 'seed0000000000000000001'
const ALPHA_TWO = 'alpha000000000000000002'
const CLOSE = 'close000000000000000003'
const MIDDLE = 'middle00000000000000006'
let service: SegueService

before(async () => {
  service = await SegueService.start({ home: mkdtempSync(join(tmpdir(), 'segue-params-')), catalogue: join(fixturesDir, 'engine', 'catalogue.csv'), listening: null })
})
after(() => service?.close())

const events = (...e: [string, FeedbackKind][]): FeedbackEvent[] => e.map(([trackId, kind], i) => ({ seq: i + 1, listenerId: 'l', trackId, kind, at: '' }))
const weightOf = (p: ReturnType<typeof buildProfile>, id: string) => p.positives.find((x) => x.row === service.view.rowOf.get(id))!.weight

test('recency decay, its floor and kind weights come from the params', () => {
  const history = events([SEED, 'like'], [ALPHA_TWO, 'like'], [CLOSE, 'play'])
  const p = buildProfile(service.view, history, [], forYouParams({ recencyDecay: 0.5, recencyFloor: 0.3, kindWeight: { seed: 1, like: 2, play: 0.1 } }))
  assert.equal(weightOf(p, CLOSE), 0.1, 'newest play: kind weight only')
  assert.equal(weightOf(p, ALPHA_TWO), 2 * 0.5, 'one event since: one decay')
  assert.equal(weightOf(p, SEED), 2 * 0.3, 'two events since: 0.25, floored at 0.3')
  const hand = buildProfile(service.view, history)
  assert.equal(weightOf(hand, SEED), 1 * 0.93 ** 2, 'defaults: the hand-set 0.93 per event')
  assert.equal(positiveWeight('play', 100, HAND_SET_PARAMS), 0.35 * 0.25)
})

test('maxAnchors bounds the likes the content list is drawn around', async () => {
  const history = events([MIDDLE, 'like'], [SEED, 'like'])
  const reasonsWith = async (maxAnchors: number) => {
    const forYou = new ForYou(service.view, null, forYouParams({ maxAnchors }))
    const r = await forYou.recommend(buildProfile(service.view, history), 'content', 5)
    return new Set(r.items.flatMap((i) => i.reasons.filter((x) => x.kind === 'like').map((x) => x.trackId)))
  }
  assert.deepEqual(await reasonsWith(1), new Set([SEED]), 'one anchor: the newest like only')
  assert.deepEqual(await reasonsWith(6), new Set([SEED, MIDDLE]))
})

test('negative pull: a threshold of 1 turns it off; the defaults pull down what sounds like a dislike', async () => {
  const history = events([SEED, 'like'], [CLOSE, 'dislike'])
  const scores = async (over = {}) => {
    const r = await new ForYou(service.view, null, forYouParams(over)).recommend(buildProfile(service.view, history), 'content', 6)
    return new Map(r.items.map((i) => [i.track.id, i.score]))
  }
  const pulled = await scores()
  const free = await scores({ negativeThreshold: 1 })
  const lower = [...pulled].filter(([id, s]) => s < free.get(id)! - 1e-12)
  assert.ok(lower.length > 0, 'some candidate near the dislike scores lower with the pull')
  assert.ok([...pulled].every(([id, s]) => s <= free.get(id)! + 1e-12))
})

test('fusion by reciprocal rank with the params\' constant and weights', () => {
  const c = (row: number) => ({ row, score: 0, reasons: [] })
  const even = fuse([c(1), c(2)], [c(2), c(3)], { rrfK: 0, hybridWeights: { content: 0.5, collaborative: 0.5 } })
  assert.deepEqual(even.map((x) => [x.row, x.score]), [[2, 0.5 / 2 + 0.5 / 1], [1, 0.5], [3, 0.25]])
  const contentOnly = fuse([c(1), c(2)], [c(2), c(3)], { rrfK: 20, hybridWeights: { content: 1, collaborative: 0 } })
  assert.deepEqual(contentOnly.map((x) => x.row), [1, 2, 3])
})

test('the defaults are a complete, frozen set; overrides replace only what they name', () => {
  assert.ok(Object.isFrozen(HAND_SET_PARAMS))
  assert.deepEqual(Object.keys(DEFAULT_FOR_YOU_PARAMS).sort(), Object.keys(HAND_SET_PARAMS).sort())
  const p = forYouParams({ perArtist: 5 })
  assert.equal(p.perArtist, 5)
  assert.equal(p.rrfK, DEFAULT_FOR_YOU_PARAMS.rrfK)
})
