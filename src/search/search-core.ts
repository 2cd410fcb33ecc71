import { ExpandScratch, expandWord } from './expand.js'
import { baseTitleWords, tokenize } from './normalize.js'
import { Accumulator, TopK, idf, type WordPlan } from './scorer.js'
import type { SearchArrays } from './search-index.js'

/** What bounds the cost of one search, whatever the query. */
export const QUERY_LIMITS = {
  /** Characters read from a query (the HTTP schema refuses longer ones); the rest is ignored. */
  maxQueryChars: 200,
  /** Distinct words used from a query, in order; a title plus an artist rarely needs more. */
  maxQueryWords: 8,
  /** Postings one word may read through its prefix and typo matches (its exact term is always read). */
  maxExpandedPostings: 60_000,
  maxLimit: 500,
} as const

/** How the best candidates are re-ranked; each bonus multiplies the score. */
export const RANKING = {
  /** Candidates re-ranked with whole-title checks (more than any page of results). */
  rerankPool: 64,
  /** The title (without release notes) is the query, or the query is it followed or preceded by other words. */
  exactTitleBonus: 1.5,
  /** An artist's name is the query, or the query is it plus other words ("daft punk", "hello adele"). */
  exactArtistBonus: 1.3,
  /** The query's words appear in the title in order, side by side. */
  titlePhraseBonus: 1.2,
  /** Popularity 0-100 multiplies the score by 1 + ln(1 + popularity) / this (as the MiniSearch version). */
  popularityDivisor: 10,
} as const

/** What re-ranking reads of a track. */
export interface TrackText {
  name: string
  artists: readonly string[]
}

export interface Candidate {
  doc: number
  score: number
}

/**
 * The part of a search that reads the index: each word expanded to terms, postings summed per document,
 * the best documents kept. Holds no Track objects, so a worker thread can run it over shared arrays.
 * Scratch arrays are reused: calls must not overlap (they cannot, being synchronous).
 */
export class SearchCore {
  private readonly accumulator: Accumulator
  private readonly scratch: ExpandScratch

  /** `popularityBoost[doc]` multiplies each document's score (1 for no popularity); `textOf` gives its texts. */
  constructor(
    readonly arrays: SearchArrays,
    readonly popularityBoost: Float32Array,
    private readonly textOf: (doc: number) => TrackText,
  ) {
    this.accumulator = new Accumulator(arrays, popularityBoost.length)
    this.scratch = new ExpandScratch(arrays.terms.length)
  }

  /** The best `limit` documents for the query's words, best first. */
  search(words: string[], limit: number): Candidate[] {
    return this.rerank(this.candidates(words, Math.max(limit, RANKING.rerankPool)), words).slice(0, limit)
  }

  /** The k best documents matching every word, or else any word (scaled by the share of words matched). */
  private candidates(words: string[], k: number): Candidate[] {
    if (words.length === 0 || k <= 0) return []
    this.accumulator.accumulate(words.map((w) => this.plan(w)))
    const { touched, count, total, matched } = this.accumulator
    let all = 0
    for (let i = 0; i < count; i++) if (matched[touched[i]] === words.length) all++
    const top = new TopK(k)
    for (let i = 0; i < count; i++) {
      const doc = touched[i]
      if (all > 0 && matched[doc] !== words.length) continue
      top.offer(total[doc] * (matched[doc] / words.length) * this.popularityBoost[doc], doc)
    }
    return top.sorted()
  }

  /**
   * One word's terms with weights, within the word's postings budget (the exact term always fits). A
   * completion or typo match is never worth more than the word itself: its rarity is capped at the exact
   * term's, so "the" does not rank "Thee" above "The".
   */
  private plan(word: string): WordPlan {
    const plan: WordPlan = { terms: [], weights: [] }
    let budget = QUERY_LIMITS.maxExpandedPostings
    let cap = Infinity
    for (const e of expandWord(this.arrays, this.scratch, word)) {
      const df = this.documentFrequency(e.term)
      const rarity = Math.min(idf(df, this.popularityBoost.length), cap)
      if (e.weight === 1) cap = rarity
      else if (df > budget) continue
      else budget -= df
      plan.terms.push(e.term)
      plan.weights.push(e.weight * rarity)
    }
    return plan
  }

  private documentFrequency(term: number): number {
    return this.arrays.postStart[term + 1] - this.arrays.postStart[term]
  }

  /** Re-ranks candidates with whole-title checks; ties go to the more popular track, then the lower row. */
  private rerank(pool: Candidate[], words: string[]): Candidate[] {
    const phrase = ` ${words.join(' ')} `
    const ranked = pool.map(({ doc, score }) => {
      const text = this.textOf(doc)
      return { doc, score: score * titleBonus(text.name, phrase) * artistBonus(text.artists, phrase) }
    })
    const boost = this.popularityBoost
    return ranked.sort((x, y) => y.score - x.score || boost[y.doc] - boost[x.doc] || x.doc - y.doc)
  }
}

/**
 * The bonus of a title that, without its release notes, is the query (or the query is it plus other words),
 * or that holds the query as a phrase. `phrase` is the query's words joined, with a space at each end.
 */
function titleBonus(name: string, phrase: string): number {
  const base = ` ${baseTitleWords(name).join(' ')} `
  if (base.length > 2 && embeds(phrase, base)) return RANKING.exactTitleBonus
  return ` ${tokenize(name).join(' ')} `.includes(phrase) ? RANKING.titlePhraseBonus : 1
}

function artistBonus(artists: readonly string[], phrase: string): number {
  for (const a of artists) {
    const name = ` ${tokenize(a).join(' ')} `
    if (name.length > 2 && embeds(phrase, name)) return RANKING.exactArtistBonus
  }
  return 1
}

/** Whether the query is `part`, or starts or ends with it (both spaced at the ends). */
function embeds(phrase: string, part: string): boolean {
  return phrase === part || phrase.startsWith(part) || phrase.endsWith(part)
}
