import { FIELD_COUNT, type SearchArrays } from './search-index.js'

/** How matches are scored: BM25 per field with field boosts (one occurrence per field counts). */
export const SCORING = {
  /** A title word says most about a track, an artist nearly as much, an album word little (as before). */
  fieldBoost: [2, 1.5, 0.5],
  /** BM25 length normalisation: a word in a 2-word title counts more than in a 12-word one. */
  k1: 1.2,
  b: 0.75,
} as const

/** One query word's matched terms with their weights (match kind x idf). */
export interface WordPlan {
  terms: number[]
  weights: number[]
}

/**
 * Sums, per document, the best-matching term of each query word, and counts how many words matched.
 * All arrays are allocated once per index and reset through stamps, so a search costs only the postings
 * it reads.
 */
export class Accumulator {
  private readonly fieldWeight: Float32Array
  private readonly wordBest: Float32Array
  private readonly wordStamp: Uint32Array
  private readonly wordTouched: Int32Array
  readonly total: Float32Array
  readonly matched: Uint8Array
  private readonly docStamp: Uint32Array
  /** Documents touched by the last accumulate(), in touched[0 .. count). */
  readonly touched: Int32Array
  count = 0
  private stamp = 0

  constructor(private readonly a: SearchArrays, docs: number) {
    this.fieldWeight = fieldWeights(a.fieldLen, docs)
    this.wordBest = new Float32Array(docs)
    this.wordStamp = new Uint32Array(docs)
    this.wordTouched = new Int32Array(docs)
    this.total = new Float32Array(docs)
    this.matched = new Uint8Array(docs)
    this.docStamp = new Uint32Array(docs)
    this.touched = new Int32Array(docs)
  }

  accumulate(words: WordPlan[]): void {
    if (this.stamp > 0xfffffff0 - words.length) this.resetStamps()
    const query = ++this.stamp
    this.count = 0
    for (const w of words) this.addWord(w, query)
  }

  private addWord(w: WordPlan, query: number): void {
    const stamp = ++this.stamp
    let n = 0
    for (let k = 0; k < w.terms.length; k++) n = this.scanTerm(w.terms[k], w.weights[k], stamp, n)
    for (let i = 0; i < n; i++) {
      const doc = this.wordTouched[i]
      if (this.docStamp[doc] !== query) {
        this.docStamp[doc] = query
        this.total[doc] = 0
        this.matched[doc] = 0
        this.touched[this.count++] = doc
      }
      this.total[doc] += this.wordBest[doc]
      this.matched[doc]++
    }
  }

  /** Reads one term's postings into the word's best-per-document scores; returns the touched count. */
  private scanTerm(term: number, weight: number, stamp: number, n: number): number {
    const { postStart, postDocs, postFields } = this.a
    for (let p = postStart[term]; p < postStart[term + 1]; p++) {
      const doc = postDocs[p]
      const v = weight * this.bestField(doc, postFields[p])
      if (this.wordStamp[doc] !== stamp) {
        this.wordStamp[doc] = stamp
        this.wordBest[doc] = v
        this.wordTouched[n++] = doc
      } else if (v > this.wordBest[doc]) this.wordBest[doc] = v
    }
    return n
  }

  private bestField(doc: number, mask: number): number {
    let best = 0
    for (let f = 0; f < FIELD_COUNT; f++) {
      if ((mask & (1 << f)) !== 0) best = Math.max(best, this.fieldWeight[doc * FIELD_COUNT + f])
    }
    return best
  }

  private resetStamps(): void {
    this.wordStamp.fill(0)
    this.docStamp.fill(0)
    this.stamp = 0
  }
}

/** Boost x BM25 term-frequency factor (tf = 1) of each document's fields. */
function fieldWeights(fieldLen: Uint8Array, docs: number): Float32Array {
  const avg = new Float64Array(FIELD_COUNT)
  for (let i = 0; i < fieldLen.length; i++) avg[i % FIELD_COUNT] += fieldLen[i] / Math.max(1, docs)
  const out = new Float32Array(fieldLen.length)
  const { k1, b, fieldBoost } = SCORING
  for (let i = 0; i < fieldLen.length; i++) {
    const f = i % FIELD_COUNT
    const norm = 1 - b + (b * fieldLen[i]) / Math.max(avg[f], 1e-9)
    out[i] = (fieldBoost[f] * (k1 + 1)) / (1 + k1 * norm)
  }
  return out
}

/** Inverse document frequency (BM25's, never negative). */
export function idf(df: number, docs: number): number {
  return Math.log(1 + (docs - df + 0.5) / (df + 0.5))
}

/** The k best (score, doc) pairs, kept in a min-heap; ties keep the lower doc. */
export class TopK {
  private readonly scores: Float64Array
  private readonly docs: Int32Array
  size = 0
  constructor(private readonly k: number) {
    this.scores = new Float64Array(k)
    this.docs = new Int32Array(k)
  }

  offer(score: number, doc: number): void {
    if (this.size < this.k) {
      this.scores[this.size] = score
      this.docs[this.size] = doc
      this.up(this.size++)
    } else if (this.size > 0 && this.worse(this.scores[0], this.docs[0], score, doc)) {
      this.scores[0] = score
      this.docs[0] = doc
      this.down(0)
    }
  }

  /** Documents, best first. */
  sorted(): { doc: number; score: number }[] {
    const out = Array.from({ length: this.size }, (_, i) => ({ doc: this.docs[i], score: this.scores[i] }))
    return out.sort((x, y) => y.score - x.score || x.doc - y.doc)
  }

  /** Whether (s1, d1) ranks below (s2, d2). */
  private worse(s1: number, d1: number, s2: number, d2: number): boolean {
    return s1 < s2 || (s1 === s2 && d1 > d2)
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.worse(this.scores[i], this.docs[i], this.scores[parent], this.docs[parent])) return
      this.swap(i, parent)
      i = parent
    }
  }

  private down(i: number): void {
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < this.size && this.worse(this.scores[l], this.docs[l], this.scores[m], this.docs[m])) m = l
      if (r < this.size && this.worse(this.scores[r], this.docs[r], this.scores[m], this.docs[m])) m = r
      if (m === i) return
      this.swap(i, m)
      i = m
    }
  }

  private swap(i: number, j: number): void {
    ;[this.scores[i], this.scores[j]] = [this.scores[j], this.scores[i]]
    ;[this.docs[i], this.docs[j]] = [this.docs[j], this.docs[i]]
  }
}
