import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SqliteStore } from '../../src/store/sqlite.js'
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

test('segue serve: Ctrl-C during the first start stops safely, keeps nothing partial, and the next start works', { timeout: 180_000 }, async () => {
  const home = mkdtempSync(join(tmpdir(), 'segue-serve-int-'))
  const child = spawn(process.execPath, [CLI, '--no-progress', '--home', home, 'serve', '--port', '0', '--no-collaborative'], { stdio: ['ignore', 'ignore', 'pipe'] })
  let err = ''
  child.stderr.setEncoding('utf8')
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  await new Promise<void>((resolve) => child.stderr.on('data', (chunk: string) => {
    err += chunk
    if (err.includes('first start: importing')) resolve()
  }))
  child.kill('SIGINT')
  assert.equal(await exited, 130, err)
  assert.match(err, /stopping safely[\s\S]*interrupted/)
  const store = new SqliteStore(join(home, 'segue.db'))
  const tracks = await store.countTracks()
  await store.close()
  assert.ok(tracks === 0 || tracks === 89_741, `the catalogue is all there or not at all, got ${tracks}`)

  const again = await startServer(home, ARGS)
  try {
    const health = (await (await fetch(`${again.url}/api/health`)).json()) as { tracks: number }
    assert.ok(health.tracks === 9 || health.tracks === 89_741)
  } finally {
    await again.stop()
  }
})
