import { test } from 'node:test'
import assert from 'node:assert/strict'
import { copyFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { readHetrecListening, readHetrecPlays } from '../../../src/data/listens/hetrec.js'
import { readTsvTable } from '../../../src/data/listens/tsv-table.js'
import { loadListening } from '../../../src/listening/source.js'
import { re, segueError } from '../catalogue-fixtures.js'
import { listensFixture, withFile } from './listens-fixtures.js'

// user_artists.dat as HetRec writes it (CRLF), with a blank line, a short row and a bad count further down.
const PLAYS = ['userID\tartistID\tweight', '2\t51\t13883', '', '2\t52', '3\t51\tmany', '4\t60\t7', ''].join('\r\n')

test('a malformed HetRec line is skipped with its file, line, column and value', async () => {
  await withFile('user_artists.dat', PLAYS, async (file) => {
    const r = await readHetrecPlays(file)
    assert.deepEqual(r.events, [{ user: '2', item: '51', value: 13883 }, { user: '4', item: '60', value: 7 }])
    // Line numbers count the header and the blank line, as an editor shows them.
    assert.deepEqual(r.report.skipReasons, [`${file}:4: row has 2 columns, the header has 3`, `${file}:5 column 'weight' value 'many': not a number`])
    assert.deepEqual([r.report.rows, r.report.kept, r.report.skipped], [4, 2, 2])
  })
})

test('strict mode stops at the first malformed HetRec line, located', async () => {
  await withFile('user_artists.dat.gz', gzipSync(PLAYS), async (file) => {
    await assert.rejects(readHetrecPlays(file, { strict: true }), (e: unknown) => {
      assert.ok(segueError('E_INPUT_ROW', new RegExp(`${re(file)}:4: row has 2 columns`))(e))
      assert.deepEqual((e as { location: unknown }).location, { file, line: 4, column: undefined, value: undefined })
      return true
    })
  })
})

test('a TSV file: Latin-1 lines decode, a BOM and a last line without a break are fine, progress ends at the size', async () => {
  const bytes = Buffer.concat([Buffer.from('\uFEFFtagID\ttagValue\n1\tmetal\n'), Buffer.from('2\trock français', 'latin1')])
  await withFile('tags.dat', bytes, async (file) => {
    const done: number[] = []
    const layout = { phase: 'read tags', rowReader: () => (c: { fields: string[] }) => c.fields[1] }
    const r = await readTsvTable(file, layout, { onProgress: (p) => done.push(p.done) })
    assert.deepEqual(r.values, ['metal', 'rock français'])
    assert.equal(done.at(-1), bytes.length)
  })
})

test('an empty file, a missing file and broken gzip are clear errors', async () => {
  const layout = { phase: 'p', rowReader: () => () => 1 }
  await withFile('artists.dat', '\n\n', async (file) => {
    await assert.rejects(readTsvTable(file, layout), segueError('E_INPUT_FORMAT', new RegExp(`${re(file)}: file is empty`)))
  })
  await assert.rejects(readTsvTable('/nonexistent/user_artists.dat', layout), segueError('E_INPUT_FILE', /user_artists\.dat: file not found/))
  await withFile('user_artists.dat.gz', 'not gzip', async (file) => {
    await assert.rejects(readTsvTable(file, layout), segueError('E_INPUT_FILE', /not valid gzip/))
  })
})

test('HetRec listening data needs only plays and artist names: tags, taggings and friends are not read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'segue-hetrec-plays-'))
  for (const f of ['user_artists.dat', 'artists.dat']) copyFileSync(listensFixture('hetrec-mini', f), join(dir, f))
  const phases = new Set<string>()
  const h = await readHetrecListening(dir, { onProgress: (p) => phases.add(p.phase) })
  assert.deepEqual([...phases], ['read plays', 'read artists'])
  assert.equal(h.events.length, 4)
  assert.deepEqual(Object.keys(h.report), ['plays', 'artists'])
  // Before, loadListening read all five files: this folder failed with "tags.dat: file not found".
  const l = await loadListening(dir)
  assert.deepEqual([l.data.users.size, l.data.items.size, l.itemNames.get('295')], [3, 3, 'Beyoncé'])
})
