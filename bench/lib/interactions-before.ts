// buildInteractions as it was before commit "buildInteractions at 16M events" (a per-event IdMap.add, then
// csrFromTriples and a findEntry per timed event), kept as the A side of bench/interactions.bench.ts and as
// the reference the tests compare the current one with, bit for bit.
import { csrFromTriples, findEntry, type Csr } from '../../src/core/csr.js'
import { IdMap } from '../../src/core/ids.js'
import type { Interactions, RawInteraction } from '../../src/data/interactions.js'

/**
 * Builds Interactions from raw events. Repeated (user, item) pairs: implicit values are summed (more plays),
 * explicit ratings keep the latest. Pass existing id maps to keep numbering shared with another set (train and
 * test of one split must share them).
 */
export function buildInteractionsBefore(
  events: readonly RawInteraction[],
  kind: 'implicit' | 'explicit',
  maps: { users?: IdMap; items?: IdMap } = {},
): Interactions {
  const users = maps.users ?? new IdMap()
  const items = maps.items ?? new IdMap()
  const latest = kind === 'explicit' ? keepLatest(events) : events
  const r = new Int32Array(latest.length)
  const c = new Int32Array(latest.length)
  const v = new Float32Array(latest.length)
  latest.forEach((e, i) => {
    r[i] = users.add(e.user)
    c[i] = items.add(e.item)
    v[i] = e.value
  })
  const matrix = csrFromTriples(users.size, items.size, r, c, v)
  const times = latest.some((e) => e.time !== undefined) ? alignTimes(matrix, latest, r, c) : undefined
  return { users, items, matrix, times, kind }
}

function keepLatest(events: readonly RawInteraction[]): RawInteraction[] {
  const byPair = new Map<string, RawInteraction>()
  for (const e of events) {
    const key = `${e.user}\u0000${e.item}`
    const old = byPair.get(key)
    if (!old || (e.time ?? 0) >= (old.time ?? 0)) byPair.set(key, e)
  }
  return [...byPair.values()]
}

/** The latest timestamp of each (user, item) entry, placed where that entry sits in the CSR. */
function alignTimes(m: Csr, events: readonly RawInteraction[], r: Int32Array, c: Int32Array): Float64Array {
  const times = new Float64Array(m.indices.length).fill(NaN)
  events.forEach((e, i) => {
    if (e.time === undefined) return
    const p = findEntry(m, r[i], c[i])
    if (p < 0) throw new Error(`entry (${r[i]}, ${c[i]}) missing from the matrix`)
    if (!(times[p] >= e.time)) times[p] = e.time
  })
  return times
}
