import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Progress } from '../../src/core/progress.js'
import { readCatalogue } from '../../src/data/read-catalogue.js'
import { SKIP_NO_SHARED, realFile } from '../helpers/paths.js'
import { catalogueFixture, re, segueError } from './catalogue-fixtures.js'

const H170 =
  'valence,year,acousticness,artists,danceability,duration_ms,energy,explicit,id,instrumentalness,key,liveness,' +
  'loudness,mode,name,popularity,release_date,speechiness,tempo'

/** Writes `text` to a fresh temp file and runs `fn` on its path. */
async function withFile(name: string, text: string, fn: (path: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'segue-catalogue-'))
  try {
    const path = join(dir, name)
    writeFileSync(path, text)
    await fn(path)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** A 170k row with the given id, name and tempo, other values fixed. */
function row170(id: string, name: string, tempo: string): string {
  return `0.5,2000,0.5,['A'],0.5,1000,0.5,0,${id},0,1,0.1,-5,1,${name},10,2000,0.05,${tempo}`
}

test('a missing file is E_INPUT_FILE naming the path', async () => {
  const path = catalogueFixture('nope', 'tracks.csv')
  await assert.rejects(readCatalogue(path), segueError('E_INPUT_FILE', new RegExp(`^${re(path)}: file not found$`)))
  await assert.rejects(readCatalogue(catalogueFixture('spotify-600k')), segueError('E_INPUT_FILE', /not a regular file/))
})

test('an unknown header or an empty file is E_INPUT_FORMAT naming the file', async () => {
  await withFile('ratings.csv', 'user,item,rating\n1,2,3\n', async (path) => {
    await assert.rejects(readCatalogue(path), segueError('E_INPUT_FORMAT', new RegExp(`^${re(path)}: header does not match`)))
  })
  await withFile('empty.csv', '', async (path) => {
    await assert.rejects(readCatalogue(path), segueError('E_INPUT_FORMAT', /empty\.csv: file is empty/))
  })
})

test('a BOM, CRLF line ends and CRLF inside a quoted field keep line numbers physical', async () => {
  const lines = [H170, row170('a', '"two\r\nlines"', '100'), '', row170('b', 'plain', 'slow'), row170('c', 'c', '90')]
  await withFile('data.csv', '\uFEFF' + lines.join('\r\n') + '\r\n', async (path) => {
    const { tracks, report } = await readCatalogue(path)
    assert.deepEqual(tracks.map((t) => [t.id, t.name]), [['a', 'two\r\nlines'], ['c', 'c']])
    // header 1, row a on 2-3, blank line 4, row b on 5
    assert.deepEqual(report.skipReasons, [`${path}:5 column 'tempo' value 'slow': not a number`])
    assert.equal(report.rows, 3)
  })
})

test('a quote never closed stops the read even in lenient mode', async () => {
  const text = [H170, row170('a', 'ok', '100'), row170('b', '"never closed', '100'), row170('c', 'c', '1')].join('\n')
  await withFile('data.csv', text, async (path) => {
    await assert.rejects(readCatalogue(path), segueError('E_INPUT_ROW', new RegExp(`^${re(path)}:3: CSV syntax error`)))
  })
})

test('progress goes up to the file size in about 1% steps', async () => {
  const path = catalogueFixture('spotify-600k', 'tracks.csv')
  const seen: Progress[] = []
  await readCatalogue(path, { onProgress: (p) => seen.push(p) })
  const size = statSync(path).size
  const reads = seen.filter((p) => p.phase === 'read')
  assert.ok(reads.length >= 1 && reads.length <= 102, `${reads.length} progress calls`)
  assert.deepEqual(reads.at(-1), { phase: 'read', done: size, total: size })
  assert.ok(seen.some((p) => p.phase === 'read-artists'))
})

test('an aborted signal stops the read with E_INTERRUPTED', async () => {
  const ac = new AbortController()
  ac.abort()
  await assert.rejects(readCatalogue(catalogueFixture('spotify-170k', 'data.csv'), { signal: ac.signal }), segueError('E_INTERRUPTED', /interrupted/))
})

const REAL = realFile('spotify-tracks-114k', 'dataset.csv')

test('real 114k file: abort during the read, and progress stays near 1% steps', { skip: REAL === null && SKIP_NO_SHARED }, async () => {
  const ac = new AbortController()
  const seen: Progress[] = []
  const onProgress = (p: Progress) => {
    seen.push(p)
    if (p.done > p.total / 2) ac.abort()
  }
  await assert.rejects(readCatalogue(REAL as string, { signal: ac.signal, onProgress }), segueError('E_INTERRUPTED', /interrupted/))
  assert.ok(seen.length >= 45 && seen.length <= 60, `${seen.length} progress calls before stopping`)
  assert.ok(seen.every((p, i) => i === 0 || p.done > seen[i - 1].done))
})
