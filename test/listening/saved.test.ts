import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { loadListeningSaved } from '../../src/listening/saved.js'
import { BUNDLED_LISTENING, type ListeningData } from '../../src/listening/source.js'

function plain(l: ListeningData) {
  const { matrix, users, items, kind, times } = l.data
  return {
    users: users.rawIds(), items: items.rawIds(), kind, times: times && Array.from(times),
    indptr: Array.from(matrix.indptr), indices: Array.from(matrix.indices), data: Array.from(matrix.data),
    names: [...l.itemNames], format: l.format, itemKind: l.itemKind, report: JSON.parse(JSON.stringify(l.report)), source: l.source,
  }
}

describe('saved listening data (bundled HetRec Last.fm 2K)', () => {
  const source = join(mkdtempSync(join(tmpdir(), 'segue-listening-src-')), 'hetrec')
  cpSync(BUNDLED_LISTENING, source, { recursive: true })
  const artifact = join(mkdtempSync(join(tmpdir(), 'segue-listening-art-')), 'listening.art')

  it('is read once, then loaded with the same ids, matrix, names and report', async () => {
    const first = await loadListeningSaved(source, artifact)
    assert.equal(first.origin, 'built')
    const second = await loadListeningSaved(source, artifact)
    assert.equal(second.origin, 'loaded')
    assert.deepEqual(plain(second.listening), plain(first.listening))
    assert.equal(second.listening.data.users.dense(first.listening.data.users.rawIds()[7]), 7)
  })

  it('a changed source file is read afresh', async () => {
    const file = join(source, 'user_artists.dat.gz')
    const lines = gunzipSync(readFileSync(file)).toString('utf8').trimEnd().split('\n')
    const before = await loadListeningSaved(source, artifact)
    writeFileSync(file, gzipSync(lines.slice(0, -50).join('\n') + '\n'))
    const after = await loadListeningSaved(source, artifact)
    assert.equal(after.origin, 'built')
    assert.ok(after.listening.data.matrix.indices.length < before.listening.data.matrix.indices.length)
    assert.equal((await loadListeningSaved(source, artifact)).origin, 'loaded')
  })

  it('a damaged artifact is replaced with a warning', async () => {
    const bytes = readFileSync(artifact)
    bytes[bytes.length >> 1] ^= 0xff
    writeFileSync(artifact, bytes)
    const warnings: string[] = []
    const again = await loadListeningSaved(source, artifact, { warn: (m) => warnings.push(m) })
    assert.equal(again.origin, 'built')
    assert.match(warnings.join('\n'), /listening\.art: checksum mismatch.*reading the source again/)
  })
})
