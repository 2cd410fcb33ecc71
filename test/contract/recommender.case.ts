import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decodeArtifact, encodeArtifact } from '../../src/core/artifact.js'
import { isSegueError, type ErrorCode } from '../../src/core/errors.js'
import { IdMap } from '../../src/core/ids.js'
import { Rng } from '../../src/core/rng.js'
import { buildInteractions, type Interactions, type RawInteraction } from '../../src/data/interactions.js'
import {
  hasSimilarUsers,
  isExplainable,
  isIncremental,
  type ModelArtifact,
  type Recommender,
  type Scored,
} from '../../src/models/types.js'

/**
 * The suite every Recommender passes (after `implicit`'s shared recommender tests and hono's runTest).
 * A model joins it in a few lines:
 *
 *   runRecommenderSuite('als', () => new AlsRecommender({ factors: 8 }), {
 *     load: AlsRecommender.load,
 *     skip: { 'similar items on the checkerboard': 'why this model cannot, in one sentence' },
 *   })
 *
 * Optional abilities (explain, similarUsers, partialFit) are tested only when the type guards find them.
 */
export interface RecommenderSuiteOptions {
  /** Test name (see SUITE_TESTS) -> the reason this model skips it. An unknown name is an error. */
  skip?: Partial<Record<SuiteTest, string>>
  /** The seed passed to every fit (default 7). */
  seed?: number
  /** Restores a saved model (the class's static load); when given, save -> bytes -> load is tested. */
  load?: (saved: ModelArtifact) => Recommender
}

export const SUITE_TESTS = [
  'checkerboard: the withheld item comes first',
  'graded: a few close tastes outweigh many distant ones',
  'excludes seen items unless asked not to',
  'returns n items',
  'filters backfill to n',
  'deterministic with the same seed',
  'fold-in of a new listener',
  'fold-in excludes the history and accepts an empty one',
  'recommendMany equals recommend per user',
  'similar items exclude the item itself',
  'similar items on the checkerboard',
  'save gives typed-array blobs',
  'save, encode, decode and load give the same answers',
  'a second concurrent fit is refused',
  'fit after fit forgets the old data',
  'no NaN and scores sorted on awkward data',
  'unknown ids are E_NOT_FOUND, unfitted is an error',
  'progress callback and fit report',
  'an aborted fit is E_INTERRUPTED and keeps the old model',
  'explain: the user items that drove the score',
  'explain: contributions sum to the score',
  'similar users of the same kind',
  'partialFit changes the recommendations',
] as const
export type SuiteTest = (typeof SUITE_TESTS)[number]

export function runRecommenderSuite(name: string, make: () => Recommender, opts: RecommenderSuiteOptions = {}): void {
  const skip = opts.skip ?? {}
  for (const key of Object.keys(skip)) {
    if (!(SUITE_TESTS as readonly string[]).includes(key)) throw new Error(`${name}: skip names an unknown test '${key}'`)
  }
  const seed = opts.seed ?? 7
  const fitted = async (data: Interactions) => {
    const model = make()
    await model.fit(data, { seed })
    return model
  }
  const check = (title: SuiteTest, fn: () => Promise<void> | void, applies = true) => {
    const reason = skip[title] ?? (applies ? undefined : 'the model does not have this ability (or no load was given)')
    test(`${name}: ${title}`, { skip: reason }, fn)
  }
  defineRankingTests(check, fitted)
  defineLifecycleTests(check, fitted, make, seed)
  defineLoadTest(check, fitted, opts.load)
  defineAbilityTests(check, fitted, make())
}

type Check = (title: SuiteTest, fn: () => Promise<void> | void, applies?: boolean) => void
type Fitted = (data: Interactions) => Promise<Recommender>

function defineRankingTests(check: Check, fitted: Fitted): void {
  check('graded: a few close tastes outweigh many distant ones', async () => {
    const data = graded()
    const model = await fitted(data)
    const x = data.items.require('X')
    assert.equal(model.recommend({ user: data.users.require('target') }, { n: 1 })[0].item, x, 'for the target listener')
    const history = ['a0', 'a1', 'a2', 'a3'].map((i) => data.items.require(i))
    assert.equal(model.recommend({ history }, { n: 1 })[0].item, x, 'for the same taste folded in')
  })

  check('checkerboard: the withheld item comes first', async () => {
    const model = await fitted(checkerboard())
    for (let u = 0; u < BOARD; u++) assert.equal(model.recommend({ user: u }, { n: 1 })[0].item, u, `user ${u}`)
  })

  check('excludes seen items unless asked not to', async () => {
    const data = checkerboard()
    const model = await fitted(data)
    const unseen = model.recommend({ user: 4 }, { n: BOARD })
    assert.equal(unseen.length, BOARD - seenOf(data, 4).length)
    assert.ok(unseen.every((s) => !seenOf(data, 4).includes(s.item)))
    const all = model.recommend({ user: 4 }, { n: BOARD, excludeSeen: false })
    assert.deepEqual(sortedItems(all), range(BOARD))
  })

  check('returns n items', async () => {
    const model = await fitted(checkerboard())
    for (const n of [0, 1, 5, 20]) assert.equal(model.recommend({ user: 3 }, { n }).length, n)
    assert.equal(model.recommend({ user: 3 }).length, 10, 'n defaults to 10')
    const many = model.recommend({ user: 3 }, { n: 1000 })
    assert.equal(new Set(many.map((s) => s.item)).size, many.length, 'no item twice')
  })

  check('filters backfill to n', async () => {
    const model = await fitted(checkerboard())
    const odd = model.recommend({ user: 0 }, { n: 10, filter: { accept: (i) => i % 2 === 1 } })
    assert.equal(odd.length, 10)
    assert.ok(odd.every((s) => s.item % 2 === 1))
    const allowed = model.recommend({ user: 0 }, { n: 10, filter: { allow: new Set([0, 1, 2, 3]) } })
    assert.deepEqual(sortedItems(allowed), [0, 1, 3], 'only allowed, unseen items, all of them')
    const blocked = model.recommend({ user: 0 }, { n: 5, filter: { block: new Set([0]) } })
    assert.equal(blocked.length, 5)
    assert.ok(blocked.every((s) => s.item !== 0))
  })

  check('fold-in of a new listener', async () => {
    const model = await fitted(checkerboard())
    const out = model.recommend({ history: [0, 2, 4, 6, 8] }, { n: 5 })
    assert.equal(out.length, 5)
    assert.ok(out.every((s) => s.item % 2 === 0), `even history gives even items, got ${items(out)}`)
  })

  check('fold-in excludes the history and accepts an empty one', async () => {
    const model = await fitted(checkerboard())
    const history = [1, 3, 5, 7, 9]
    const out = model.recommend({ history, weights: [1, 2, 3, 4, 5] }, { n: BOARD })
    assert.equal(out.length, BOARD - history.length)
    assert.ok(out.every((s) => !history.includes(s.item)))
    assert.equal(model.recommend({ history: [] }, { n: 3 }).length, 3)
  })

  check('recommendMany equals recommend per user', async () => {
    const model = await fitted(checkerboard())
    const users = [0, 1, 7, 12, 49]
    const filter = { block: new Set([3]) }
    const many = await model.recommendMany(users, { n: 4, filter })
    assert.deepEqual(many, users.map((user) => model.recommend({ user }, { n: 4, filter })))
  })

  check('similar items exclude the item itself', async () => {
    const model = await fitted(checkerboard())
    for (const item of [0, 1, 17]) {
      const out = model.similarItems(item, 6)
      assert.equal(out.length, 6)
      assert.ok(out.every((s) => s.item !== item))
      assert.equal(new Set(items(out)).size, 6)
    }
  })

  check('similar items on the checkerboard', async () => {
    const model = await fitted(checkerboard())
    assert.ok(model.similarItems(10, 5).every((s) => s.item % 2 === 0), 'similar to an even item are even items')
    assert.ok(model.similarItems(11, 5).every((s) => s.item % 2 === 1), 'similar to an odd item are odd items')
  })
}

function defineLifecycleTests(check: Check, fitted: Fitted, make: () => Recommender, seed: number): void {
  check('deterministic with the same seed', async () => {
    const [a, b] = [await fitted(awkward()), await fitted(awkward())]
    for (let u = 0; u < AWKWARD_USERS; u++) assert.deepEqual(a.recommend({ user: u }), b.recommend({ user: u }))
  })

  check('save gives typed-array blobs', async () => {
    const art = (await fitted(checkerboard())).save()
    assert.equal(typeof art.kind, 'string')
    assert.ok(Number.isInteger(art.version))
    assert.doesNotThrow(() => JSON.stringify(art.meta), 'meta is plain JSON')
    assert.ok(Object.keys(art.blobs).length > 0)
    for (const [key, blob] of Object.entries(art.blobs)) assert.ok(ArrayBuffer.isView(blob) && !(blob instanceof DataView), key)
  })

  check('a second concurrent fit is refused', async () => {
    const model = make()
    const first = model.fit(checkerboard(), { seed })
    await assert.rejects(model.fit(checkerboard(), { seed }), /already/)
    await first
    await model.fit(checkerboard(), { seed })
    assert.equal(model.recommend({ user: 0 }, { n: 1 }).length, 1, 'a fit after the first finished is fine')
  })

  check('fit after fit forgets the old data', async () => {
    const model = await fitted(checkerboard())
    await model.fit(awkward(), { seed })
    assertCode(() => model.recommend({ user: BOARD - 1 }), 'E_NOT_FOUND')
    const fresh = await fitted(awkward())
    for (let u = 0; u < AWKWARD_USERS; u++) assert.deepEqual(model.recommend({ user: u }), fresh.recommend({ user: u }))
  })

  check('no NaN and scores sorted on awkward data', async () => {
    const data = awkward()
    const model = await fitted(data)
    const lists = [model.recommend({ history: [] }, { n: AWKWARD_ITEMS })]
    for (let u = 0; u < AWKWARD_USERS; u++) lists.push(model.recommend({ user: u }, { n: AWKWARD_ITEMS, excludeSeen: false }))
    for (let i = 0; i < AWKWARD_ITEMS; i++) lists.push(model.similarItems(i, AWKWARD_ITEMS))
    for (const list of lists) {
      assert.ok(list.every((s) => !Number.isNaN(s.score)), 'no NaN')
      assert.ok(list.every((s, k) => k === 0 || list[k - 1].score >= s.score), 'best first')
    }
  })

  check('unknown ids are E_NOT_FOUND, unfitted is an error', async () => {
    assert.throws(() => make().recommend({ user: 0 }), (e) => isSegueError(e), 'recommend before fit')
    const model = await fitted(checkerboard())
    for (const user of [-1, BOARD, 2.5]) assertCode(() => model.recommend({ user }), 'E_NOT_FOUND')
    assertCode(() => model.recommend({ history: [0, BOARD + 3] }), 'E_NOT_FOUND')
    assertCode(() => model.similarItems(BOARD), 'E_NOT_FOUND')
    await assert.rejects(model.recommendMany([0, BOARD]), (e) => isSegueError(e) && e.code === 'E_NOT_FOUND')
  })

  check('progress callback and fit report', async () => {
    const seen: number[] = []
    const report = await make().fit(checkerboard(), {
      seed,
      onProgress: (p) => {
        assert.ok(p.iteration <= p.total && p.seconds >= 0)
        seen.push(p.iteration)
      },
    })
    assert.ok(seen.length > 0, 'progress reported at least once')
    assert.ok(report.seconds >= 0 && Number.isFinite(report.seconds))
    assert.ok(report.iterations >= 1)
  })

  check('an aborted fit is E_INTERRUPTED and keeps the old model', async () => {
    const model = await fitted(checkerboard())
    const before = model.recommend({ user: 2 })
    await assert.rejects(model.fit(awkward(), { seed, signal: AbortSignal.abort() }), (e) => isSegueError(e) && e.code === 'E_INTERRUPTED')
    assert.deepEqual(model.recommend({ user: 2 }), before)
  })
}

function defineLoadTest(check: Check, fitted: Fitted, load: RecommenderSuiteOptions['load']): void {
  check(
    'save, encode, decode and load give the same answers',
    async () => {
      const model = await fitted(awkward())
      const saved = model.save()
      const bytes = encodeArtifact({ kind: saved.kind, version: saved.version, key: 'suite', meta: saved.meta }, saved.blobs)
      const decoded = decodeArtifact(bytes, saved)
      const back = load!({ kind: saved.kind, version: saved.version, meta: decoded.header.meta, blobs: decoded.blobs })
      assert.equal(back.name, model.name)
      for (let u = 0; u < AWKWARD_USERS; u++) assert.deepEqual(back.recommend({ user: u }), model.recommend({ user: u }))
      assert.deepEqual(back.recommend({ history: [1, 2] }), model.recommend({ history: [1, 2] }))
      assert.deepEqual(back.similarItems(1), model.similarItems(1))
    },
    load !== undefined,
  )
}

function defineAbilityTests(check: Check, fitted: Fitted, probe: Recommender): void {
  check(
    'explain: the user items that drove the score',
    async () => {
      const data = checkerboard()
      const model = await fitted(data)
      if (!isExplainable(model)) return
      const why = model.explain({ user: 6 }, 6, 3)
      assert.equal(why.item, 6)
      assert.ok(why.because.length > 0 && why.because.length <= 3)
      assert.ok(why.because.every((s) => seenOf(data, 6).includes(s.item)), 'only items the user played')
      assert.ok(why.because.every((s, k) => k === 0 || why.because[k - 1].score >= s.score), 'largest first')
    },
    isExplainable(probe),
  )

  check(
    'explain: contributions sum to the score',
    async () => {
      const model = await fitted(awkward())
      if (!isExplainable(model)) return
      for (const user of [0, 5, 9]) {
        const top = model.recommend({ user }, { n: 3 }).filter((s) => Number.isFinite(s.score))
        for (const { item, score } of top) {
          const sum = model.explain({ user }, item, AWKWARD_ITEMS).because.reduce((a, s) => a + s.score, 0)
          assert.ok(Math.abs(sum - score) <= 1e-4 * Math.max(1, Math.abs(score)), `user ${user} item ${item}: ${sum} vs ${score}`)
        }
      }
    },
    isExplainable(probe),
  )

  check(
    'similar users of the same kind',
    async () => {
      const model = await fitted(checkerboard())
      if (!hasSimilarUsers(model)) return
      const out = model.similarUsers(8, 5)
      assert.equal(out.length, 5)
      assert.ok(out.every((s) => s.item !== 8 && s.item % 2 === 0), `even users, got ${items(out)}`)
      assertCode(() => model.similarUsers(BOARD), 'E_NOT_FOUND')
    },
    hasSimilarUsers(probe),
  )

  check(
    'partialFit changes the recommendations',
    async () => {
      const data = checkerboard()
      const model = await fitted(data)
      if (!isIncremental(model)) return
      const before = model.recommend({ user: 0 })
      const played = [1, 3, 5, 7, 9, 11, 13]
      const events = played.map((i) => play('u0', `i${i}`)).concat([play('newcomer', 'i2'), play('newcomer', 'i4')])
      await model.partialFit(buildInteractions(events, 'implicit', { users: data.users, items: data.items }))
      const after = model.recommend({ user: 0 })
      assert.notDeepEqual(after, before)
      assert.ok(after.every((s) => !played.includes(s.item)), 'new plays count as seen')
      const newcomer = model.recommend({ user: data.users.require('newcomer') }, { n: 3 })
      assert.equal(newcomer.length, 3)
      assert.ok(newcomer.every((s) => s.item !== 2 && s.item !== 4))
    },
    isIncremental(probe),
  )
}

// ---- fixtures whose answers are known before the code runs ----

export const BOARD = 50

/**
 * implicit's checkerboard: even users played every even item, odd users every odd item, and user u did
 * not play item u (the diagonal is withheld), so item u is what any sensible model recommends to u first.
 * Dense ids equal the numbers in the raw ids (u7 is user 7, i7 item 7).
 */
export function checkerboard(size = BOARD): Interactions {
  const users = IdMap.from(range(size).map((u) => `u${u}`))
  const items = IdMap.from(range(size).map((i) => `i${i}`))
  const events: RawInteraction[] = []
  for (let u = 0; u < size; u++) for (let i = u % 2; i < size; i += 2) if (i !== u) events.push(play(`u${u}`, `i${i}`))
  return buildInteractions(events, 'implicit', { users, items })
}

/**
 * Unlike the checkerboard, where all same-parity users are equally similar, neighbours here differ in how
 * close they are, so a model that ranks neighbours backwards fails. The target played a0..a3. Three close
 * listeners played a0..a3 and X; thirty distant ones each played one of a0..a3, one of Y0..Y9 (three
 * listeners each, as many as X) and two of F0..F6 (more popular than X). X is what the close tastes say; a
 * model listening to its least similar users or items offers a Y or an F. X has the highest id, so a tie to
 * the lower id never finds it by accident.
 */
export function graded(): Interactions {
  const events: RawInteraction[] = []
  const taste = ['a0', 'a1', 'a2', 'a3']
  for (const item of taste) events.push(play('target', item))
  for (let c = 0; c < 3; c++) for (const item of [...taste, 'X']) events.push(play(`close${c}`, item))
  for (let d = 0; d < 30; d++) {
    for (const item of [`a${d % 4}`, `Y${d % 10}`, `F${d % 7}`, `F${(d + 3) % 7}`]) events.push(play(`distant${d}`, item))
  }
  const items = IdMap.from([...taste, ...range(10).map((i) => `Y${i}`), ...range(7).map((i) => `F${i}`), 'X'])
  return buildInteractions(events, 'implicit', { items })
}

export const AWKWARD_USERS = 40
export const AWKWARD_ITEMS = 60

/**
 * Data that trips careless maths: heavy-tailed play counts (1 to ~100,000), users with no plays, items
 * nobody played, and a user who played one item only. Seeded, so the same on every run.
 */
export function awkward(seed = 11): Interactions {
  const rng = new Rng(seed)
  const users = IdMap.from(range(AWKWARD_USERS).map((u) => `u${u}`))
  const items = IdMap.from(range(AWKWARD_ITEMS).map((i) => `i${i}`))
  const events: RawInteraction[] = [play('u0', 'i0', 3)]
  for (let u = 1; u < AWKWARD_USERS - 3; u++) {
    const count = 2 + rng.int(12)
    for (let k = 0; k < count; k++) {
      const item = Math.floor(Math.pow(rng.next(), 2) * (AWKWARD_ITEMS - 5))
      events.push(play(`u${u}`, `i${item}`, Math.round(Math.exp(rng.next() * 11.5))))
    }
  }
  return buildInteractions(events, 'implicit', { users, items })
}

function play(user: string, item: string, value = 1): RawInteraction {
  return { user, item, value }
}

function seenOf(data: Interactions, user: number): number[] {
  const m = data.matrix
  return Array.from(m.indices.subarray(m.indptr[user], m.indptr[user + 1]))
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i)
}

function items(list: Scored[]): number[] {
  return list.map((s) => s.item)
}

function sortedItems(list: Scored[]): number[] {
  return items(list).sort((a, b) => a - b)
}

function assertCode(fn: () => unknown, code: ErrorCode): void {
  assert.throws(fn, (e) => isSegueError(e) && e.code === code, `expected ${code}`)
}
