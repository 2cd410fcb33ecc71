import { existsSync } from 'node:fs'
import type { Track } from '../core/track.js'
import { loadArtifact, saveArtifact } from '../core/artifact.js'
import { SegueError } from '../core/errors.js'
import { ExpandScratch, expandWord } from './expand.js'
import { normalizeText, tokenize } from './normalize.js'
import { Accumulator, TopK, idf, type WordPlan } from './scorer.js'
import { buildArrays, fromBlobs, toBlobs, type SearchArrays } from './search-index.js'

export { normalizeText, tokenize }

export interface SearchHit {
  track: Track
  score: number
}

export interface SearchOptions {
  /** How many hits to return (default 10, at most QUERY_LIMITS.maxLimit). */
  limit?: number
}

/** What bounds the cost of one search, whatever the query. */
export const QUERY_LIMITS = {
  /** Characters read from a query (the HTTP schema refuses longer ones); the rest is ignored. */
  maxQueryChars: 200,
  /** Distinct words used from a query, in order; titles plus artist rarely need more. */
  maxQueryWords: 8,
  /** Postings one word may read through its prefix and typo matches (its exact term is always read). */
  maxExpandedPostings: 60_000,
  maxLimit: 500,
} as const

/** How the best candidates are re-ranked; each bonus multiplies the score. */
export const RANKING = {
  /** Candidates re-ranked with whole-title checks (more than any page of results). */
  rerankPool: 64,
  /** The title is exactly the query, or the query is the title followed or preceded by other words. */
  exactTitleBonus: 1.5,
  /** The query's words appear in the title in order, side by side. */
  titlePhraseBonus: 1.2,
  /** Popularity 0-100 multiplies the score by 1 + ln(1 + popularity) / this (as the MiniSearch version). */
  popularityDivisor: 10,
} as const

const ARTIFACT = { kind: 'track-search', version: 1 } as const

/**
 * Typo-tolerant search over track titles, artists and albums with a bounded cost per query: a compact
 * index in typed arrays (sorted dictionary, CSR postings with field masks, a bigram index for typos),
 * prefix completion only from 3 letters, typo matches only from 4 letters among a bounded candidate set,
 * and at most QUERY_LIMITS.maxQueryWords words. Scores are BM25 per field with field boosts.
 *
 * Every word of the query must match some field (exactly, as a prefix, or within about one edit per five
 * letters); when that finds nothing, any word may match. Exact titles and title phrases get a bonus, and
 * among equally good matches more popular tracks come first.
 */
export class TrackSearch {
  private readonly accumulator: Accumulator
  private readonly scratch: ExpandScratch
  private readonly popularityBoost: Float32Array

  constructor(tracks: readonly Track[])
  constructor(tracks: readonly Track[], arrays: SearchArrays)
  constructor(
    private readonly tracks: readonly Track[],
    private readonly arrays: SearchArrays = buildArrays(tracks),
  ) {
    this.accumulator = new Accumulator(arrays, tracks.length)
    this.scratch = new ExpandScratch(arrays.terms.length)
    this.popularityBoost = Float32Array.from(tracks, (t) => 1 + Math.log1p(t.popularity ?? 0) / RANKING.popularityDivisor)
  }

  search(query: string, opts: SearchOptions = {}): SearchHit[] {
    const limit = Math.max(0, Math.min(Math.floor(opts.limit ?? 10), QUERY_LIMITS.maxLimit))
    const words = queryWords(query)
    if (words.length === 0 || limit === 0) return []
    this.accumulator.accumulate(words.map((w) => this.plan(w)))
    const pool = this.bestCandidates(words.length, Math.max(limit, RANKING.rerankPool))
    return this.rerank(pool, words).slice(0, limit)
  }

  /** Writes the index atomically as a checksummed artifact under `key` (what it was built from). */
  save(path: string, key: string): void {
    const meta = { docs: this.tracks.length, terms: this.arrays.terms.length }
    saveArtifact(path, { ...ARTIFACT, key, meta }, toBlobs(this.arrays))
  }

  /**
   * Reads an index saved by save(). Throws E_ARTIFACT_CORRUPT for a damaged file and E_ARTIFACT_VERSION for
   * another format version, another key or another number of tracks (all mean: build it again).
   */
  static load(path: string, key: string, tracks: readonly Track[]): TrackSearch {
    if (!existsSync(path)) throw new SegueError('E_ARTIFACT_CORRUPT', `${path}: no search index there`)
    const { header, blobs } = loadArtifact(path, ARTIFACT)
    if (header.key !== key) throw new SegueError('E_ARTIFACT_VERSION', `${path}: search index built for '${header.key}', expected '${key}'`)
    if (header.meta.docs !== tracks.length) {
      throw new SegueError('E_ARTIFACT_VERSION', `${path}: search index holds ${header.meta.docs} tracks, the catalogue ${tracks.length}`)
    }
    const arrays = fromBlobs(blobs, Number(header.meta.terms), path)
    if (arrays.fieldLen.length !== tracks.length * 3 || arrays.postStart.length !== arrays.terms.length + 1) {
      throw new SegueError('E_ARTIFACT_CORRUPT', `${path}: search index arrays do not fit together`)
    }
    return new TrackSearch(tracks, arrays)
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
      const rarity = Math.min(idf(df, this.tracks.length), cap)
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

  /** The k best documents matching every word, or else any word (scaled by the share of words matched). */
  private bestCandidates(wordCount: number, k: number): { doc: number; score: number }[] {
    const { touched, count, total, matched } = this.accumulator
    let all = 0
    for (let i = 0; i < count; i++) if (matched[touched[i]] === wordCount) all++
    const top = new TopK(k)
    for (let i = 0; i < count; i++) {
      const doc = touched[i]
      if (all > 0 && matched[doc] !== wordCount) continue
      top.offer(total[doc] * (matched[doc] / wordCount) * this.popularityBoost[doc], doc)
    }
    return top.sorted()
  }

  private rerank(pool: { doc: number; score: number }[], words: string[]): SearchHit[] {
    const phrase = ` ${words.join(' ')} `
    const hits = pool.map(({ doc, score }) => {
      const title = ` ${tokenize(this.tracks[doc].name).join(' ')} `
      let bonus = 1
      if (title.length > 2 && (title === phrase || phrase.startsWith(title) || phrase.endsWith(title))) bonus = RANKING.exactTitleBonus
      else if (title.includes(phrase)) bonus = RANKING.titlePhraseBonus
      return { track: this.tracks[doc], score: score * bonus, doc }
    })
    hits.sort((x, y) => y.score - x.score || (y.track.popularity ?? 0) - (x.track.popularity ?? 0) || x.doc - y.doc)
    return hits.map(({ track, score }) => ({ track, score }))
  }
}

/** The distinct words of a query, in order, within QUERY_LIMITS. */
export function queryWords(query: string): string[] {
  const words = tokenize(query.slice(0, QUERY_LIMITS.maxQueryChars))
  return [...new Set(words)].slice(0, QUERY_LIMITS.maxQueryWords)
}
