/**
 * The RecSys Challenge 2018 metrics for playlist continuation. Every metric reads one playlist's recommended
 * list R (set track indices, best first; at most CHALLENGE_LIST_LENGTH are read, repeats after the first
 * occurrence dropped) against its held-out tracks G (distinct).
 *
 * Sources and where they differ (the choice made here is named in each function):
 * - the challenge rules page (recsys-challenge.spotify.com/rules, also Chen et al., RecSys '18, and Zamani et
 *   al., ACM TIST 2019) gives the formulas, including R-precision's artist partial credit added on June 1 2018;
 * - the organisers' grader (`metrics.py` of the challenge, copied in many public repositories) computed NDCG
 *   with a different discount and ideal DCG from the rules text. The leaderboard figures (winner NDCG 0.395)
 *   come from the grader, so NDCG here follows the grader.
 */

import { SegueError } from '../../core/errors.js'

/** The challenge asked for exactly 500 tracks per playlist and read no further. */
export const CHALLENGE_LIST_LENGTH = 500
/** Rules: a recommended track that misses G but whose artist is among G's artists earns a quarter of a hit. */
export const ARTIST_CREDIT = 0.25
/** Recommended Songs shows 10 tracks per page; a click loads the next page. */
export const CLICK_PAGE = 10
/** Rules: clicks when no relevant track is in the 500, "one greater than the maximum number of clicks possible". */
export const NO_HIT_CLICKS = CHALLENGE_LIST_LENGTH / CLICK_PAGE + 1

/** Artist key of a track (any stable id: the artist's name or a dense artist number). */
export type ArtistOf = (track: number) => string | number

/** R cut to the challenge's 500, first occurrences only (the grader truncates first, then dedupes). */
export function challengeList(ranked: ArrayLike<number>): number[] {
  const seen = new Set<number>()
  const out: number[] = []
  for (let i = 0; i < Math.min(ranked.length, CHALLENGE_LIST_LENGTH); i++) {
    if (seen.has(ranked[i])) continue
    seen.add(ranked[i])
    out.push(ranked[i])
  }
  return out
}

function requireTruth(truth: ReadonlySet<number>, metric: string): void {
  if (truth.size === 0) throw new SegueError('E_BAD_ARGUMENT', `${metric} is undefined for a playlist with no held-out tracks`)
}

/**
 * R-precision with the artist partial credit: over the first |G| recommended tracks,
 * (track hits + 0.25 x |distinct artists of the non-hit tracks that are among G's artists|) / |G|.
 * Rules: (|S_T ∩ G_T| + 0.25 |S_A ∩ G_A|) / |G_T|, with the credit stated as for tracks whose artist matches
 * but whose track does not; read that way (followed here) a perfect list scores exactly 1 and an artist earns
 * its quarter once however many of its tracks miss. Without `artistOf`, plain track-level R-precision.
 */
export function rPrecision(ranked: ArrayLike<number>, truth: ReadonlySet<number>, artistOf?: ArtistOf): number {
  requireTruth(truth, 'R-precision')
  const top = challengeList(ranked).slice(0, truth.size)
  const truthArtists = artistOf ? new Set([...truth].map(artistOf)) : new Set<string | number>()
  const creditedArtists = new Set<string | number>()
  let hits = 0
  for (const t of top) {
    if (truth.has(t)) hits++
    else if (artistOf && truthArtists.has(artistOf(t))) creditedArtists.add(artistOf(t))
  }
  return (hits + ARTIST_CREDIT * creditedArtists.size) / truth.size
}

/**
 * NDCG as the grader computed it: DCG = sum over positions i = 1..|R| of rel_i / log2(i + 1), and
 * IDCG = sum over i = 1..min(|G|, 500) of 1 / log2(i + 1), NDCG = DCG / IDCG.
 * The rules text instead writes DCG = rel_1 + sum_{i>=2} rel_i / log2(i) and IDCG = 1 + sum_{i=2}^{|G ∩ R|}
 * 1 / log2(i), which scores a list with one hit at rank 1 as 1.0 however large G is; see ndcgRulesText.
 */
export function ndcg(ranked: ArrayLike<number>, truth: ReadonlySet<number>): number {
  requireTruth(truth, 'NDCG')
  const list = challengeList(ranked)
  let dcg = 0
  for (let i = 0; i < list.length; i++) if (truth.has(list[i])) dcg += 1 / Math.log2(i + 2)
  let idcg = 0
  for (let i = 0; i < Math.min(truth.size, CHALLENGE_LIST_LENGTH); i++) idcg += 1 / Math.log2(i + 2)
  return dcg / idcg
}

/**
 * NDCG exactly as the rules text writes it (not what the leaderboard used; kept to show the difference):
 * DCG = rel_1 + sum_{i=2}^{|R|} rel_i / log2(i); IDCG = 1 + sum_{i=2}^{|G ∩ R|} 1 / log2(i); 0 when G ∩ R is empty.
 */
export function ndcgRulesText(ranked: ArrayLike<number>, truth: ReadonlySet<number>): number {
  requireTruth(truth, 'NDCG')
  const list = challengeList(ranked)
  const gain = (i: number) => (i === 0 ? 1 : 1 / Math.log2(i + 1))
  let dcg = 0
  let found = 0
  for (let i = 0; i < list.length; i++) {
    if (!truth.has(list[i])) continue
    dcg += gain(i)
    found++
  }
  let idcg = 0
  for (let i = 0; i < found; i++) idcg += gain(i)
  return found === 0 ? 0 : dcg / idcg
}

/**
 * Recommended Songs clicks: pages of 10 refreshed before the first relevant track shows,
 * floor((rank - 1) / 10) for the 1-based rank of the first track of G in R (0 when one is in the first 10);
 * 51 when none of the 500 is relevant.
 */
export function clicks(ranked: ArrayLike<number>, truth: ReadonlySet<number>): number {
  requireTruth(truth, 'clicks')
  const list = challengeList(ranked)
  for (let i = 0; i < list.length; i++) if (truth.has(list[i])) return Math.floor(i / CLICK_PAGE)
  return NO_HIT_CLICKS
}
