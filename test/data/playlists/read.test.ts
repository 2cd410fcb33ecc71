import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { isChallengePlaylist, readPlaylists } from '../../../src/data/playlists/read.js'
import type { PlaylistSet } from '../../../src/data/playlists/types.js'
import { fixturesDir } from '../../helpers/paths.js'
import { segueError } from '../catalogue-fixtures.js'

const dir = join(fixturesDir, 'playlists')
const id = (n: number) => `FixtureTrack${String(n).padStart(10, '0')}`
/** Each playlist as its pid and its track ids in order. */
const lists = (set: PlaylistSet) => set.playlists.map((p) => [p.pid, p.tracks.map((t) => set.tracks[t].id)])

function tmp(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), 'segue-playlists-'))
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true })
    writeFileSync(join(root, name), text)
  }
  return root
}

test('TSV layout: quoted fields, rows out of order put in pos order, repeats kept, tracks shared', async () => {
  const { set, report } = await readPlaylists(join(dir, 'tsv'))
  assert.deepEqual(lists(set), [
    [7, [id(1), id(2), id(1), id(3)]],
    [1000002, [id(2), id(4), id(5)]],
    [3, [id(3), id(6)]],
  ])
  assert.deepEqual(set.tracks.map((t) => t.id), [1, 2, 3, 4, 5, 6].map(id))
  assert.deepEqual([...set.trackIndex], [1, 2, 3, 4, 5, 6].map((n, i) => [id(n), i]))
  assert.deepEqual(set.tracks[0], { id: id(1), artist: 'The Paper Lanterns', title: 'Glow "Live" at the Pier' })
  assert.equal(set.tracks[2].title, '12" Version')
  assert.equal(set.tracks[4].artist, 'Lua Brandão')
  assert.deepEqual({ ...set.playlists[0], tracks: [] }, { pid: 7, name: 'Road "Trip" Mix', followers: 3, modifiedAt: 1500000000, tracks: [] })
  assert.equal(set.playlists[1].modifiedAt, undefined, 'an empty modified_at stays unknown')
  assert.deepEqual(report, {
    path: join(dir, 'tsv'), layout: 'tsv', files: [join(dir, 'tsv', 'playlists.tsv'), join(dir, 'tsv', 'playlist_tracks.tsv')],
    playlists: 3, rows: 9, tracks: 6, skippedRows: 0, skippedPlaylists: 0, skipReasons: [],
  })
  const viaFile = await readPlaylists(join(dir, 'tsv', 'playlist_tracks.tsv'))
  assert.deepEqual(lists(viaFile.set), lists(set), 'either TSV file names its folder')
})

test('one MPD slice, plain or gzipped: prefixes stripped, album and duration kept, pos order', async () => {
  const { set, report } = await readPlaylists(join(dir, 'mpd', 'data', 'mpd.slice.2-3.json'))
  assert.equal(report.layout, 'mpd')
  assert.deepEqual(lists(set), [[2, [id(11), id(12), id(11)]], [3, [id(12), id(13)]]])
  assert.deepEqual(set.tracks[0], { id: id(11), artist: 'Mina Okafor', title: 'Harbour Lights', album: 'Coastlines', durationMs: 201000 })
  assert.deepEqual({ ...set.playlists[1], tracks: [] }, { pid: 3, name: 'run', followers: 4, modifiedAt: 1500000000, tracks: [] })
  const gz = await readPlaylists(join(dir, 'mpd', 'data', 'mpd.slice.10-11.json.gz'))
  assert.deepEqual(lists(gz.set), [[10, [id(14)]], [11, [id(13), id(15)]]])
  assert.equal(gz.set.playlists[0].name, 'café')
})

test('the MPD download folder: slices under data/ read in pid order (2-3 before 10-11), progress per slice', async () => {
  const seen: string[] = []
  const { set, report } = await readPlaylists(join(dir, 'mpd'), { onProgress: (p) => seen.push(`${p.phase} ${p.done}/${p.total}`) })
  assert.deepEqual(set.playlists.map((p) => p.pid), [2, 3, 10, 11])
  assert.deepEqual(set.tracks.map((t) => t.id), [11, 12, 13, 14, 15].map(id))
  assert.deepEqual(report.files, [join(dir, 'mpd', 'data', 'mpd.slice.2-3.json'), join(dir, 'mpd', 'data', 'mpd.slice.10-11.json.gz')])
  assert.equal(report.rows, 8)
  assert.deepEqual(seen, ['read playlists 1/2', 'read playlists 2/2'])
  const direct = await readPlaylists(join(dir, 'mpd', 'data'))
  assert.deepEqual(lists(direct.set), lists(set))
})

test('abort is honoured before and between slices', async () => {
  const before = new AbortController()
  before.abort()
  await assert.rejects(readPlaylists(join(dir, 'mpd'), { signal: before.signal }), segueError('E_INTERRUPTED', /interrupted/))
  const between = new AbortController()
  let slices = 0
  const read = readPlaylists(join(dir, 'mpd'), { signal: between.signal, onProgress: () => (slices++, between.abort()) })
  await assert.rejects(read, segueError('E_INTERRUPTED', /mpd\.slice\.10-11\.json\.gz was interrupted/))
  assert.equal(slices, 1)
})

test('challenge set: counts per playlist, title-less playlist, shown tracks in pos order', async () => {
  const { set, report } = await readPlaylists(join(dir, 'challenge'))
  assert.equal(report.layout, 'mpd-challenge')
  assert.ok(set.playlists.every(isChallengePlaylist))
  assert.deepEqual(set.playlists.map((p) => (isChallengePlaylist(p) ? [p.pid, p.name, p.numTracks, p.numHoldouts, p.tracks.length] : null)), [
    [1000, 'beach days', 20, 20, 0],
    [1001, '', 26, 25, 1],
    [1002, 'random seeds', 40, 37, 3],
  ])
  assert.deepEqual(lists(set)[2], [1002, [id(23), id(21), id(22)]])
})

const PLAYLISTS = 'pid\tname\tnum_followers\tmodified_at\tnum_tracks\n1\tone\t1\t1500000000\t2\n2\ttwo\t1\t1500000000\t1\n'
const row = (pid: number, pos: number | string, track: string) => `${pid}\t${pos}\t${track}\tSome Artist\tSome Title\n`
const TRACKS_HEAD = 'pid\tpos\ttrack_id\tartist_name\ttrack_name\n'

/** A TSV folder whose playlist 1 has the given rows (2 expected) and playlist 2 one good row. */
function tsvWith(rows: string, playlists = PLAYLISTS): string {
  return tmp({ 'playlists.tsv': playlists, 'playlist_tracks.tsv': TRACKS_HEAD + rows + row(2, 0, id(9)) })
}

/** What is wrong, track rows of playlist 1, the message, where, rows skipped, playlists skipped. */
const tsvCases: [string, string, RegExp, { line: number; column: string; value: string }, number, number][] = [
  ['a pos that is not a number', row(1, 0, id(1)) + row(1, 'x', id(2)), /playlist_tracks\.tsv:3 column 'pos' value 'x': not a number/, { line: 3, column: 'pos', value: 'x' }, 1, 1],
  ['a track row of an unknown playlist', row(1, 0, id(1)) + row(1, 1, id(2)) + row(5, 0, id(3)), /playlist_tracks\.tsv:4 column 'pid' value '5': no playlist with this pid/, { line: 4, column: 'pid', value: '5' }, 1, 0],
  ['a malformed track id', row(1, 0, id(1)) + row(1, 1, 'spotify:track:short'), /playlist_tracks\.tsv:3 column 'track_id' value 'spotify:track:short': not a Spotify track id/, { line: 3, column: 'track_id', value: 'spotify:track:short' }, 1, 1],
  ['a gap in pos', row(1, 0, id(1)) + row(1, 2, id(2)), /playlist_tracks\.tsv:3: playlist pid 1, pos: pos outside 0\.\.1/, { line: 3, column: 'pos', value: '2' }, 0, 1],
  ['a pos given twice', row(1, 0, id(1)) + row(1, 0, id(2)), /playlist_tracks\.tsv:3: playlist pid 1, pos: pos 0 already on line 2/, { line: 3, column: 'pos', value: '0' }, 0, 1],
  ['fewer rows than num_tracks', row(1, 0, id(1)), /playlists\.tsv:2: playlist pid 1, num_tracks: num_tracks is 2 but .*playlist_tracks\.tsv has 1 readable rows/, { line: 2, column: 'num_tracks', value: '2' }, 0, 1],
]

for (const [what, rows, message, at, skippedRows, skippedPlaylists] of tsvCases) {
  test(`TSV: ${what} is located in strict mode and skipped and counted in lenient mode`, async () => {
    const folder = tsvWith(rows)
    await assert.rejects(readPlaylists(folder, { strict: true }), (e: unknown) => {
      assert.ok(segueError('E_INPUT_ROW', message)(e))
      const loc = (e as { location: { file: string } }).location
      assert.deepEqual({ ...loc, file: undefined }, { ...at, file: undefined })
      return true
    })
    const { set, report } = await readPlaylists(folder)
    assert.equal(report.skippedRows, skippedRows)
    assert.equal(report.skippedPlaylists, skippedPlaylists)
    assert.match(report.skipReasons.join('\n'), message)
    if (skippedPlaylists === 0) return
    assert.deepEqual(set.playlists.map((p) => p.pid), [2], 'playlist 1 is incomplete, so it is skipped whole')
    assert.deepEqual(set.tracks.map((t) => t.id), [id(9)], 'tracks of skipped playlists are not kept')
  })
}

test('TSV: a pid used twice in playlists.tsv, a missing column and a missing tracks file', async () => {
  const twice = tsvWith(row(1, 0, id(1)) + row(1, 1, id(2)), PLAYLISTS + '1\tagain\t1\t1\t0\n')
  await assert.rejects(readPlaylists(twice, { strict: true }), segueError('E_INPUT_ROW', /playlists\.tsv:4 column 'pid' value '1': pid already used on line 2/))
  assert.equal((await readPlaylists(twice)).report.skippedRows, 1)
  const noColumn = tmp({ 'playlists.tsv': 'pid\tname\n1\tx\n', 'playlist_tracks.tsv': TRACKS_HEAD })
  await assert.rejects(readPlaylists(noColumn), segueError('E_INPUT_FORMAT', /playlists\.tsv: header lacks column\(s\) num_tracks/))
  const noTracks = tmp({ 'playlists.tsv': PLAYLISTS })
  await assert.rejects(readPlaylists(noTracks), segueError('E_INPUT_FILE', /playlist_tracks\.tsv: file not found/))
})

/** An MPD slice text, pretty-printed as the MPD's are, from playlists given as objects. */
function slice(playlists: unknown[]): string {
  return JSON.stringify({ info: { slice: '0-999', version: 'v1' }, playlists }, null, 4)
}
const track = (n: number, pos: number) => ({ pos, artist_name: 'Some Artist', track_uri: `spotify:track:${id(n)}`, track_name: 'Some Title' })
const playlist = (pid: number, n: number) => ({ name: `p${pid}`, pid, num_tracks: n, num_followers: 1, tracks: Array.from({ length: n }, (_, i) => track(i + 1, i)) })
/** Line of `"pid": <pid>` in a text. */
const lineOf = (text: string, pid: number) => text.slice(0, text.indexOf(`"pid": ${pid},`)).split('\n').length

const jsonCases: [string, (p: Record<string, unknown>) => void, RegExp, string][] = [
  ['a track without track_uri', (p) => delete (p.tracks as Record<string, unknown>[])[3].track_uri, /playlist pid 17, tracks\[3\]\.track_uri: missing$/, 'tracks[3].track_uri'],
  ['a track_uri that is not a track', (p) => ((p.tracks as Record<string, unknown>[])[1].track_uri = 'spotify:album:x'), /playlist pid 17, tracks\[1\]\.track_uri: not a Spotify track URI or id \(value spotify:album:x\)/, 'tracks[1].track_uri'],
  ['a num_tracks that disagrees', (p) => (p.num_tracks = 9), /playlist pid 17, num_tracks: 9 but the playlist lists 5 tracks/, 'num_tracks'],
  ['a pos given twice', (p) => ((p.tracks as Record<string, unknown>[])[4].pos = 0), /playlist pid 17, tracks\[4\]\.pos: pos 0 also in tracks\[0\]/, 'tracks[4].pos'],
  ['a name that is not text', (p) => (p.name = 5), /playlist pid 17, name: not a string \(value 5\)/, 'name'],
]

for (const [what, spoil, message, field] of jsonCases) {
  test(`MPD JSON: ${what} names file, line, pid and field; lenient mode skips the playlist`, async () => {
    const bad = playlist(17, 5)
    spoil(bad)
    const text = slice([playlist(16, 2), bad, playlist(18, 1)])
    const folder = tmp({ 'mpd.slice.0-999.json': text })
    const file = join(folder, 'mpd.slice.0-999.json')
    const line = lineOf(text, 17)
    await assert.rejects(readPlaylists(folder, { strict: true }), (e: unknown) => {
      assert.ok(segueError('E_INPUT_ROW', new RegExp(`^${file.replace(/\./g, '\\.')}:${line}: ${message.source}`))(e))
      assert.equal((e as { location: { column: string } }).location.column, field)
      return true
    })
    const { set, report } = await readPlaylists(file)
    assert.deepEqual(set.playlists.map((p) => p.pid), [16, 18])
    assert.equal(report.skippedPlaylists, 1)
    assert.match(report.skipReasons[0], message)
  })
}

test('MPD JSON: a playlist without a pid, a pid read twice, broken JSON and the wrong shape', async () => {
  const noPid: Record<string, unknown> = playlist(1, 1)
  delete noPid.pid
  const folder = tmp({ 'mpd.slice.0-1.json': slice([playlist(0, 1), noPid]), 'mpd.slice.2-3.json': slice([playlist(0, 2), playlist(2, 1)]) })
  const { set, report } = await readPlaylists(folder)
  assert.deepEqual(set.playlists.map((p) => p.pid), [0, 2])
  assert.deepEqual(report.skipReasons, [
    `${join(folder, 'mpd.slice.0-1.json')}: playlists[1], pid: missing`,
    `${join(folder, 'mpd.slice.2-3.json')}:9: playlist pid 0, pid: already read from ${join(folder, 'mpd.slice.0-1.json')} (value 0)`,
  ])
  const broken = tmp({ 'mpd.slice.0-999.json': slice([playlist(0, 2)]).replace('"pos": 1,', '"pos": 1') })
  await assert.rejects(readPlaylists(broken), segueError('E_INPUT_FORMAT', /mpd\.slice\.0-999\.json:21:21: not valid JSON \(Expected ',' or '}'/))
  const whole = slice([playlist(0, 2)])
  const cut = tmp({ 'mpd.slice.0-999.json': whole.slice(0, whole.lastIndexOf('}')) })
  const last = whole.split('\n').length
  await assert.rejects(readPlaylists(cut), segueError('E_INPUT_FORMAT', new RegExp(`mpd\\.slice\\.0-999\\.json:${last}:1: not valid JSON \\(`)))
  const shape = tmp({ 'x.json': '[1, 2]' })
  await assert.rejects(readPlaylists(join(shape, 'x.json')), segueError('E_INPUT_FORMAT', /x\.json: not an MPD file \(expected an object with a "playlists" list\)/))
  const gz = tmp({ 'mpd.slice.0-999.json.gz': 'not gzip' })
  await assert.rejects(readPlaylists(gz), segueError('E_INPUT_FILE', /mpd\.slice\.0-999\.json\.gz: not valid gzip/))
})

test('a challenge playlist whose counts disagree; a folder with nothing readable; a missing path', async () => {
  const challenge = JSON.stringify({ name: 'challenge_set', playlists: [{ pid: 5, num_tracks: 10, num_holdouts: 8, tracks: [track(1, 0)] }] }, null, 2)
  const folder = tmp({ 'challenge_set.json': challenge })
  await assert.rejects(readPlaylists(folder, { strict: true }), segueError('E_INPUT_ROW', /challenge_set\.json:5: playlist pid 5, num_tracks: 10 but 1 shown \+ 8 held out/))
  const empty = tmp({ 'notes.txt': 'hello', 'data/other.json': '{}' })
  await assert.rejects(readPlaylists(empty), segueError('E_INPUT_FORMAT', /no playlist data found \(looked for playlists\.tsv with playlist_tracks\.tsv, mpd\.slice\.<a>-<b>\.json\[\.gz\] here or under data\/, challenge_set\.json\[\.gz\]\)/))
  await assert.rejects(readPlaylists(join(empty, 'notes.txt')), segueError('E_INPUT_FORMAT', /notes\.txt: not a playlist file segue knows/))
  await assert.rejects(readPlaylists(join(empty, 'absent')), segueError('E_INPUT_FILE', /absent: no such file or folder/))
})

test('gzipped TSV files are read in place of plain ones', async () => {
  const tsv = (name: string) => gzipSync(readFileSync(join(dir, 'tsv', name)))
  const folder = tmp({ 'playlists.tsv.gz': tsv('playlists.tsv'), 'playlist_tracks.tsv.gz': tsv('playlist_tracks.tsv') })
  const { set, report } = await readPlaylists(folder)
  assert.deepEqual(lists(set), lists((await readPlaylists(join(dir, 'tsv'))).set))
  assert.deepEqual(report.files, [join(folder, 'playlists.tsv.gz'), join(folder, 'playlist_tracks.tsv.gz')])
})

test('a challenge file among slices is refused: the two answer different questions', async () => {
  const challenge = JSON.stringify({ name: 'challenge_set', playlists: [{ pid: 5, num_tracks: 1, num_holdouts: 0, tracks: [track(1, 0)] }] })
  const folder = tmp({ 'mpd.slice.0-9.json': slice([playlist(0, 1)]), 'mpd.slice.10-19.json': challenge })
  await assert.rejects(readPlaylists(folder), segueError('E_INPUT_FORMAT', /mpd\.slice\.10-19\.json: a challenge file among mpd files; read the challenge set on its own/))
})
