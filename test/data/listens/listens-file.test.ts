import { test } from 'node:test'
import assert from 'node:assert/strict'
import { gzipSync } from 'node:zlib'
import { readFileSync } from 'node:fs'
import { readListens } from '../../../src/data/listens/listens-file.js'
import { segueError } from '../catalogue-fixtures.js'
import { listensFixture, withFile } from './listens-fixtures.js'

test('a CSV log: columns found by their usual names, unix and ISO times, bad cells named', async () => {
  const path = listensFixture('listens.csv')
  const { events, report } = await readListens(path)
  assert.deepEqual(events, [
    { user: 'u1', item: 't1', value: 3, time: 1241478537 },
    { user: 'u1', item: 't2', value: 1, time: 1241478537 },
    { user: 'u2', item: 't,3', value: 2, time: 1241395200 },
  ])
  assert.equal(report.delimiter, ',')
  assert.deepEqual(report.columns, { user: 'user_id', item: 'track_id', value: 'plays', time: 'timestamp' })
  assert.deepEqual(report.skipReasons, [
    `${path}:5 column 'plays' value '': required value is empty`,
    `${path}:6 column 'plays' value 'x': not a number`,
    `${path}:7 column 'timestamp' value '1241478537000': too large for unix seconds (milliseconds?)`,
    `${path}:8 column 'timestamp' value '2009-05-04T25:00:00Z': not an ISO 8601 date-time`,
  ])
  assert.deepEqual([report.rows, report.skipped, report.users, report.items], [7, 4, 2, 3])
})

test('a TSV log: detected by the tab, quotes kept as text, value 1 without a value column', async () => {
  const path = listensFixture('listens.tsv')
  const { events, report } = await readListens(path)
  assert.deepEqual(events, [
    { user: 'ana', item: '"Weird Al" Yankovic', value: 1 },
    { user: 'ana', item: 'Björk', value: 1 },
    { user: 'bo', item: 'Sigur Rós', value: 1 },
  ])
  assert.deepEqual([report.delimiter, report.columns], ['\t', { user: 'userid', item: 'artist' }])
  assert.deepEqual(report.skipReasons, [`${path}:4 column 'artist' value '': required value is empty`])
})

test('columns may be named explicitly, and a gzipped file reads the same', async () => {
  const { events } = await readListens(listensFixture('listens.tsv'), { columns: { value: 'Stars' } })
  assert.deepEqual(events.map((e) => e.value), [5, -1, 4.5])
  await withFile('listens.tsv.gz', gzipSync(readFileSync(listensFixture('listens.tsv'))), async (gz) => {
    const again = await readListens(gz, { columns: { value: 'stars' } })
    assert.deepEqual(again.events, events)
  })
})

test('a header without a user column, or a named column absent, is E_INPUT_FORMAT', async () => {
  await withFile('x.csv', 'who,item\na,b\n', async (path) => {
    await assert.rejects(readListens(path), segueError('E_INPUT_FORMAT', /no user column in the header \(looked for user, user_id/))
    await assert.rejects(readListens(path, { columns: { user: 'who', time: 'when' } }), segueError('E_INPUT_FORMAT', /the time column 'when' is not in the header/))
    const { events } = await readListens(path, { columns: { user: 'who' } })
    assert.deepEqual(events, [{ user: 'a', item: 'b', value: 1 }])
  })
})

test('strict mode throws E_INPUT_ROW at the first bad row; a missing file is E_INPUT_FILE', async () => {
  const path = listensFixture('listens.csv')
  await assert.rejects(readListens(path, { strict: true }), segueError('E_INPUT_ROW', /listens\.csv:5 column 'plays' value '': required value is empty/))
  await assert.rejects(readListens(listensFixture('nope.csv')), segueError('E_INPUT_FILE', /nope\.csv: file not found/))
})
