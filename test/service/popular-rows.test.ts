import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Track } from '../../src/core/track.js'
import { popularAcrossGenres } from '../../src/service/popular-rows.js'

/** The comparator sort popularAcrossGenres replaced (for-you.ts before), the reference its lists must equal. */
function reference(tracks: readonly Track[], n: number): number[] {
  const byGenre = new Map<string, number[]>()
  tracks.forEach((t, row) => {
    const g = t.genres[0] ?? ''
    const rows = byGenre.get(g)
    if (rows) rows.push(row)
    else byGenre.set(g, [row])
  })
  const lists = [...byGenre.values()].map((rows) => rows.sort((a, b) => (tracks[b].popularity ?? 0) - (tracks[a].popularity ?? 0) || a - b))
  lists.sort((a, b) => (tracks[b[0]].popularity ?? 0) - (tracks[a[0]].popularity ?? 0))
  const out: number[] = []
  for (let i = 0; out.length < n && lists.some((l) => i < l.length); i++) {
    for (const l of lists) if (i < l.length && out.length < n) out.push(l[i])
  }
  return out
}

/** A seeded generator (mulberry32), so a failure repeats. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
}

/** Tracks with few popularity values (many ties), genres of very different sizes, some with no genre or popularity. */
function tracks(count: number, seed: number, popularity: (r: () => number) => number | null): Track[] {
  const r = random(seed)
  return Array.from({ length: count }, (_, i) => {
    const g = Math.floor(r() ** 3 * 40)
    return { id: `t${i}`, name: `t${i}`, genres: g === 39 ? [] : [`genre-${g}`, 'second'], popularity: popularity(r) } as unknown as Track
  })
}

test('popular rows across genres: the packed native sort gives the comparator\'s lists, ties and nulls included', () => {
  for (const seed of [1, 2, 3]) {
    const whole = tracks(20_000, seed, (r) => (r() < 0.05 ? null : Math.floor(r() * 101)))
    for (const n of [0, 1, 7, 400, 25_000]) assert.deepEqual(popularAcrossGenres(whole, n), reference(whole, n), `seed ${seed}, n ${n}`)
  }
  const out = popularAcrossGenres(tracks(5_000, 9, (r) => Math.floor(r() * 101)), 400)
  assert.equal(out.length, 400)
  assert.equal(new Set(out).size, 400)
})

test('popular rows across genres: popularities the packing cannot hold (fractions, negatives, large) take the comparator path', () => {
  const odd = [(r: () => number) => r() * 100, (r: () => number) => Math.floor(r() * 50) - 25, (r: () => number) => Math.floor(r() * 5000)]
  for (const popularity of odd) {
    const ts = tracks(3_000, 4, popularity)
    assert.deepEqual(popularAcrossGenres(ts, 300), reference(ts, 300))
  }
})
