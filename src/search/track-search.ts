import { existsSync } from 'node:fs'
import type { Track } from '../core/track.js'
import { loadArtifact, saveArtifact } from '../core/artifact.js'
import { SegueError } from '../core/errors.js'
import { normalizeText, tokenize } from './normalize.js'
import { QUERY_LIMITS, RANKING, SearchCore, type Candidate } from './search-core.js'
import { buildArrays, fromBlobs, toBlobs, type SearchArrays } from './search-index.js'
import { SearchThread, encodeTrackLines, shareSearch } from './search-thread.js'

export { normalizeText, tokenize, QUERY_LIMITS, RANKING }

export interface SearchHit {
  track: Track
  score: number
}

export interface SearchOptions {
  /** How many hits to return (default 10, at most QUERY_LIMITS.maxLimit). */
  limit?: number
}

/**
 * searchAsync() uses a worker thread from this many tracks: below it every search takes well under a
 * millisecond and a thread would only add its start-up and message costs.
 */
export const OFF_THREAD_MIN_TRACKS = 20_000

/**
 * Version 2: title lengths count without release notes. Version 3: the search thread's track lines are saved
 * too, and the file is read into shared memory, so starting the thread copies and makes nothing.
 */
const ARTIFACT = { kind: 'track-search', version: 3 } as const

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
  private readonly core: SearchCore
  private thread: SearchThread | null = null

  constructor(tracks: readonly Track[])
  constructor(tracks: readonly Track[], arrays: SearchArrays, boosts?: Float32Array, saved?: SavedBytes)
  constructor(
    private readonly tracks: readonly Track[],
    arrays: SearchArrays = buildArrays(tracks),
    boosts: Float32Array = popularityBoosts(tracks),
    /** The dictionary's and track lines' bytes as loaded (in shared memory), for the search thread. */
    private readonly saved: SavedBytes = {},
  ) {
    this.core = new SearchCore(arrays, boosts, (doc) => tracks[doc])
  }

  /** Searches on the calling thread; its cost is bounded by QUERY_LIMITS and MATCH_RULES. */
  search(query: string, opts: SearchOptions = {}): SearchHit[] {
    const { words, limit } = prepare(query, opts)
    return this.hits(this.core.search(words, limit))
  }

  /**
   * The same answer as search(), computed on the search thread once startThread() has started it and it is
   * ready (else here), so a server's event loop stays free. Rejects with E_RATE_LIMITED when too many
   * searches are waiting or one takes far too long.
   */
  async searchAsync(query: string, opts: SearchOptions = {}): Promise<SearchHit[]> {
    const { words, limit } = prepare(query, opts)
    if (words.length === 0 || limit === 0) return []
    const thread = this.thread
    return this.hits(thread?.ready ? await thread.run(words, limit) : this.core.search(words, limit))
  }

  /**
   * Starts the worker thread searchAsync() uses (a server calls this; a one-shot command need not), for
   * catalogues of OFF_THREAD_MIN_TRACKS or more. The index is shared with it, not copied per search.
   */
  startThread(): void {
    if (this.thread || this.tracks.length < OFF_THREAD_MIN_TRACKS) return
    this.thread = new SearchThread(shareSearch(this.core.arrays, this.core.popularityBoost, this.tracks, this.saved), this.core.arrays.terms.length)
  }

  /** Whether searchAsync() currently runs on the worker thread. */
  get offThread(): boolean {
    return this.thread?.ready ?? false
  }

  /** Stops the search thread, if one was started. */
  async close(): Promise<void> {
    const thread = this.thread
    this.thread = null
    await thread?.close()
  }

  /** Writes the index atomically as a checksummed artifact under `key` (what it was built from). */
  save(path: string, key: string): void {
    const meta = { docs: this.tracks.length, terms: this.core.arrays.terms.length }
    // The popularity boosts are saved too, so loading reads no track (a one-shot command makes tracks lazily).
    const blobs = { ...toBlobs(this.core.arrays), boosts: this.core.popularityBoost, texts: this.saved.texts ?? encodeTrackLines(this.tracks) }
    saveArtifact(path, { ...ARTIFACT, key, meta }, blobs)
  }

  /**
   * Reads an index saved by save(). Throws E_ARTIFACT_CORRUPT for a damaged file and E_ARTIFACT_VERSION for
   * another format version, another key or another number of tracks (all mean: build it again).
   */
  static load(path: string, key: string, tracks: readonly Track[]): TrackSearch {
    if (!existsSync(path)) throw new SegueError('E_ARTIFACT_CORRUPT', `${path}: no search index there`)
    // Straight into shared memory, blobs as views of it: the search thread then reads them where they lie.
    const { header, blobs } = loadArtifact(path, ARTIFACT, { copy: false, shared: true })
    if (header.key !== key) throw new SegueError('E_ARTIFACT_VERSION', `${path}: search index built for '${header.key}', expected '${key}'`)
    if (header.meta.docs !== tracks.length) {
      throw new SegueError('E_ARTIFACT_VERSION', `${path}: search index holds ${header.meta.docs} tracks, the catalogue ${tracks.length}`)
    }
    const arrays = fromBlobs(blobs, Number(header.meta.terms), path)
    if (arrays.fieldLen.length !== tracks.length * 3 || arrays.postStart.length !== arrays.terms.length + 1) {
      throw new SegueError('E_ARTIFACT_CORRUPT', `${path}: search index arrays do not fit together`)
    }
    const boosts = blobs.boosts
    if (boosts === undefined) throw new SegueError('E_ARTIFACT_VERSION', `${path}: search index saved without its popularity boosts (an older segue)`)
    if (!(boosts instanceof Float32Array && boosts.length === tracks.length)) {
      throw new SegueError('E_ARTIFACT_CORRUPT', `${path}: search index popularity boosts do not fit the tracks`)
    }
    const texts = blobs.texts
    if (!(texts instanceof Uint8Array)) throw new SegueError('E_ARTIFACT_CORRUPT', `${path}: search index saved without its track lines`)
    return new TrackSearch(tracks, arrays, boosts, { dictionary: blobs.dictionary as Uint8Array, texts })
  }

  private hits(found: Candidate[]): SearchHit[] {
    return found.map(({ doc, score }) => ({ track: this.tracks[doc], score }))
  }
}

interface SavedBytes {
  dictionary?: Uint8Array
  texts?: Uint8Array
}

/** 1 + ln(1 + popularity) / RANKING.popularityDivisor per track (a plain loop: typed-array from() iterates slowly). */
function popularityBoosts(tracks: readonly Track[]): Float32Array {
  const out = new Float32Array(tracks.length)
  for (let i = 0; i < tracks.length; i++) out[i] = 1 + Math.log1p(tracks[i].popularity ?? 0) / RANKING.popularityDivisor
  return out
}

function prepare(query: string, opts: SearchOptions): { words: string[]; limit: number } {
  const limit = Math.max(0, Math.min(Math.floor(opts.limit ?? 10), QUERY_LIMITS.maxLimit))
  return { words: limit === 0 ? [] : queryWords(query), limit }
}

/** The distinct words of a query, in order, within QUERY_LIMITS. */
export function queryWords(query: string): string[] {
  const words = tokenize(query.slice(0, QUERY_LIMITS.maxQueryChars))
  return [...new Set(words)].slice(0, QUERY_LIMITS.maxQueryWords)
}
