import assert from 'node:assert/strict'
import type { Store } from '../../src/store/store.js'
import type { FeedbackKind } from '../../src/store/store.js'

/**
 * Impressions and feedback whose online figures are worked out by hand (the window is 24 h):
 *
 * Day D (2026-11-30), model hybrid:
 *   a shown t1 t2 t3 t4 at 10:00, and t1 again at 12:00 (same day: one pair)
 *   b shown t1 t5 at 11:00
 *   a: t1 played 10:05 and liked 10:06; t2 skipped 10:07; t3 played two days later (outside); t4 played 09:00 (before)
 *   b: t5 disliked 11:30
 *   -> shown 6 (a-t1 a-t2 a-t3 a-t4 b-t1 b-t5), played 1, liked 1, skipped 1, disliked 1
 * Day D, model content: b shown t5 t6 at 11:00; t6 played 11:10 -> shown 2, played 1, disliked 1 (the same t5)
 * Day D+1, model hybrid: a shown t2 at 08:00; a played t2 at D+1 11:00 (after D's window closed at D+1 10:00)
 *   -> shown 1, played 1; and D's a-t2 stays unplayed.
 * One row per listener, track, model and day: of the 11 impressions, a-t1's repeat extends its row and the one
 * for a listener who does not exist is left out, so 9 rows are written.
 */
export const DAY = '2026-11-30'
export const NEXT_DAY = '2026-12-01'
const at = (day: string, hhmm: string) => `${day}T${hhmm}:00.000Z`

export const EXPECTED = [
  { day: DAY, model: 'content', shown: 2, played: 1, liked: 0, skipped: 0, disliked: 1 },
  { day: DAY, model: 'hybrid', shown: 6, played: 1, liked: 1, skipped: 1, disliked: 1 },
  { day: NEXT_DAY, model: 'hybrid', shown: 1, played: 1, liked: 0, skipped: 0, disliked: 0 },
]

const listener = (id: string) => ({ id, name: null, tokenHash: 'f'.repeat(64), createdAt: at(DAY, '00:00') })

export async function loadOnlineFixture(store: Store): Promise<number> {
  await store.createListener(listener('a'))
  await store.createListener(listener('b'))
  const shown = (listenerId: string, model: string, when: string, ids: string[]) => ids.map((trackId) => ({ listenerId, trackId, model, at: when }))
  const stored = await store.recordImpressions([
    ...shown('a', 'hybrid', at(DAY, '10:00'), ['t1', 't2', 't3', 't4']),
    ...shown('a', 'hybrid', at(DAY, '12:00'), ['t1']),
    ...shown('b', 'hybrid', at(DAY, '11:00'), ['t1', 't5']),
    ...shown('b', 'content', at(DAY, '11:00'), ['t5', 't6']),
    ...shown('ghost', 'hybrid', at(DAY, '11:00'), ['t1']),
    ...shown('a', 'hybrid', at(NEXT_DAY, '08:00'), ['t2']),
  ])
  const fb = (trackId: string, kind: FeedbackKind, when: string) => ({ trackId, kind, at: when })
  await store.appendFeedback('a', [
    fb('t4', 'play', at(DAY, '09:00')),
    fb('t1', 'play', at(DAY, '10:05')),
    fb('t1', 'like', at(DAY, '10:06')),
    fb('t2', 'skip', at(DAY, '10:07')),
    fb('t2', 'play', at(NEXT_DAY, '11:00')),
    fb('t3', 'play', at('2026-12-02', '10:00')),
  ])
  await store.appendFeedback('b', [fb('t6', 'play', at(DAY, '11:10')), fb('t5', 'dislike', at(DAY, '11:30'))])
  return stored
}

/** The whole known-answer check over one store (used by the store contract suite, so both stores run it). */
export async function checkOnlineFixture(store: Store): Promise<void> {
  assert.equal(await loadOnlineFixture(store), 9)
  assert.deepEqual(await store.onlineStats(DAY), EXPECTED)
  // Shown again in a later batch the same day: the row is extended, nothing is counted twice.
  assert.equal(await store.recordImpressions([{ listenerId: 'a', trackId: 't1', model: 'hybrid', at: at(DAY, '13:00') }]), 1)
  assert.deepEqual(await store.onlineStats(DAY), EXPECTED)
  assert.deepEqual(await store.onlineStats(NEXT_DAY), EXPECTED.slice(2))
  assert.deepEqual(await store.onlineStats('2026-12-02'), [])
  // b's impressions go with b; a's figures are untouched.
  await store.deleteListener('b')
  assert.deepEqual(await store.onlineStats(DAY), [
    { day: DAY, model: 'hybrid', shown: 4, played: 1, liked: 1, skipped: 1, disliked: 0 },
    EXPECTED[2],
  ])
}
