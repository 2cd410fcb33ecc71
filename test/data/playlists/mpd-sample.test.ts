import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { bundledCatalogue } from '../../../src/core/paths.js'
import { playlistInteractions } from '../../../src/data/playlists/interactions.js'
import { linkPlaylistTracks } from '../../../src/data/playlists/link.js'
import { readPlaylists } from '../../../src/data/playlists/read.js'
import { readCatalogue } from '../../../src/data/read-catalogue.js'
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

test('MPD sample against the bundled 114k catalogue: 4,242 tracks by id, 4,999 more by artist + title', { skip }, async () => {
  const { set } = await readPlaylists(sample as string)
  const { tracks } = await readCatalogue(bundledCatalogue())
  const link = linkPlaylistTracks(set, tracks)
  assert.equal(link.byId, 4242)
  assert.equal(link.byName, 4999)
  // The sample's heuristic table (built from the MPD, so read only here, never at runtime) lists every
  // candidate per track: each name link must be one of them, and no track it lists may be missed.
  const candidates = new Map<string, Set<string>>()
  for (const line of readFileSync(join(sample as string, 'catalogue_name_matches.tsv'), 'utf8').split('\n').slice(1)) {
    const [track, row] = line.split('\t')
    if (row !== undefined) candidates.set(track, (candidates.get(track) ?? new Set()).add(row))
  }
  let agree = 0
  set.tracks.forEach((t, i) => {
    const row = link.rowOf[i]
    if (row >= 0 && tracks[row].id !== t.id && candidates.get(t.id)?.has(tracks[row].id) === true) agree++
  })
  assert.equal(agree, link.byName)
  assert.equal(candidates.size, link.byName)
})
