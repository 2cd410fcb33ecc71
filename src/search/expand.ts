import { gramsOf, lowerBound, type SearchArrays } from './search-index.js'

/**
 * How one query word is matched against the dictionary, with every rule that bounds its cost. A word
 * matches terms exactly, as a prefix of longer terms, or within a small edit distance; each kind of
 * match is weighted below an exact one.
 */
export const MATCH_RULES = {
  /** Shorter words match only exactly: "a" or "lo" begin a large share of the dictionary and say little. */
  minPrefixChars: 3,
  /** At most this many longer terms per word, the most frequent first (a prefix range can hold thousands). */
  maxPrefixTerms: 24,
  /** Shorter words get no typo tolerance: one edit of a 3-letter word reaches hundreds of unrelated words. */
  minFuzzyChars: 4,
  /** Edits allowed per character (as MiniSearch's fuzzy 0.2): 1 edit from 4 letters, 2 from 8. */
  fuzzyPerChar: 0.2,
  maxFuzzyDistance: 2,
  /** A word already in this many tracks is taken as meant, not as a typo (and saves the typo search). */
  typoFreeDocs: 100,
  /** Longer words are matched exactly or by prefix only (no title word is this long and misspelt). */
  maxFuzzyChars: 24,
  /** Bigram postings a fuzzy word may scan to find its candidates, rarest bigrams first. */
  maxGramPostings: 40_000,
  /** Edit-distance checks per fuzzy word: the candidates sharing the most bigrams are checked first. */
  maxDistanceChecks: 400,
  maxFuzzyTerms: 16,
  /** Weight of a prefix match relative to an exact one, further scaled by how much of the term it covers. */
  prefixWeight: 0.6,
  /** Weight of a one-edit match relative to an exact one; each edit scales it by this again. */
  fuzzyWeight: 0.5,
} as const

export interface Expansion {
  term: number
  weight: number
}

/** Reusable scratch for fuzzy candidate counting (one per index; searches run one at a time). */
export class ExpandScratch {
  readonly counts: Uint8Array
  readonly touched: Int32Array
  readonly dist: Int32Array[] = [new Int32Array(64), new Int32Array(64)]
  constructor(termCount: number) {
    this.counts = new Uint8Array(termCount)
    this.touched = new Int32Array(termCount)
  }
}

/** Dictionary terms matching `word`: the exact term first, then typo matches, then prefix completions. */
export function expandWord(a: SearchArrays, scratch: ExpandScratch, word: string): Expansion[] {
  const out: Expansion[] = []
  const at = lowerBound(a.terms, word)
  const exact = a.terms[at] === word
  if (exact) out.push({ term: at, weight: 1 })
  if (mayBeTypo(word, exact ? documentFrequency(a, at) : 0)) {
    out.push(...fuzzyMatches(a, scratch, word))
  }
  if (word.length >= MATCH_RULES.minPrefixChars) out.push(...prefixMatches(a, word, at))
  return dedupe(out)
}

function mayBeTypo(word: string, docs: number): boolean {
  const { minFuzzyChars, maxFuzzyChars, typoFreeDocs } = MATCH_RULES
  return word.length >= minFuzzyChars && word.length <= maxFuzzyChars && docs < typoFreeDocs
}

function dedupe(list: Expansion[]): Expansion[] {
  const best = new Map<number, Expansion>()
  for (const e of list) if ((best.get(e.term)?.weight ?? -1) < e.weight) best.set(e.term, e)
  return [...best.values()]
}

function documentFrequency(a: SearchArrays, term: number): number {
  return a.postStart[term + 1] - a.postStart[term]
}

/** Longer terms starting with `word` (from `at`, where it would sort), the most frequent few. */
function prefixMatches(a: SearchArrays, word: string, at: number): Expansion[] {
  const end = lowerBound(a.terms, word + '\uffff')
  const found: number[] = []
  for (let t = at; t < end; t++) if (a.terms[t] !== word) found.push(t)
  found.sort((x, y) => documentFrequency(a, y) - documentFrequency(a, x) || x - y)
  return found.slice(0, MATCH_RULES.maxPrefixTerms).map((t) => ({
    term: t,
    weight: MATCH_RULES.prefixWeight * (word.length / a.terms[t].length),
  }))
}

/** Edits allowed for a word of this length. */
export function maxEdits(length: number): number {
  return Math.min(MATCH_RULES.maxFuzzyDistance, Math.round(length * MATCH_RULES.fuzzyPerChar))
}

/**
 * Terms within maxEdits(word) of `word`. Candidates come from the bigram index: a term within d edits
 * keeps all but at most 2d of the word's distinct padded bigrams, so only terms sharing enough of them are
 * checked, most shared first, and at most maxDistanceChecks of them.
 */
function fuzzyMatches(a: SearchArrays, s: ExpandScratch, word: string): Expansion[] {
  const d = maxEdits(word.length)
  const grams = gramsOf(word)
  const present = grams.map((g) => lowerBound(a.gramKeys, g)).filter((i, k) => a.gramKeys[i] === grams[k])
  present.sort((x, y) => a.gramStart[x + 1] - a.gramStart[x] - (a.gramStart[y + 1] - a.gramStart[y]))
  let touched = 0
  let scanned = 0
  let skipped = grams.length - present.length
  for (const g of present) {
    const from = a.gramStart[g]
    const to = a.gramStart[g + 1]
    if (scanned + (to - from) > MATCH_RULES.maxGramPostings) {
      skipped++
      continue
    }
    scanned += to - from
    for (let p = from; p < to; p++) {
      const t = a.gramTerms[p]
      if (s.counts[t]++ === 0) s.touched[touched++] = t
    }
  }
  const need = Math.max(1, grams.length - 2 * d - skipped)
  const candidates: number[] = []
  for (let i = 0; i < touched; i++) {
    const t = s.touched[i]
    if (s.counts[t] >= need && Math.abs(a.terms[t].length - word.length) <= d) candidates.push(t)
  }
  candidates.sort((x, y) => s.counts[y] - s.counts[x] || x - y)
  for (let i = 0; i < touched; i++) s.counts[s.touched[i]] = 0
  return verify(a, s, word, d, candidates.slice(0, MATCH_RULES.maxDistanceChecks))
}

function verify(a: SearchArrays, s: ExpandScratch, word: string, d: number, candidates: number[]): Expansion[] {
  const out: Expansion[] = []
  for (const t of candidates) {
    const term = a.terms[t]
    if (term === word) continue
    const dist = editDistanceWithin(word, term, d, s.dist)
    if (dist <= d) out.push({ term: t, weight: MATCH_RULES.fuzzyWeight ** dist })
  }
  out.sort((x, y) => y.weight - x.weight || documentFrequency(a, y.term) - documentFrequency(a, x.term))
  return out.slice(0, MATCH_RULES.maxFuzzyTerms)
}

/**
 * Levenshtein distance of a and b, or max + 1 as soon as it is known to exceed max. Rows are scratch
 * arrays longer than b (callers keep words to maxFuzzyChars + maxFuzzyDistance).
 */
export function editDistanceWithin(a: string, b: string, max: number, rows: Int32Array[]): number {
  if (Math.abs(a.length - b.length) > max) return max + 1
  let prev = rows[0]
  let cur = rows[1]
  for (let j = 0; j <= b.length; j++) prev[j] = j
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i
    let rowMin = i
    const ca = a.charCodeAt(i - 1)
    for (let j = 1; j <= b.length; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1
      const v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
      cur[j] = v
      if (v < rowMin) rowMin = v
    }
    if (rowMin > max) return max + 1
    ;[prev, cur] = [cur, prev]
  }
  return Math.min(prev[b.length], max + 1)
}
