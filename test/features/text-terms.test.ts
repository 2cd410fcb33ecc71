import { test } from 'node:test'
import assert from 'node:assert/strict'
import { encodeTerms, fitVocabulary, termsOf } from '../../src/features/text-terms.js'
import { assertClose, makeTrack } from './feature-helpers.js'

const catalogue = [
  makeTrack({ genres: ['rock'], artists: ['Ann'] }),
  makeTrack({ genres: ['Rock', 'jazz'], artists: ['Ann', 'Bo'] }),
  makeTrack({ genres: ['pop'], artists: ['Cy'] }),
  makeTrack({ genres: [' rock '], artists: ['Ann'] }),
]

test('genres are matched case- and space-insensitively and counted once per track', () => {
  assert.deepEqual(termsOf('genre', makeTrack({ genres: ['Rock', 'rock ', 'Jazz'] })), ['rock', 'jazz'])
  assert.deepEqual(termsOf('artist', makeTrack({ artists: [' Ann', 'ann'] })), ['Ann', 'ann'])
})

test('vocabulary is alphabetical with idf = ln(N / df) + 1', () => {
  const v = fitVocabulary('genre', catalogue, 10)
  assert.deepEqual(v.terms, ['jazz', 'pop', 'rock'])
  assertClose(Array.from(v.idf), [Math.log(4) + 1, Math.log(4) + 1, Math.log(4 / 3) + 1], 1e-12)
})

test('the cap keeps the most frequent terms, ties broken by name', () => {
  assert.deepEqual(fitVocabulary('genre', catalogue, 2).terms, ['jazz', 'rock'])
  assert.deepEqual(fitVocabulary('artist', catalogue, 1).terms, ['Ann'])
  assert.deepEqual(fitVocabulary('artist', catalogue, 0).terms, [])
})

test('one-hot rows weigh present terms alike at unit norm', () => {
  const v = fitVocabulary('genre', catalogue, 10)
  const out = new Float64Array(4)
  encodeTerms(v, 'onehot', ['rock', 'jazz'], out, 1)
  assertClose(Array.from(out), [0, Math.SQRT1_2, 0, Math.SQRT1_2], 1e-12)
})

test('tf-idf rows are idf weights scaled to unit norm', () => {
  const v = fitVocabulary('genre', catalogue, 10)
  const out = new Float64Array(3)
  encodeTerms(v, 'tfidf', ['rock', 'jazz'], out, 0)
  const [j, r] = [Math.log(4) + 1, Math.log(4 / 3) + 1]
  const norm = Math.hypot(j, r)
  assertClose(Array.from(out), [j / norm, 0, r / norm], 1e-12)
})

test('terms outside the vocabulary are ignored, leaving a zero row', () => {
  const v = fitVocabulary('genre', catalogue, 10)
  const out = new Float64Array(3)
  encodeTerms(v, 'tfidf', ['metal'], out, 0)
  assert.deepEqual(Array.from(out), [0, 0, 0])
  encodeTerms(v, 'onehot', ['metal', 'pop'], out, 0)
  assert.deepEqual(Array.from(out), [0, 1, 0])
})
