import { test } from 'node:test'
import assert from 'node:assert/strict'
import { collapseDuplicates, duplicateKey } from '../../src/similar/dedupe.js'
import { makeTrack } from '../helpers/make-track.js'

const key = (name: string, artists = ['Queen']) => duplicateKey(makeTrack({ name, artists }))

test('releases and remasters of one recording share a key', () => {
  const original = key('Bohemian Rhapsody')
  for (const name of ['Bohemian Rhapsody - Remastered 2011', 'BOHEMIAN RHAPSODY', 'Bohemian Rhapsody (Remastered)', 'Bohemian Rhapsody - 2011 Remaster',
    'Bohemian Rhapsody [Remaster]', 'Bohemian Rhapsody - Digitally Remastered 2001', 'Bohemian Rhapsody - 2011 Remastered Version']) {
    assert.equal(key(name), original, name)
  }
  assert.equal(key('Bohemian Rhapsody', ['Queen', 'Freddie Mercury']), key('Bohemian Rhapsody', ['Freddie Mercury', 'Queen']), 'artist order does not matter')
})

test('live versions, remixes, other artists and a song called Remaster stay apart', () => {
  const original = key('Bohemian Rhapsody')
  for (const name of ['Bohemian Rhapsody - Live', 'Bohemian Rhapsody - Remix', 'Bohemian Rhapsody (Live Aid)']) assert.notEqual(key(name), original, name)
  assert.notEqual(key('Bohemian Rhapsody', ['Panic! At The Disco']), original)
  assert.equal(key('Remaster').startsWith('remaster'), true)
})

test('collapseDuplicates keeps the first of each group in order', () => {
  const tracks = ['A', 'B - Remastered', 'A - 2009 Remaster', 'B', 'C'].map((name, i) => makeTrack({ id: `t${i}`, name, artists: ['X'] }))
  assert.deepEqual(collapseDuplicates(tracks, (t) => t).map((t) => t.id), ['t0', 't1', 't4'])
})
