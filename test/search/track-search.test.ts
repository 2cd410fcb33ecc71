import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TrackSearch, queryWords, QUERY_LIMITS } from '../../src/search/track-search.js'
import { tokenize } from '../../src/search/normalize.js'
import { editDistanceWithin } from '../../src/search/expand.js'
import { makeTrack } from '../helpers/make-track.js'

const tracks = [
  makeTrack({ id: 'queen', name: 'Bohemian Rhapsody', artists: ['Queen'], album: 'A Night at the Opera', popularity: 80 }),
  makeTrack({ id: 'cover', name: 'Bohemian Rhapsody', artists: ['Some Band'], popularity: 10 }),
  makeTrack({ id: 'cuff', name: 'CUFF IT', artists: ['Beyoncé'], album: 'RENAISSANCE', popularity: 90 }),
  makeTrack({ id: 'halo', name: 'Halo', artists: ['Beyoncé'], popularity: 70 }),
  makeTrack({ id: 'hello', name: 'Hello', artists: ['Adele'], album: '25', popularity: 75 }),
  makeTrack({ id: 'dont', name: "Don't Stop Me Now", artists: ['Queen'], popularity: 60 }),
  makeTrack({ id: 'sinead', name: 'Nothing Compares 2 U', artists: ["Sinéad O'Connor"], popularity: 50 }),
  makeTrack({ id: 'bjork', name: 'Jóga', artists: ['Björk'], popularity: 40 }),
]
const search = new TrackSearch(tracks)
const ids = (q: string, limit = 10) => search.search(q, { limit }).map((h) => h.track.id)

describe('TrackSearch on known tracks', () => {
  test('typos are forgiven and accents ignored', () => {
    assert.deepEqual(ids('bohemian rapsody'), ['queen', 'cover'])
    assert.deepEqual(ids('beyonce'), ['cuff', 'halo'])
    assert.deepEqual(ids('sinead oconnor'), ['sinead'])
    assert.deepEqual(ids('BJORK joga'), ['bjork'])
    assert.deepEqual(ids('dont stop'), ['dont'])
  })

  test('every word must match; when none does, any word may', () => {
    assert.deepEqual(ids('hello adele'), ['hello'])
    assert.deepEqual(ids('halo queen').sort(), ['dont', 'halo', 'queen'], 'no track matches both: Halo and the Queen tracks')
  })

  test('popular first among equal matches', () => {
    assert.deepEqual(ids('bohemian rhapsody'), ['queen', 'cover'])
    assert.deepEqual(ids('queen'), ['queen', 'dont'])
  })

  test('prefixes complete from three letters', () => {
    assert.deepEqual(ids('bohem'), ['queen', 'cover'])
    assert.deepEqual(ids('bo'), [])
  })

  test('empty queries, limits and words', () => {
    assert.deepEqual(ids('   '), [])
    assert.deepEqual(ids('?!'), [])
    assert.deepEqual(ids('bohemian', 1), ['queen'])
    assert.deepEqual(ids('bohemian', 0), [])
    assert.deepEqual(tokenize("Don't Stop Me Now!"), ['dont', 'stop', 'me', 'now'])
    assert.equal(queryWords('a '.repeat(100)).length, 1)
    assert.equal(queryWords('a b c d e f g h i j k l m n o p').length, QUERY_LIMITS.maxQueryWords)
  })

  test('bounded edit distance', () => {
    const rows = [new Int32Array(64), new Int32Array(64)]
    assert.equal(editDistanceWithin('rapsody', 'rhapsody', 2, rows), 1)
    assert.equal(editDistanceWithin('kitten', 'sitting', 3, rows), 3)
    assert.equal(editDistanceWithin('kitten', 'sitting', 2, rows), 3)
    assert.equal(editDistanceWithin('abc', 'abc', 0, rows), 0)
  })
})

describe('TrackSearch artifact', () => {
  const dir = mkdtempSync(join(tmpdir(), 'segue-search-'))
  const path = join(dir, 'search.art')

  test('saved and loaded, it answers as the built one', () => {
    search.save(path, 'catalogue-1')
    const loaded = TrackSearch.load(path, 'catalogue-1', tracks)
    for (const q of ['bohemian rapsody', 'beyonce', 'queen', 'halo queen', 'joga']) {
      assert.deepEqual(loaded.search(q), search.search(q), q)
    }
  })

  test('another key or catalogue size is E_ARTIFACT_VERSION; a damaged file E_ARTIFACT_CORRUPT', () => {
    search.save(path, 'catalogue-1')
    assert.throws(() => TrackSearch.load(path, 'catalogue-2', tracks), { code: 'E_ARTIFACT_VERSION' })
    assert.throws(() => TrackSearch.load(path, 'catalogue-1', tracks.slice(1)), { code: 'E_ARTIFACT_VERSION' })
    const bytes = readFileSync(path)
    bytes[bytes.length >> 1] ^= 0xff
    writeFileSync(path, bytes)
    assert.throws(() => TrackSearch.load(path, 'catalogue-1', tracks), { code: 'E_ARTIFACT_CORRUPT' })
    assert.throws(() => TrackSearch.load(join(dir, 'absent.art'), 'catalogue-1', tracks), { code: 'E_ARTIFACT_CORRUPT' })
  })

  test('an empty catalogue saves and loads', () => {
    const empty = new TrackSearch([])
    empty.save(path, 'empty')
    assert.deepEqual(TrackSearch.load(path, 'empty', []).search('anything'), [])
  })
})
