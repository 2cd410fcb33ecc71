import type { Track } from '../core/track.js'

/**
 * A fitted vocabulary of genre or artist terms. Terms are chosen by document frequency (the number of
 * training tracks carrying them), most frequent first with ties broken by the term itself, cut at a cap, and
 * then listed alphabetically so the output columns read in a stable, findable order.
 *
 * idf[t] = ln(N / df[t]) + 1, with N training tracks: a term on every track still keeps weight 1, a rarer term
 * weighs more. There is no smoothing because every term in the vocabulary has df >= 1.
 */
export interface Vocabulary {
  terms: string[]
  idf: Float64Array
  index: Map<string, number>
}

export type TermGroup = 'genre' | 'artist'

/**
 * The distinct terms of a track. Genres are matched case-insensitively (sources disagree on case); artists by
 * their trimmed name, so two artists sharing a name share a column, which the top-K cap makes rare.
 */
export function termsOf(group: TermGroup, track: Track): string[] {
  const raw = group === 'genre' ? track.genres.map((g) => g.trim().toLowerCase()) : track.artists.map((a) => a.trim())
  return [...new Set(raw.filter((t) => t.length > 0))]
}

export function fitVocabulary(group: TermGroup, tracks: readonly Track[], maxTerms: number): Vocabulary {
  const df = new Map<string, number>()
  for (const t of tracks) for (const term of termsOf(group, t)) df.set(term, (df.get(term) ?? 0) + 1)
  const chosen = [...df.keys()].sort((a, b) => df.get(b)! - df.get(a)! || compareCodeUnits(a, b)).slice(0, maxTerms)
  chosen.sort(compareCodeUnits)
  const idf = Float64Array.from(chosen, (term) => Math.log(tracks.length / df.get(term)!) + 1)
  return makeVocabulary(chosen, idf)
}

export function makeVocabulary(terms: string[], idf: Float64Array): Vocabulary {
  return { terms, idf, index: new Map(terms.map((t, i) => [t, i])) }
}

/**
 * Writes the term block of one track into out[offset ...], scaled to unit L2 norm: 'onehot' weighs every
 * vocabulary term the track carries alike (k terms: 1/sqrt(k) each); 'tfidf' weighs each by its idf (tf is 1,
 * a term appears once per track) before the scaling, so a rare shared genre counts more than a common one.
 * Unit rows mean a track with many genres is not further from everything than one with a single genre, and
 * give the block a fixed scale for the group weights. Terms outside the vocabulary are ignored; a track with
 * none gets a zero block.
 */
export function encodeTerms(
  vocab: Vocabulary,
  encoding: 'onehot' | 'tfidf',
  terms: readonly string[],
  out: Float64Array,
  offset: number,
): void {
  let sq = 0
  for (const term of terms) {
    const i = vocab.index.get(term)
    if (i === undefined) continue
    const v = encoding === 'onehot' ? 1 : vocab.idf[i]
    out[offset + i] = v
    sq += v * v
  }
  if (sq > 0) {
    const inv = 1 / Math.sqrt(sq)
    for (const term of terms) {
      const i = vocab.index.get(term)
      if (i !== undefined) out[offset + i] *= inv
    }
  }
}

/** Plain code-unit order: unlike localeCompare it does not depend on the machine's ICU locale. */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
