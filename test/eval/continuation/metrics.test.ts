import { test } from 'node:test'
import assert from 'node:assert/strict'
import { clicks, ndcg, ndcgRulesText, NO_HIT_CLICKS, rPrecision } from '../../../src/eval/continuation/metrics.js'

// Artists of tracks 1..12 for the R-precision cases: 1, 2 and 6 by A; 3, 9 and 10 by B; 4 by C; 5 and 12 by D; 11 by A.
const ARTIST: Record<number, string> = { 1: 'A', 2: 'A', 3: 'B', 4: 'C', 5: 'D', 6: 'A', 7: 'E', 8: 'F', 9: 'B', 10: 'B', 11: 'A', 12: 'D' }
const artistOf = (t: number) => ARTIST[t]
const G = new Set([1, 2, 3, 4]) // artists {A, B, C}

test('R-precision reads only the first |G| tracks: 2 hits in [1, 9, 5, 2] of G = {1,2,3,4} is 2/4', () => {
  assert.equal(rPrecision([1, 9, 5, 2, 3, 4], G), 0.5) // 3 and 4 sit at ranks 5 and 6, past |G| = 4
})

test('R-precision artist credit: a miss by one of G\'s artists earns 0.25 of a hit', () => {
  // Top 4: 1 (hit), 9 (miss, artist B in G's artists: +0.25), 5 (miss, D not in G's: 0), 2 (hit). (2 + 0.25) / 4.
  assert.equal(rPrecision([1, 9, 5, 2], G, artistOf), 0.5625)
})

test('R-precision artist credit counts each artist once, over distinct artists of the misses', () => {
  // Top 4 all miss: 9 (B), 10 (B again: no more credit), 11 (A), 12 (D: none). 0.25 x |{B, A}| / 4 = 0.125.
  assert.equal(rPrecision([9, 10, 11, 12], G, artistOf), 0.125)
  // 1 hits; 6 misses but is by A, G's artist (that 1 also has A does not matter): (1 + 0.25) / 4 = 0.3125.
  assert.equal(rPrecision([1, 6, 7, 8], G, artistOf), 0.3125)
})

test('R-precision: a perfect list scores exactly 1 with or without artist credit; repeats do not count twice', () => {
  assert.equal(rPrecision([4, 3, 2, 1], G, artistOf), 1)
  // [1, 1, 2, 3, 4] read as [1, 2, 3, 4] (first occurrences), so all four are in the top 4.
  assert.equal(rPrecision([1, 1, 2, 3, 4], G), 1)
})

test('NDCG as the grader computed it: G = {1,2,3}, R = [7, 1, 8, 2]', () => {
  // DCG = 1/log2(3) + 1/log2(5) = 0.63093 + 0.43068 = 1.06161 (hits at ranks 2 and 4, discount log2(i + 1)).
  // IDCG over min(|G|, 500) = 3 positions: 1 + 1/log2(3) + 1/log2(4) = 1 + 0.63093 + 0.5 = 2.13093.
  const value = ndcg([7, 1, 8, 2], new Set([1, 2, 3]))
  assert.ok(Math.abs(value - 1.06161 / 2.13093) < 1e-5, `got ${value}`)
  assert.ok(Math.abs(value - 0.49819) < 1e-5)
})

test('NDCG: all of G first is 1; none of G is 0; a repeat is dropped before positions are counted', () => {
  assert.equal(ndcg([3, 1, 2, 9], new Set([1, 2, 3])), 1)
  assert.equal(ndcg([7, 8, 9], new Set([1, 2, 3])), 0)
  // [7, 7, 1] reads as [7, 1]: the hit is at rank 2, DCG 1/log2(3); IDCG for |G| = 1 is 1.
  assert.ok(Math.abs(ndcg([7, 7, 1], new Set([1])) - 1 / Math.log2(3)) < 1e-12)
})

test('NDCG as the rules text writes it differs: same R = [7, 1, 8, 2], G = {1,2,3} gives 0.75', () => {
  // DCG = rel_1 + rel_2/log2(2) + rel_4/log2(4) = 0 + 1 + 0.5 = 1.5; |G ∩ R| = 2, IDCG = 1 + 1/log2(2) = 2.
  assert.equal(ndcgRulesText([7, 1, 8, 2], new Set([1, 2, 3])), 0.75)
  assert.equal(ndcgRulesText([7, 8], new Set([1])), 0)
})

test('clicks: pages of 10 before the first relevant track; 51 when none in the first 500', () => {
  const at = (rank: number) => Array.from({ length: 500 }, (_, i) => (i === rank - 1 ? 1 : 1000 + i))
  const G1 = new Set([1])
  assert.equal(clicks(at(1), G1), 0)
  assert.equal(clicks(at(10), G1), 0) // still on the first page
  assert.equal(clicks(at(11), G1), 1) // floor((11 - 1) / 10)
  assert.equal(clicks(at(25), G1), 2) // floor(24 / 10)
  assert.equal(clicks(at(500), G1), 49)
  assert.equal(clicks(at(600), G1), NO_HIT_CLICKS) // no hit at all
  assert.equal(NO_HIT_CLICKS, 51)
  // Rank 501 lies past the 500 the challenge read: as if absent.
  assert.equal(clicks([...at(600), 1], G1), 51)
})

test('every metric refuses a playlist with nothing held out (the challenge never had one)', () => {
  for (const f of [() => rPrecision([1], new Set()), () => ndcg([1], new Set()), () => clicks([1], new Set())]) {
    assert.throws(f, { code: 'E_BAD_ARGUMENT' })
  }
})
