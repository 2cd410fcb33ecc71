import type { Track } from '../core/track.js'
import type { Blob } from '../core/artifact.js'
import { SegueError } from '../core/errors.js'
import { baseTitleWords, tokenize } from './normalize.js'

/** Fields searched, in posting-mask bit order. */
export const FIELDS = ['name', 'artists', 'album'] as const
export const FIELD_COUNT = FIELDS.length
const NAME_FIELD = FIELDS.indexOf('name')
/** Gram code of the word boundary: bigrams are padded with it at both ends ("^a", "ab", "b$"). */
const BOUNDARY = 0

/**
 * The search index as flat typed arrays: a sorted term dictionary, one CSR posting list per term (the
 * documents holding it and, per posting, a bit mask of the fields it occurs in), each document's field
 * lengths, and a bigram index over the dictionary (for each bigram, the terms containing it) that bounds
 * the candidates of a fuzzy match.
 */
export interface SearchArrays {
  /** Normalised terms in ascending code-unit order (binary-searchable, prefix ranges are contiguous). */
  terms: string[]
  postStart: Uint32Array
  postDocs: Int32Array
  postFields: Uint8Array
  /** Words per document and field (doc * FIELD_COUNT + field), capped at 255. */
  fieldLen: Uint8Array
  /** Bigram codes (first << 16 | second code unit), ascending, with a CSR list of term ids for each. */
  gramKeys: Uint32Array
  gramStart: Uint32Array
  gramTerms: Int32Array
}

/** The texts of a track's fields, in FIELDS order. */
function fieldTexts(t: Track): string[] {
  return [t.name, t.artists.join(' '), t.album ?? '']
}

export function buildArrays(tracks: readonly Track[]): SearchArrays {
  const byTerm = new Map<string, { docs: number[]; masks: number[] }>()
  const fieldLen = new Uint8Array(tracks.length * FIELD_COUNT)
  tracks.forEach((track, doc) =>
    fieldTexts(track).forEach((text, f) => {
      const words = tokenize(text)
      // A title's length counts without its release notes, so "Yesterday - Remastered 2009" is as short a
      // match for "yesterday" as "Yesterday" (its note words are still found).
      const length = f === NAME_FIELD ? baseTitleWords(text).length : words.length
      fieldLen[doc * FIELD_COUNT + f] = Math.min(255, length)
      for (const w of words) addPosting(byTerm, w, doc, 1 << f)
    }),
  )
  const terms = [...byTerm.keys()].sort()
  const postStart = new Uint32Array(terms.length + 1)
  terms.forEach((t, i) => (postStart[i + 1] = postStart[i] + byTerm.get(t)!.docs.length))
  const postDocs = new Int32Array(postStart[terms.length])
  const postFields = new Uint8Array(postStart[terms.length])
  terms.forEach((t, i) => {
    const p = byTerm.get(t)!
    postDocs.set(p.docs, postStart[i])
    postFields.set(p.masks, postStart[i])
  })
  return { terms, postStart, postDocs, postFields, fieldLen, ...buildGrams(terms) }
}

function addPosting(byTerm: Map<string, { docs: number[]; masks: number[] }>, word: string, doc: number, bit: number): void {
  let p = byTerm.get(word)
  if (!p) byTerm.set(word, (p = { docs: [], masks: [] }))
  const last = p.docs.length - 1
  if (last >= 0 && p.docs[last] === doc) p.masks[last] |= bit
  else {
    p.docs.push(doc)
    p.masks.push(bit)
  }
}

/** The distinct padded bigram codes of a word. */
export function gramsOf(word: string): number[] {
  const out = new Set<number>()
  let prev = BOUNDARY
  for (let i = 0; i <= word.length; i++) {
    const c = i < word.length ? word.charCodeAt(i) : BOUNDARY
    out.add(((prev << 16) | c) >>> 0)
    prev = c
  }
  return [...out]
}

function buildGrams(terms: string[]): Pick<SearchArrays, 'gramKeys' | 'gramStart' | 'gramTerms'> {
  const byGram = new Map<number, number[]>()
  terms.forEach((t, id) => {
    for (const g of gramsOf(t)) {
      const list = byGram.get(g)
      if (list) list.push(id)
      else byGram.set(g, [id])
    }
  })
  const gramKeys = Uint32Array.from([...byGram.keys()].sort((a, b) => a - b))
  const gramStart = new Uint32Array(gramKeys.length + 1)
  gramKeys.forEach((g, i) => (gramStart[i + 1] = gramStart[i] + byGram.get(g)!.length))
  const gramTerms = new Int32Array(gramStart[gramKeys.length])
  gramKeys.forEach((g, i) => gramTerms.set(byGram.get(g)!, gramStart[i]))
  return { gramKeys, gramStart, gramTerms }
}

/** Typed-array blobs for an artifact; the dictionary travels as one UTF-8 text of newline-joined terms. */
export function toBlobs(a: SearchArrays): Record<string, Blob> {
  const { terms, ...rest } = a
  return { dictionary: new TextEncoder().encode(terms.join('\n')), ...rest }
}

export function fromBlobs(blobs: Record<string, Blob>, termCount: number, source: string): SearchArrays {
  const need = <T extends Blob>(name: string, ctor: new (...args: never[]) => T): T => {
    const b = blobs[name]
    if (!(b instanceof ctor)) throw new SegueError('E_ARTIFACT_CORRUPT', `${source}: blob '${name}' is missing or of the wrong type`)
    return b
  }
  const bytes = need('dictionary', Uint8Array)
  // Through Buffer, which (unlike TextDecoder) reads shared memory too (an artifact loaded shared).
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
  const terms = termCount === 0 ? [] : text.split('\n')
  if (terms.length !== termCount) throw new SegueError('E_ARTIFACT_CORRUPT', `${source}: dictionary holds ${terms.length} terms, header says ${termCount}`)
  return {
    terms,
    postStart: need('postStart', Uint32Array),
    postDocs: need('postDocs', Int32Array),
    postFields: need('postFields', Uint8Array),
    fieldLen: need('fieldLen', Uint8Array),
    gramKeys: need('gramKeys', Uint32Array),
    gramStart: need('gramStart', Uint32Array),
    gramTerms: need('gramTerms', Int32Array),
  }
}

/** Index of the first element of sorted `arr` not less than `x` (by `<`). */
export function lowerBound<T>(arr: ArrayLike<T>, x: T): number {
  let lo = 0
  let hi = arr.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (arr[mid] < x) lo = mid + 1
    else hi = mid
  }
  return lo
}
