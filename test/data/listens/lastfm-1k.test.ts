import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readLastfm1k } from '../../../src/data/listens/lastfm-1k.js'
import { segueError } from '../catalogue-fixtures.js'
import { listensFixture } from './listens-fixtures.js'

const path = listensFixture('lastfm-1k.tsv')
const EMPEROR = 'f7c1f8f8-b935-45ed-8fc8-7def69d92a10'

const SKIPS = [
  `${path}:5 column 'timestamp' value 'not-a-date': not an ISO 8601 date-time`,
  `${path}:6 column 'timestamp' value '2009-02-30T10:00:00Z': not an ISO 8601 date-time`,
  `${path}:7: row has 4 columns, the header has 6`,
]

test('track level: the track MBID, else "artist — title"; bad rows named by line', async () => {
  const { events, names, report } = await readLastfm1k(path)
  assert.deepEqual(events, [
    { user: 'user_000001', item: 'Deep Dish — Fuck Me Im Famous (Pacha Ibiza)-09-28-2007', value: 1, time: 1241478537 },
    { user: 'user_000001', item: EMPEROR, value: 1, time: 1241445250 },
    { user: 'user_000001', item: '坂本龍一 — Mc2 (Live_2009_4_15)', value: 1, time: 1241445124 },
    { user: 'user_000002', item: 'Sigur Rós — Hoppípolla', value: 1, time: 1241444572 },
    { user: 'user_000003', item: '"Weird Al" Yankovic — Amish Paradise', value: 1, time: 1241348400 },
    { user: 'user_000003', item: EMPEROR, value: 1, time: 1241352000 },
  ])
  assert.equal(names.get(EMPEROR), '坂本龍一 — The Last Emperor (Theme)')
  assert.deepEqual(report.skipReasons, [...SKIPS, `${path}:11 column 'artist_name' value '': track has neither an artist name nor an MBID`])
  assert.deepEqual([report.rows, report.kept, report.skipped, report.users, report.items], [10, 6, 4, 3, 5])
})

test('artist level: the artist MBID, else the name', async () => {
  const { events, names, report } = await readLastfm1k(path, { level: 'artist' })
  assert.deepEqual(events.map((e) => e.item), [
    'f1b1cf71-bd35-4e99-8624-24a6e15f133a',
    'a7f7df4a-77d8-4f12-8acd-5c60c93f4de8',
    'a7f7df4a-77d8-4f12-8acd-5c60c93f4de8',
    'Sigur Rós',
    '"Weird Al" Yankovic',
    '0383dadf-2a4e-4d10-a46a-e9e041da8eb3',
  ])
  assert.equal(names.get('a7f7df4a-77d8-4f12-8acd-5c60c93f4de8'), '坂本龍一')
  assert.deepEqual(report.skipReasons, [...SKIPS, `${path}:11 column 'artist_name' value '': artist has neither a name nor an MBID`])
})

test('strict mode stops at line 5; an unknown level is E_BAD_ARGUMENT', async () => {
  await assert.rejects(readLastfm1k(path, { strict: true }), segueError('E_INPUT_ROW', /lastfm-1k\.tsv:5 column 'timestamp' value 'not-a-date'/))
  await assert.rejects(readLastfm1k(path, { level: 'album' as 'track' }), segueError('E_BAD_ARGUMENT', /level must be 'track' or 'artist'/))
})
