import { test } from 'node:test'
import assert from 'node:assert/strict'
import { closeSync, copyFileSync, existsSync, mkdtempSync, openSync, readFileSync, statSync, utimesSync, writeFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as artifact from '../../src/core/artifact.js'
import { decodeArtifact, encodeArtifact, loadArtifact, saveArtifact } from '../../src/core/artifact.js'
import { SegueError } from '../../src/core/errors.js'

const header = { kind: 'test-kind', version: 3, key: 'abc', meta: { dims: 2 } }

test('artifact round trip keeps every blob and the header', () => {
  const bytes = encodeArtifact(header, {
    a: new Float32Array([1.5, -2, 3]),
    b: new Int32Array([7]),
    c: new Uint8Array([1, 2, 3, 4, 5]),
    d: new Float64Array([Math.PI]),
  })
  const art = decodeArtifact(bytes, { kind: 'test-kind', version: 3 })
  assert.deepEqual(Array.from(art.blobs.a as Float32Array), [1.5, -2, 3])
  assert.deepEqual(Array.from(art.blobs.b as Int32Array), [7])
  assert.deepEqual(Array.from(art.blobs.c as Uint8Array), [1, 2, 3, 4, 5])
  assert.equal((art.blobs.d as Float64Array)[0], Math.PI)
  assert.equal(art.header.key, 'abc')
  assert.deepEqual(art.header.meta, { dims: 2 })
})

test('a flipped byte or a truncation is detected as corrupt', () => {
  const bytes = encodeArtifact(header, { a: new Float32Array(100).fill(1) })
  const flipped = Buffer.from(bytes)
  flipped[flipped.length - 100] ^= 1
  assert.throws(() => decodeArtifact(flipped, header), (e: SegueError) => e.code === 'E_ARTIFACT_CORRUPT')
  assert.throws(() => decodeArtifact(bytes.subarray(0, 50), header), (e: SegueError) => e.code === 'E_ARTIFACT_CORRUPT')
})

test('a wrong version or kind is refused with its own code', () => {
  const bytes = encodeArtifact(header, {})
  assert.throws(() => decodeArtifact(bytes, { kind: 'test-kind', version: 4 }), (e: SegueError) => e.code === 'E_ARTIFACT_VERSION')
  assert.throws(() => decodeArtifact(bytes, { kind: 'other', version: 3 }), (e: SegueError) => e.code === 'E_ARTIFACT_CORRUPT')
})

test('saveArtifact replaces the file atomically and loadArtifact names the path on error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'segue-art-'))
  const path = join(dir, 'x.art')
  saveArtifact(path, header, { a: new Float32Array([1]) })
  saveArtifact(path, header, { a: new Float32Array([2]) })
  assert.equal((loadArtifact(path, header).blobs.a as Float32Array)[0], 2)
  writeFileSync(path, readFileSync(path).subarray(0, 20))
  assert.throws(() => loadArtifact(path, header), (e: Error) => e.message.startsWith(path))
})

test('a checked file is trusted by its stamp until written again: damage in place, even with the mtime put back (to the millisecond), is caught', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'segue-art-'))
  const path = join(dir, 'x.art')
  saveArtifact(path, header, { a: new Float32Array(1000).fill(1) })
  loadArtifact(path, header)
  assert.equal(artifact.lastCheck, 'checksum')
  assert.ok(existsSync(`${path}.verified`), 'a stamp is written after the checksum passed')
  assert.equal((loadArtifact(path, header).blobs.a as Float32Array)[999], 1)
  assert.equal(artifact.lastCheck, 'stamp')
  // File times tick coarsely (a few ms): let the clock move past the stamp's before writing.
  await new Promise((r) => setTimeout(r, 50))
  const { mtime } = statSync(path)
  const fd = openSync(path, 'r+')
  writeSync(fd, Buffer.from([0x42]), 0, 1, statSync(path).size - 100)
  closeSync(fd)
  utimesSync(path, mtime, mtime)
  assert.throws(() => loadArtifact(path, header), (e: SegueError) => e.code === 'E_ARTIFACT_CORRUPT' && /checksum mismatch/.test(e.message))
  // A stamp copied onto another file with the same bytes does not vouch for it (another inode).
  const other = join(dir, 'y.art')
  saveArtifact(path, header, { a: new Float32Array([3]) })
  loadArtifact(path, header)
  copyFileSync(path, other)
  copyFileSync(`${path}.verified`, `${other}.verified`)
  loadArtifact(other, header)
  assert.equal(artifact.lastCheck, 'checksum')
})

test('a replaced file is checked afresh, and a stamp for other bytes is not trusted', () => {
  const dir = mkdtempSync(join(tmpdir(), 'segue-art-'))
  const path = join(dir, 'x.art')
  saveArtifact(path, header, { a: new Float32Array([1]) })
  loadArtifact(path, header)
  saveArtifact(path, header, { a: new Float32Array([2]) })
  assert.equal((loadArtifact(path, header).blobs.a as Float32Array)[0], 2)
  assert.equal(artifact.lastCheck, 'checksum')
  // A stamp whose sum is not the file's own trailing checksum.
  writeFileSync(`${path}.verified`, readFileSync(`${path}.verified`, 'utf8').replace(/"sum":"[0-9a-f]/, '"sum":"g'))
  loadArtifact(path, header)
  assert.equal(artifact.lastCheck, 'checksum')
})
