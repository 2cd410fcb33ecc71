import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { CatalogueView } from '../../src/engine.js'
import { DEFAULT_FOR_YOU_PARAMS } from '../../src/service/for-you-params.js'
import { buildProfile, floorSince, ListenerHistory, positiveWeight } from '../../src/service/profile.js'
import type { FeedbackEvent, FeedbackKind } from '../../src/store/store.js'

// The fold only reads ids -> rows and recording keys, so a catalogue of 1,000 ids is enough; t1 and t1b are two
// releases of one recording.
const ids = Array.from({ length: 1000 }, (_, i) => `t${i}`)
ids.push('t1b')
const view = { rowOf: new Map(ids.map((id, row) => [id, row])), dupKeys: ids.map((id) => id.replace(/b$/, '')) } as unknown as CatalogueView
const row = (id: string) => view.rowOf.get(id)!

let seq = 0
const ev = (trackId: string, kind: FeedbackKind): FeedbackEvent => ({ seq: ++seq, listenerId: 'l', trackId, kind, at: '' })

test('the last like, skip or dislike decides; plays never revive a rejected track; weights decay with events since', () => {
  const events = [ev('t1', 'like'), ev('t2', 'play'), ev('t3', 'like'), ev('t3', 'skip'), ev('t3', 'play'), ev('t2', 'like'), ev('t4', 'dislike'), ev('gone', 'play')]
  const p = buildProfile(view, events)
  assert.deepEqual(p.positives.map((x) => [x.row, x.kind, +x.weight.toFixed(4)]), [
    [row('t2'), 'like', +(0.93 ** 2).toFixed(4)],
    [row('t1'), 'like', +(0.93 ** 7).toFixed(4)],
  ])
  assert.deepEqual(p.negatives, [{ row: row('t3'), weight: 0.5 }, { row: row('t4'), weight: 1 }])
  assert.ok(p.heard.has(row('t3')) && p.heardKeys.has('t1') && !p.heard.has(row('t5')))
})

test('folding a history in batches gives the profile of folding it at once', () => {
  const kinds: FeedbackKind[] = ['play', 'play', 'like', 'skip', 'play', 'dislike']
  const events = Array.from({ length: 3000 }, (_, i) => ev(`t${(i * 37) % 400}`, kinds[(i * 7) % kinds.length]))
  const whole = new ListenerHistory(view)
  whole.fold(events)
  const parts = new ListenerHistory(view)
  for (let i = 0; i < events.length; i += 7) parts.fold(events.slice(i, i + 7))
  parts.fold(events.slice(0, 10)) // events already folded are ignored
  assert.deepEqual(parts.profile(['t999']).positives, whole.profile(['t999']).positives)
  assert.deepEqual(parts.profile().negatives, whole.profile().negatives)
  assert.deepEqual([...parts.rejected].sort(), [...whole.rejected].sort())
})

test('every rejection holds however long the history; a request reads a bounded profile', () => {
  const h = new ListenerHistory(view)
  h.fold([ev('t1', 'dislike')])
  h.fold(Array.from({ length: 10_000 }, (_, i) => ev(`t${2 + (i % 900)}`, i % 3 === 0 ? 'like' : 'play')))
  const p = h.profile(['t1', 't0'])
  assert.ok(h.rejected.has(row('t1')) && p.heard.has(row('t1')) && p.heardKeys.has('t1'))
  assert.ok(!p.positives.some((x) => x.row === row('t1')), 'a seed the listener disliked does not count')
  assert.equal(p.positives[0].row, row('t0'))
  assert.ok(p.positives.length <= 101, `${p.positives.length} positives`)
  assert.ok(p.heard.has(row('t500')), 'every heard track stays heard')
})

test('a history part shares its predecessor\'s negatives and allowance only when an event left them as they were', () => {
  const kinds: FeedbackKind[] = ['play', 'play', 'play', 'like', 'play', 'skip', 'play', 'dislike', 'like']
  // 200 tracks, so the newest-50 lists of likes and plays drop old entries; replays of a few, so parts often stay.
  const events = Array.from({ length: 600 }, (_, i) => ev(`t${i % 5 === 0 ? 1 : (i * 37) % 200}`, kinds[(i * 7) % kinds.length]))
  // Then 50 likes fill the likes kept, and a played track liked moves into them: its row stays a positive, but
  // the oldest like drops out.
  events.push(ev('t400', 'play'), ...Array.from({ length: 50 }, (_, i) => ev(`t${300 + i}`, 'like')), ev('t400', 'like'))
  const h = new ListenerHistory(view)
  const rows = (ps: readonly { row: number }[]) => ps.map((x) => x.row).sort((a, b) => a - b)
  let prior = h.historyPart()
  let [negativesShared, allowanceShared, allowanceNew] = [0, 0, 0]
  events.forEach((e, i) => {
    h.fold([e])
    const part = h.historyPart()
    const fresh = new ListenerHistory(view)
    fresh.fold(events.slice(0, i + 1))
    const expected = fresh.historyPart()
    assert.deepEqual(part.negatives, expected.negatives, `event ${i}: negatives`)
    assert.deepEqual(part.positives, expected.positives, `event ${i}: positives`)
    assert.equal(part.heardCount, expected.heardCount, `event ${i}: heard count`)
    if (part.negatives === prior.negatives) negativesShared++
    if (part.allowance === prior.allowance) {
      // Only an allowance of the same rows may be shared (allowanceOf does not depend on their order).
      assert.deepEqual(rows(part.positives), rows(prior.positives), `event ${i}: allowance shared across different positives`)
      allowanceShared++
    } else allowanceNew++
    prior = part
  })
  assert.ok(negativesShared > 100 && allowanceShared > 50 && allowanceNew > 50, `${negativesShared} ${allowanceShared} ${allowanceNew}`)
})

test('each positive weighs positiveWeight of its kind and events since, past the floor too, for several decays', () => {
  for (const [recencyDecay, recencyFloor] of [[0.93, 0.25], [0.5, 0.1], [0.999_999, 0.5], [0.8, 1.5], [1, 0.25], [0.9, 0]]) {
    const params = { ...DEFAULT_FOR_YOU_PARAMS, recencyDecay, recencyFloor }
    // 120 tracks each played once, every third liked: the newest 50 of each kind are kept, aged 0 to 119 events.
    const events = Array.from({ length: 120 }, (_, i) => ev(`t${i}`, i % 3 === 0 ? 'like' : 'play'))
    const h = new ListenerHistory(view, params)
    h.fold(events)
    const positives = h.profile().positives
    assert.ok(positives.length >= 80)
    for (const x of positives) {
      const i = events.findIndex((e) => view.rowOf.get(e.trackId) === x.row)
      assert.equal(x.weight, positiveWeight(x.kind as 'like' | 'play', events.length - 1 - i, params), `decay ${recencyDecay}, floor ${recencyFloor}: event ${i}`)
    }
  }
  assert.equal(floorSince({ recencyDecay: 0.93, recencyFloor: 0.25 }), 20)
})
