import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { bundledDataDir, sharedDataDir } from '../../../src/core/paths.js'
import { buildInteractions } from '../../../src/data/interactions.js'
import { readHetrec, readHetrecPlays } from '../../../src/data/listens/hetrec.js'
import { SKIP_NO_SHARED, realFile, sharedFile } from '../../helpers/paths.js'
import { segueError } from '../catalogue-fixtures.js'
import { listensFixture } from './listens-fixtures.js'

const mini = listensFixture('hetrec-mini')
const shared = sharedFile('hetrec2011-lastfm-2k', 'user_artists.dat') === null ? null : join(sharedDataDir(), 'hetrec2011-lastfm-2k')

test('HetRec fixture: plays, names, tags per artist and friends, with located skips', async () => {
  const h = await readHetrec(mini)
  assert.deepEqual(h.events, [
    { user: '2', item: '51', value: 13883 },
    { user: '2', item: '295', value: 7 },
    { user: '3', item: '295', value: 1 },
    { user: '4', item: '1686', value: 12 },
  ])
  assert.deepEqual([...h.artists], [['51', 'Duran Duran'], ['295', 'Beyoncé'], ['1686', '"Weird Al" Yankovic']])
  // tags.dat is Latin-1: 'rock français' must come through, not 'rock fran\uFFFDais'.
  assert.deepEqual([...h.tags].map(([a, t]) => [a, [...t]]), [['51', [['metal', 2], ['rock français', 1]]], ['295', [['#99', 1]]]])
  assert.equal(h.report.unknownTags, 1)
  assert.deepEqual(h.friends, [['2', '3'], ['3', '2']])
  const file = join(mini, 'user_artists.dat')
  assert.deepEqual(h.report.plays, {
    file, rows: 6, kept: 4, skipped: 2, events: 4, users: 3, items: 3,
    skipReasons: [
      `${file}:4 column 'artistid' value 'abc': not a whole-number id`,
      `${file}:5 column 'weight' value '-2': out of range [0, 9007199254740991]`,
    ],
  })
  assert.deepEqual(h.report.taggings.skipReasons, [`${join(mini, 'user_taggedartists.dat')}:5 column 'day' value '31': no day 31 in month 2 of 2010`])
  assert.deepEqual(h.report.friends.skipReasons, [`${join(mini, 'user_friends.dat')}:4: row has 1 columns, the header has 2`])
})

test('HetRec strict mode stops at the first bad row with its location', async () => {
  const file = join(mini, 'user_artists.dat')
  await assert.rejects(readHetrecPlays(file, { strict: true }), (e: unknown) => {
    assert.ok(segueError('E_INPUT_ROW', /user_artists\.dat:4 column 'artistid' value 'abc'/)(e))
    assert.deepEqual((e as { location: unknown }).location, { file, line: 4, column: 'artistid', value: 'abc' })
    return true
  })
})

test('a HetRec file with the wrong header is E_INPUT_FORMAT', async () => {
  await assert.rejects(readHetrecPlays(join(mini, 'tags.dat')), segueError('E_INPUT_FORMAT', /header lacks column\(s\) userid, artistid, weight/))
})

test('HetRec reading honours abort and reports progress per file', async () => {
  const phases = new Set<string>()
  await readHetrec(mini, { onProgress: (p) => phases.add(p.phase) })
  assert.deepEqual([...phases], ['read plays', 'read artists', 'read tags', 'read taggings', 'read friends'])
  const ac = new AbortController()
  ac.abort()
  await assert.rejects(readHetrec(mini, { signal: ac.signal }), segueError('E_INTERRUPTED', /interrupted/))
})

test('real HetRec 2K: 1,892 users, 17,632 artists, 92,834 plays', async () => {
  const h = await readHetrec(realFile('hetrec2011-lastfm-2k')!)
  assert.equal(h.events.length, 92_834)
  assert.deepEqual([h.report.plays.users, h.report.plays.items, h.artists.size], [1_892, 17_632, 17_632])
  assert.deepEqual([h.report.tags.kept, h.report.taggings.kept, h.friends.length], [11_946, 186_479, 25_434])
  const skipped = Object.values(h.report).reduce((n, r) => n + (typeof r === 'object' ? r.skipped : 0), 0)
  assert.equal(skipped, 0)
  const data = buildInteractions(h.events, 'implicit')
  assert.deepEqual([data.users.size, data.items.size, data.matrix.indptr[data.matrix.rows]], [1_892, 17_632, 92_834])
  // An accent in artists.dat (UTF-8) and in tags.dat (Latin-1) both decode.
  assert.equal(h.artists.get('295'), 'Beyoncé')
  assert.ok([...h.artists.values()].includes('Sigur Rós'))
  assert.equal(h.tags.get('289')?.get('pop'), 108)
  const tagNames = new Set([...h.tags.values()].flatMap((t) => [...t.keys()]))
  assert.ok(tagNames.has('rock français') && tagNames.has('die Ärzte'))
})

test('the bundled .dat.gz copies read exactly like the shared originals', { skip: shared === null && SKIP_NO_SHARED }, async () => {
  const bundled = join(bundledDataDir(), 'hetrec2011-lastfm-2k')
  const [a, b] = [await readHetrec(shared!), await readHetrec(bundled)]
  assert.deepEqual(b.events, a.events)
  assert.deepEqual(b.artists, a.artists)
  assert.deepEqual(b.tags, a.tags)
  assert.deepEqual(b.friends, a.friends)
  assert.equal(b.report.plays.file, join(bundled, 'user_artists.dat.gz'))
})
