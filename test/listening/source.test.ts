import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { detectFormat, loadListening } from '../../src/listening/source.js'
import { SKIP_NO_SHARED, fixturesDir, sharedFile } from '../helpers/paths.js'

const listens = join(fixturesDir, 'listens')

test('the bundled HetRec Last.fm 2K data loads by default, artists as items', async () => {
  const l = await loadListening()
  assert.equal(l.format, 'hetrec-2k')
  assert.deepEqual([l.data.users.size, l.data.items.size, l.data.matrix.indices.length], [1892, 17632, 92834])
  assert.equal(l.data.kind, 'implicit')
  assert.equal(l.itemKind, 'artist')
  assert.ok([...l.itemNames.values()].includes('Beyoncé'))
})

test('formats are detected from the path and the first line', () => {
  assert.equal(detectFormat(join(listens, 'lastfm-1k.tsv')), 'lastfm-1k')
  assert.equal(detectFormat(join(listens, 'listens.csv')), 'listens')
  assert.equal(detectFormat(join(listens, 'listens.tsv')), 'listens')
  assert.throws(() => detectFormat(mkdtempSync(join(tmpdir(), 'segue-empty-'))), /neither HetRec/)
})

test('a missing path is a clear error', async () => {
  await assert.rejects(loadListening('/nonexistent/plays.csv'), /\/nonexistent\/plays\.csv: file or folder not found/)
})

const ml = sharedFile('movielens-100k')
test('MovieLens 100K is explicit ratings', { skip: ml ? false : SKIP_NO_SHARED }, async () => {
  const l = await loadListening(ml!)
  assert.equal(l.format, 'movielens-100k')
  assert.equal(l.data.kind, 'explicit')
  assert.deepEqual([l.data.users.size, l.data.items.size, l.data.matrix.indices.length], [943, 1682, 100000])
})
