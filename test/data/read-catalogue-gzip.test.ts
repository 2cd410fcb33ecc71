import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readCatalogue } from '../../src/data/read-catalogue.js'
import { fixturesDir } from '../helpers/paths.js'

const plain = join(fixturesDir, 'catalogue', 'spotify-114k', 'dataset.csv')

test('a gzipped catalogue reads exactly like the plain file', async () => {
  const gz = join(mkdtempSync(join(tmpdir(), 'segue-gz-')), 'dataset.csv.gz')
  writeFileSync(gz, gzipSync(readFileSync(plain)))
  const a = await readCatalogue(plain)
  const b = await readCatalogue(gz)
  assert.ok(a.tracks.length > 0)
  assert.deepEqual(b.tracks, a.tracks)
  const { file: _a, skipReasons: reasonsA, ...restA } = a.report
  const { file: _b, skipReasons: reasonsB, ...restB } = b.report
  assert.deepEqual(restB, restA)
  assert.deepEqual(reasonsB, reasonsA.map((r) => r.replace(plain, gz)), 'same reasons, same line numbers')
})

test('a damaged gzip file is an input-file error naming it', async () => {
  const gz = join(mkdtempSync(join(tmpdir(), 'segue-gz-')), 'broken.csv.gz')
  writeFileSync(gz, gzipSync(readFileSync(plain)).subarray(0, 40))
  await assert.rejects(readCatalogue(gz), (e: Error & { code?: string }) => e.code === 'E_INPUT_FILE' && e.message.includes('broken.csv.gz'))
})
