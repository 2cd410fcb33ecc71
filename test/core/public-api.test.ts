import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as segue from '../../src/index.js'

test('the public API offers the product layer: service, HTTP app, stores', () => {
  for (const name of ['Engine', 'SegueService', 'createApp', 'listen', 'openStore', 'SqliteStore', 'PostgresStore', 'buildPlaylist', 'RerankedIndex'] as const) {
    assert.equal(typeof segue[name], 'function', name)
  }
  assert.equal(segue.OPENAPI_PATH, '/api/openapi.json')
  assert.deepEqual([...segue.FOR_YOU_MODELS], ['content', 'collaborative', 'hybrid'])
  assert.deepEqual([...segue.FEEDBACK_KINDS], ['play', 'like', 'skip', 'dislike'])
  assert.equal(segue.isPostgresUrl('postgresql://u@h/db'), true)
  assert.equal(segue.isPostgresUrl('/var/lib/segue.db'), false)
})
