import { test } from 'node:test'
import assert from 'node:assert/strict'
import { csvRows, type TextEncodingName } from '../../../src/data/csv-rows.js'
import { withFile } from './listens-fixtures.js'

async function fields(path: string, encoding: TextEncodingName): Promise<string[][]> {
  const out: string[][] = []
  for await (const row of csvRows(path, { phase: 'test', delimiter: '\t', quote: false, encoding })) out.push(row.fields)
  return out
}

test("latin1 and utf8-or-latin1 decode 'français' from Latin-1 bytes; UTF-8 lines stay UTF-8", async () => {
  const bytes = Buffer.concat([Buffer.from('1\trock fran\xe7ais\r\n', 'latin1'), Buffer.from('2\tBeyoncé\r\n3\t"x" y\r\n')])
  await withFile('mixed.dat', bytes, async (path) => {
    assert.deepEqual(await fields(path, 'utf8-or-latin1'), [['1', 'rock français'], ['2', 'Beyoncé'], ['3', '"x" y']])
    assert.deepEqual((await fields(path, 'latin1'))[0], ['1', 'rock français'])
  })
})

test('utf8-or-latin1 keeps a multi-byte character split across read chunks whole', async () => {
  // 64 KiB reads: place 'é' (2 bytes) across the boundary, and a Latin-1 line after it.
  const pad = 'a'.repeat(65_535 - 2)
  const text = Buffer.concat([Buffer.from(`1\t${pad}é\n`), Buffer.from('2\tm\xe1gico\n', 'latin1')])
  await withFile('split.dat', text, async (path) => {
    const rows = await fields(path, 'utf8-or-latin1')
    assert.deepEqual(rows.map((r) => r[1].slice(-6)), ['aaaaaé', 'mágico'])
  })
})
