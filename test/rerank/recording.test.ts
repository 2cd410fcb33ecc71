import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Track } from '../../src/core/track.js'
import { recordingKeys, recordingTitle, representativeRows, sameRecording } from '../../src/rerank/recording.js'
import { makeTrack, type TrackPartial } from '../helpers/make-track.js'

// A studio recording as the 114k catalogue measures it (Black Sabbath, "Paranoid (2009 - Remaster)").
const PARANOID = { danceability: 0.423, energy: 0.685, key: 4, loudness: -9.651, mode: 0, speechiness: 0.078, acousticness: 0.0000628, instrumentalness: 0.00642, liveness: 0.133, valence: 0.328, tempo: 162.78, time_signature: 4 }
const base = (over: TrackPartial = {}): Track =>
  makeTrack({ name: 'Paranoid', artists: ['Black Sabbath'], durationMs: 167_720, popularity: 40, ...over, audio: { ...PARANOID, ...over.audio } })

test('release notes are dropped from titles; notes about the performance or mix are kept', () => {
  for (const name of ['Paranoid (2009 - Remaster)', 'Paranoid - Remastered 2011', 'Paranoid - 2011 Remastered Version', 'PARANOID [Remaster]',
    'Paranoid - Digitally Remastered 2001', 'Paranoid - Remasterizado', 'Paranoid (Deluxe Edition)', 'Paranoid - 30th Anniversary Edition',
    'Paranoid - Bonus Track', 'Paranoid - Single Version', 'Paranoid - Remastered 2011 - Bonus Track', 'Páranoid']) {
    assert.equal(recordingTitle(name), 'paranoid', name)
  }
  assert.equal(recordingTitle('Don’t Stop Me Now'), recordingTitle("Don't Stop Me Now"), 'apostrophes and punctuation do not matter')
  for (const name of ['Paranoid - Live', 'Paranoid (Live at Wacken)', 'Paranoid - Remix', 'Paranoid - Radio Edit', 'Paranoid - Acoustic', 'Paranoid - Mono',
    'Paranoid - Reprise', 'Paranoid - Reprise Version', 'Paranoid - Instrumental', 'Paranoid (feat. Ozzy)', 'Paranoid - Live - 2012 Remaster']) {
    assert.notEqual(recordingTitle(name), 'paranoid', name)
  }
  assert.equal(recordingTitle('Remaster'), 'remaster', 'a song called Remaster keeps its title')
  assert.equal(recordingTitle('Paranoid - Live - 2012 Remaster'), 'paranoid live')
})

test('copies and remasters of one recording are the same recording', () => {
  const a = base()
  assert.ok(sameRecording(a, base({ id: 'copy', name: 'Paranoid' })), 'a compilation copy with the same audio')
  // The 2012 remaster as the catalogue measures it: 1 s shorter, 2.4 dB quieter, energy and valence moved.
  const remaster = base({ name: 'Paranoid (2012 - Remaster)', durationMs: 166_693, audio: { energy: 0.647, loudness: -12.021, liveness: 0.208, valence: 0.409, tempo: 163.047 } })
  assert.ok(sameRecording(a, remaster), 'a remaster')
  assert.ok(sameRecording(a, base({ name: 'Paranoid - 2009 Remaster', audio: { key: 9, mode: 1, tempo: 81.4 } })), 'key, mode and a halved tempo are analysis slips')
  assert.ok(sameRecording(a, base({ artists: ['black sabbath'] })), 'artist case does not matter')
  assert.ok(sameRecording(base({ artists: ['A', 'B'] }), base({ artists: ['B', 'A'] })), 'artist order does not matter')
  // A compilation that leaves out the composer: the same file, one credit fewer.
  assert.ok(sameRecording(base({ artists: ['Sergei Prokofiev', 'Chicago Symphony Orchestra'] }), base({ artists: ['Chicago Symphony Orchestra'] })))
})

test('live takes, remixes, other artists, reprises and re-recordings stay apart', () => {
  const a = base()
  assert.ok(!sameRecording(a, base({ name: 'Paranoid - Live' })), 'a live version, even measuring the same')
  assert.ok(!sameRecording(a, base({ name: 'Paranoid - Gui Boratto Remix', artists: ['Black Sabbath', 'Gui Boratto'] })), 'a remix by someone else')
  assert.ok(!sameRecording(a, base({ artists: ['Megadeth'] })), 'a different recording with the same title by other artists, even measuring the same')
  // Moby's "Porcelain" (241 s) and "Porcelain - Reprise Version" (354 s, with Jim James).
  const porcelain = base({ name: 'Porcelain', artists: ['Moby'], durationMs: 241_160 })
  assert.ok(!sameRecording(porcelain, base({ name: 'Porcelain - Reprise Version', artists: ['Moby', 'Jim James'], durationMs: 353_878 })), 'a reprise of another length')
  assert.ok(!sameRecording(porcelain, base({ name: 'Porcelain - Reprise', artists: ['Moby'], durationMs: 241_160 })), 'a reprise of the same length: the note keeps it apart')
  assert.ok(!sameRecording(a, base({ name: 'Paranoid - Remastered', durationMs: 167_720 + 5_000 })), 'a remaster 5 s longer: another edit or take')
  assert.ok(!sameRecording(a, base({ audio: { liveness: 0.75, energy: 0.9 } })), 'same title and length, but the audio of a live take')
  assert.ok(!sameRecording(a, base({ audio: { acousticness: 0.6 } })), 'an acoustic re-recording')
  // "Winter Wonderland" by Tony Bennett, and with Lady Gaga: the same length, audio near but not the same file.
  assert.ok(!sameRecording(base({ artists: ['Tony Bennett'] }), base({ artists: ['Tony Bennett', 'Lady Gaga'], audio: { danceability: 0.6, loudness: -8.5 } })), 'a duet and the solo version')
  assert.ok(!sameRecording(base({ artists: ['A'] }), base({ artists: ['A', 'B'], durationMs: 167_720 + 1_500 })), 'contained credits need the same file (duration within 1 s)')
  assert.ok(!sameRecording(base({ artists: [] }), base({ artists: [] })), 'unknown artists never match')
  assert.ok(!sameRecording(base({ durationMs: null }), base({ durationMs: null })), 'unknown durations never match')
})

test('recordingKeys: the key is the most popular release, members compare with it and do not chain', () => {
  const tracks = [
    base({ id: 'comp', popularity: 3 }),
    base({ id: 'album', name: 'Paranoid (2009 - Remaster)', popularity: 42 }),
    base({ id: 'other', artists: ['Megadeth'], popularity: 65 }),
    base({ id: 'live', name: 'Paranoid - Live', popularity: 50 }),
    base({ id: 'tieB', name: 'Iron Man', popularity: 0 }),
    base({ id: 'tieA', name: 'Iron Man', popularity: 0 }),
    // 'near' is 2.5 s from the album release and joins it; 'far' is 2.5 s from 'near' but 5 s from the album
    // release: members are compared with the representative only, so matches do not chain.
    base({ id: 'near', name: 'Paranoid - Remastered', durationMs: 167_720 + 2_500, popularity: 10 }),
    base({ id: 'far', name: 'Paranoid - Remastered', durationMs: 167_720 + 5_000, popularity: 5 }),
  ]
  const keys = recordingKeys(tracks)
  assert.deepEqual(keys, ['album', 'album', 'other', 'live', 'tieA', 'tieA', 'album', 'far'])
  assert.equal(recordingKeys(tracks), keys, 'computed once per tracks array')
  assert.deepEqual(Array.from(representativeRows(tracks, keys)), [1, 1, 2, 3, 5, 5, 1, 7])
})
