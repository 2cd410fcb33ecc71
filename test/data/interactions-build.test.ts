// buildInteractions numbers ids with its own hash table and builds the CSR by its own row sort; these tests hold
// it to the per-event IdMap.add + csrFromTriples version it replaced (bench/lib/interactions-before.ts), bit
// for bit, on real data and on synthetic data with the awkward cases (repeats, long rows, times, shared maps).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { dirname, join } from 'node:path'
import { IdMap } from '../../src/core/ids.js'
import { Rng } from '../../src/core/rng.js'
import { buildInteractions, type Interactions, type RawInteraction } from '../../src/data/interactions.js'
import { readHetrecPlays, readHetrecTaggings } from '../../src/data/listens/hetrec.js'
import { readMovieLensRatings } from '../../src/data/listens/movielens.js'
import { buildInteractionsBefore } from '../../bench/lib/interactions-before.js'
import { syntheticEvents } from '../../bench/lib/synthetic-events.js'
import { SKIP_NO_SHARED, realFile, sharedFile } from '../helpers/paths.js'

function bytes(a: ArrayBufferView | undefined): Buffer | undefined {
  return a && Buffer.from(a.buffer, a.byteOffset, a.byteLength)
}

/** Same ids in the same order, same CSR and times, bit for bit (NaN payloads included). */
function assertSame(got: Interactions, want: Interactions): void {
  assert.deepEqual(got.users.rawIds(), want.users.rawIds())
  assert.deepEqual(got.items.rawIds(), want.items.rawIds())
  assert.equal(got.matrix.rows, want.matrix.rows)
  assert.equal(got.matrix.cols, want.matrix.cols)
  assert.equal(got.kind, want.kind)
  for (const k of ['indptr', 'indices', 'data'] as const) {
    assert.equal(got.matrix[k].length, want.matrix[k].length, k)
    assert.ok(bytes(got.matrix[k])!.equals(bytes(want.matrix[k])!), `${k} differs`)
  }
  assert.equal(got.times === undefined, want.times === undefined)
  if (want.times) assert.ok(bytes(got.times)!.equals(bytes(want.times)!), 'times differ')
  for (const raw of want.users.rawIds().slice(0, 50)) assert.equal(got.users.dense(raw), want.users.dense(raw))
}

function both(events: RawInteraction[], kind: 'implicit' | 'explicit'): void {
  assertSame(buildInteractions(events, kind), buildInteractionsBefore(events, kind))
}

test('real HetRec plays, and its taggings as timed events with repeats, build as before', async () => {
  const dir = dirname(realFile('hetrec2011-lastfm-2k', 'user_artists.dat')!)
  const plays = (await readHetrecPlays(join(dir, 'user_artists.dat'))).events
  assert.equal(plays.length, 92_834)
  both(plays, 'implicit')
  both(plays, 'explicit')
  // 186,479 taggings: a (user, artist) pair tagged several times is a repeat, summed, with its latest day.
  const taggings = (await readHetrecTaggings(join(dir, 'user_taggedartists.dat'))).taggings
  const events = taggings.map((t, i) => ({ user: t.user, item: t.artist, value: 1 + (i % 7) / 10, time: t.time }))
  both(events, 'implicit')
  both(events, 'explicit')
  const built = buildInteractions(events, 'implicit')
  assert.ok(built.matrix.indices.length < events.length, 'the taggings have repeated pairs')
})

test('real MovieLens 100K ratings (explicit, timed) build as before', { skip: sharedFile('movielens-100k', 'u.data') ? false : SKIP_NO_SHARED }, async () => {
  const { events } = await readMovieLensRatings(sharedFile('movielens-100k', 'u.data')!)
  both(events, 'explicit')
  both(events, 'implicit')
})

/** Synthetic events (power-law items, long and short rows) with repeats, fractional values and some times. */
function awkward(): RawInteraction[] {
  const base = syntheticEvents({ users: 800, items: 3000, interactions: 40_000, seed: 5 })
  const rng = new Rng(9)
  const out: RawInteraction[] = []
  for (const e of base) {
    const r = rng.next()
    const time = r < 0.6 ? Math.floor(r * 1e6) : r < 0.62 ? NaN : undefined
    out.push(time === undefined ? { ...e, value: e.value / 3 } : { ...e, value: e.value / 3, time })
    // A repeat of an earlier event, so pairs are summed out of column order, some at the same time.
    if (r < 0.2) out.push({ ...out[Math.floor(rng.next() * out.length)], value: 0.1 + r })
  }
  return out
}

/**
 * The results sit on SharedArrayBuffers (no full collection set off by their bytes) and each fills its buffer,
 * so code that saves or hashes a.buffer whole sees just that array.
 */
function onWholeSharedBuffers(built: Interactions): void {
  const { indptr, indices, data } = built.matrix
  for (const [name, a] of Object.entries({ indptr, indices, data, times: built.times })) {
    if (!a) continue
    assert.ok(a.buffer instanceof SharedArrayBuffer, `${name} is on a SharedArrayBuffer`)
    assert.equal(a.byteOffset, 0, name)
    assert.equal(a.buffer.byteLength, a.byteLength, `${name} fills its buffer`)
  }
}

test('synthetic events with repeats, long rows and times build as before', () => {
  const events = awkward()
  const built = buildInteractions(events, 'implicit')
  const rows = built.matrix.indptr
  const longest = Math.max(...Array.from({ length: built.matrix.rows }, (_, u) => rows[u + 1] - rows[u]))
  assert.ok(longest > 100, `some rows are long (${longest})`)
  assert.ok(built.matrix.indices.length < events.length, 'repeats were summed (the shortened copy of indices/data)')
  onWholeSharedBuffers(built)
  // Every pair new: no repeats, so indices/data are the arrays filled in place.
  onWholeSharedBuffers(buildInteractions(events.map(({ time, ...e }, i) => ({ ...e, item: `${e.item}/${i}` })), 'implicit'))
  both(events, 'implicit')
  both(events, 'explicit')
  both(events.map(({ time, ...e }) => e), 'implicit')
  both([], 'implicit')
})

test('shared id maps: a second set keeps the first numbering and adds its new ids after, as before', () => {
  const events = awkward()
  const half = events.length >> 1
  const run = (build: typeof buildInteractions) => {
    const train = build(events.slice(0, half), 'implicit')
    const test = build([...events.slice(half), { user: 'newcomer', item: 'new-track', value: 1 }], 'implicit', { users: train.users, items: train.items })
    const itemsOnly = build(events.slice(0, 1000), 'implicit', { items: IdMap.from(['z', 'y']) })
    return { train, test, itemsOnly }
  }
  const got = run(buildInteractions)
  const want = run(buildInteractionsBefore)
  assertSame(got.train, want.train)
  assertSame(got.test, want.test)
  assertSame(got.itemsOnly, want.itemsOnly)
  assert.equal(got.test.users, got.train.users, 'the maps passed in are the ones extended')
  assert.equal(got.test.users.rawId(got.test.users.size - 1), 'newcomer')
})

test('repeated pairs are summed in float32 in input order, whatever the column order', () => {
  // 2^24 + 1 rounds back to 2^24 in float32, so the order of the sum shows in the result.
  const big = 16_777_216
  const events = [
    { user: 'u', item: 'b', value: 1 },
    { user: 'u', item: 'a', value: big },
    { user: 'u', item: 'b', value: big },
    { user: 'u', item: 'a', value: 1 },
    { user: 'u', item: 'a', value: 1 },
    { user: 'v', item: 'a', value: 2 },
  ]
  const m = buildInteractions(events, 'implicit').matrix
  assert.deepEqual([...m.indptr], [0, 2, 3])
  assert.deepEqual([...m.indices], [0, 1, 1])
  // Row u: b (id 0) = 1 + 2^24 = 16,777,216 in float32 then; a (id 1) = 2^24 + 1 + 1 = 2^24 (each +1 is lost).
  assert.deepEqual([...m.data], [big, big, 2])
})

test('an id that is not a string is a clear error, not a silent number key', () => {
  const events = [{ user: 'u', item: 'a', value: 1 }, { user: 7, item: 'b', value: 1 }] as unknown as RawInteraction[]
  assert.throws(() => buildInteractions(events, 'implicit'), (e: Error & { code?: string }) => e.code === 'E_BAD_ARGUMENT' && /event 1: ids must be strings, got user the number 7/.test(e.message))
})
