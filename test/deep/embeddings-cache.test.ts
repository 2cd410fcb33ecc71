import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, utimesSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadTrackEmbeddings, saveTrackEmbeddings, type TrackEmbeddings } from '../../src/deep/embeddings.js'

function embeddings(key: string, values: number[]): TrackEmbeddings {
  return { model: 'autoencoder', key, catalogueVersion: 'v1', dim: 2, count: values.length / 2, vectors: Float32Array.from(values) }
}

test('saved embeddings are read once per file version: a request reuses them, a new training is seen', () => {
  const dir = mkdtempSync(join(tmpdir(), 'segue-emb-cache-'))
  try {
    const path = join(dir, 'embeddings.art')
    saveTrackEmbeddings(path, embeddings('k1', [1, 0, 0, 1]), {})
    const first = loadTrackEmbeddings(path, 'v1')
    assert.ok(first)
    assert.equal(loadTrackEmbeddings(path, 'v1'), first, 'the second request reuses what the first read')
    assert.equal(loadTrackEmbeddings(path, 'v2'), null, 'another catalogue version is not served these embeddings')

    saveTrackEmbeddings(path, embeddings('k2', [0, 1, 1, 0, 1, 1]), {})
    utimesSync(path, new Date(), new Date(Date.now() + 5_000)) // a new mtime even on a coarse clock
    const retrained = loadTrackEmbeddings(path, 'v1')
    assert.equal(retrained?.embeddings.key, 'k2', 'a new training is read')
    assert.deepEqual([...retrained!.embeddings.vectors], [0, 1, 1, 0, 1, 1])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
