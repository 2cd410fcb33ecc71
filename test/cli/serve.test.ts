import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fixturesDir, repoRoot } from '../helpers/paths.js'
import { startServer } from '../helpers/server-process.js'

const CLI = join(repoRoot, 'dist', 'src', 'cli', 'main.js')
const ARGS = ['--catalogue', join(fixturesDir, 'engine', 'catalogue.csv'), '--no-collaborative']

test('segue serve: answers, refuses a taken port clearly, and exits cleanly on SIGTERM', { timeout: 120_000 }, async () => {
  const home = mkdtempSync(join(tmpdir(), 'segue-serve-'))
  const server = await startServer(home, ARGS)
  try {
    const health = await (await fetch(`${server.url}/api/health`)).json()
    assert.deepEqual(health, { status: 'ok', tracks: 9, collaborative: null })
    const models = (await (await fetch(`${server.url}/api/models`)).json()) as { models: { name: string }[] }
    assert.deepEqual(models.models.map((m: { name: string }) => m.name), ['content'], 'without listening data only content is offered')
    const page = await fetch(`${server.url}/`)
    assert.equal(page.headers.get('content-type')?.startsWith('text/html'), true, 'the web app is served at /')

    const port = new URL(server.url).port
    const second = spawnSync(process.execPath, [CLI, '--no-progress', '--home', mkdtempSync(join(tmpdir(), 'segue-serve-')), 'serve', '--port', port, ...ARGS], { encoding: 'utf8' })
    assert.equal(second.status, 1)
    assert.match(second.stderr, new RegExp(`127\\.0\\.0\\.1:${port} is already in use.*--port`))
    assert.doesNotMatch(second.stderr, /first start|loaded/, 'refused before loading anything')
    assert.doesNotMatch(second.stderr, /\n\s+at /, 'one line, no stack trace')
  } finally {
    await server.stop()
  }
  assert.equal(server.child.exitCode, 0, `SIGTERM closes the server cleanly:\n${server.stderr()}`)
})

test('segue serve: a bad port is refused before anything starts', () => {
  const r = spawnSync(process.execPath, [CLI, 'serve', '--port', 'eighty'], { encoding: 'utf8' })
  assert.notEqual(r.status, 0)
  assert.match(r.stderr, /port from 0 to 65535/)
})
