import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MIN_HELD_OUT, SEED_CATEGORIES, splitContinuation, trainingData } from '../../../src/eval/continuation/split.js'
import { twoScenes } from './hand-built.js'

// 200 playlists of 110 distinct tracks each: every category, 100 seeds included, can take any of them.
const set = twoScenes({ rock: 150, jazz: 50, pool: 300, length: 110, seed: 7 })

test('split: test, validation and training playlists are disjoint and together the whole set', () => {
  const s = splitContinuation(set, { test: 40, validation: 20, seed: 1 })
  const test = new Set(s.test.map((h) => h.pid))
  const validation = new Set(s.validation.map((h) => h.pid))
  assert.equal(test.size, 40)
  assert.equal(validation.size, 20)
  for (const p of s.train) assert.ok(!test.has(p.pid) && !validation.has(p.pid), `pid ${p.pid} is held out and trains`)
  for (const pid of test) assert.ok(!validation.has(pid))
  assert.equal(s.train.length + 60, set.playlists.length)
  // Test mode trains on train + validation playlists, validation mode on train alone: never on a test playlist.
  for (const mode of ['test', 'validation'] as const) {
    const t = trainingData(s, mode)
    assert.ok(t.playlists.every((p) => !test.has(p.pid)))
    assert.equal(t.interactions.matrix.rows, t.playlists.length)
    assert.equal(t.interactions.matrix.cols, set.tracks.length)
  }
  assert.equal(trainingData(s, 'validation').playlists.length, s.train.length)
  assert.equal(trainingData(s, 'test').playlists.length, s.train.length + 20)
})

test('split: each category gets its share and shows exactly its seeds; held-out = distinct tracks minus seeds', () => {
  const s = splitContinuation(set, { test: 40, validation: 0, seed: 1 })
  const byPid = new Map(set.playlists.map((p) => [p.pid, p]))
  for (const c of SEED_CATEGORIES) {
    const group = s.test.filter((h) => h.category === c.id)
    assert.equal(group.length, 4, `category ${c.label}`)
    for (const h of group) {
      const p = byPid.get(h.pid)!
      assert.equal(h.query.seeds.length, c.seeds, `${c.label}: seed count`)
      assert.equal(h.query.title, c.title ? p.name : '', `${c.label}: title shown or not`)
      if (c.pick === 'first') assert.deepEqual(h.query.seeds, p.tracks.slice(0, c.seeds))
      else {
        // Random picks keep playlist order: their positions in the playlist rise.
        const positions = h.query.seeds.map((t) => p.tracks.indexOf(t))
        assert.ok(positions.every((x, i) => x >= 0 && (i === 0 || x > positions[i - 1])), `${c.label}: seeds from the playlist, in order`)
      }
      const expected = new Set(p.tracks.filter((t) => !h.query.seeds.includes(t)))
      assert.deepEqual(h.heldOut, expected)
      assert.ok(h.heldOut.size >= MIN_HELD_OUT)
    }
  }
  // The random categories do not simply show the first tracks.
  const random25 = s.test.filter((h) => h.category === 8)
  assert.ok(random25.some((h) => h.query.seeds.join() !== byPid.get(h.pid)!.tracks.slice(0, 25).join()))
})

test('split: the same seed gives the same split; another seed another; validation size leaves the test part alone', () => {
  const a = splitContinuation(set, { test: 30, validation: 10, seed: 5 })
  const b = splitContinuation(set, { test: 30, validation: 10, seed: 5 })
  assert.deepEqual(b.test, a.test)
  assert.deepEqual(b.validation, a.validation)
  const c = splitContinuation(set, { test: 30, validation: 10, seed: 6 })
  assert.notDeepEqual(c.test.map((h) => h.pid), a.test.map((h) => h.pid))
  const d = splitContinuation(set, { test: 30, validation: 50, seed: 5 })
  assert.deepEqual(d.test, a.test)
})

test('split: playlists too short for a category are never put in it, and the shortfall is reported', () => {
  // 20 tracks each: 100-seed (and 25-seed: 20 - 25 < MIN_HELD_OUT) categories cannot be filled.
  const short = twoScenes({ rock: 60, jazz: 20, pool: 100, length: 20, seed: 3 })
  const s = splitContinuation(short, { test: 20, validation: 0, seed: 1 })
  for (const id of [7, 8, 9, 10]) {
    assert.equal(s.test.filter((h) => h.category === id).length, 0)
    assert.equal(s.shortfall[id], 2)
  }
  assert.equal(s.test.filter((h) => h.category === 6).length, 2)
  assert.throws(() => splitContinuation(short, { test: 5 }), { code: 'E_BAD_ARGUMENT' })
})
