import { test } from 'node:test'
import assert from 'node:assert/strict'
import { dirname } from 'node:path'
import { playlistInteractions } from '../../../src/data/playlists/interactions.js'
import { readPlaylists } from '../../../src/data/playlists/read.js'
import { SKIP_NO_SHARED, sharedFile } from '../../helpers/paths.js'

// The MPD sample is licensed for non-commercial research and must never be copied into the repository:
// these tests read it from ../shared and skip when it is absent.
const listFile = sharedFile('spotify-mpd-sample', 'playlists.tsv')
const sample = listFile === null ? null : dirname(listFile)
const skip = sample === null ? SKIP_NO_SHARED : false

test('MPD sample: 7,102 playlists, 698,333 rows, 202,008 distinct tracks, pos order checked', { skip }, async () => {
  const { set, report } = await readPlaylists(sample as string, { strict: true })
  assert.equal(report.layout, 'tsv')
  assert.equal(set.playlists.length, 7102)
  assert.equal(report.rows, 698_333)
  assert.equal(set.tracks.length, 202_008)
  assert.equal(set.trackIndex.size, 202_008)
  assert.equal(set.playlists.reduce((n, p) => n + p.tracks.length, 0), 698_333)
  // pid 4 lists the quoted title third (pos 2); its row is written with doubled quotes.
  const p4 = set.playlists.find((p) => p.pid === 4)
  assert.equal(set.tracks[p4?.tracks[2] as number].title, 'I Don\'t Want to Miss a Thing - From the Touchstone film, "Armageddon"')
  // pids at or above 1,000,000 are SoundScout playlists, whose files have no modified_at.
  assert.ok(set.playlists.filter((p) => p.pid >= 1_000_000).every((p) => p.modifiedAt === undefined))

  const d = playlistInteractions(set)
  assert.equal(d.users.size, 7102)
  assert.equal(d.items.size, 202_008)
  let sum = 0
  for (const v of d.matrix.data) sum += v
  assert.equal(sum, 698_333, 'every row counted once')
  assert.ok(d.matrix.indices.length < 698_333, 'repeats share one entry')
})
