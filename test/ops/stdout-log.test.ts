import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fixturesDir, repoRoot } from '../helpers/paths.js'

const CLI = join(repoRoot, 'dist', 'src', 'cli', 'main.js')
const REQUESTS = 300

// The server's log goes to stdout asynchronously (lines batched while a write is in flight, the rest written at exit):
// every request's line must still arrive whole, including those still queued when the server is stopped right after answering.
test('segue serve: every request has one whole log line on stdout, even when stopped straight after', { timeout: 120_000 }, async () => {
  const home = mkdtempSync(join(tmpdir(), 'segue-stdout-log-'))
  const args = ['--catalogue', join(fixturesDir, 'engine', 'catalogue.csv'), '--no-collaborative']
  const child = spawn(process.execPath, [CLI, '--no-progress', '--home', home, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()))
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 90 s:\n${err}`)), 90_000)
    child.stderr!.on('data', () => {
      const m = /ready in [\d.]+ s: open (http:\/\/\S+)/.exec(err)
      if (m) {
        clearTimeout(timer)
        resolve(m[1]!)
      }
    })
  })
  const ids = await Promise.all(
    Array.from({ length: REQUESTS }, async (_, i) => {
      const id = `log-check-${i}`
      const res = await fetch(`${url}/api/health`, { headers: { 'x-request-id': id } })
      assert.equal(res.status, 200)
      return id
    }),
  )
  child.kill('SIGTERM')
  assert.equal(await exited, 0, `the server stops cleanly:\n${err}`)

  const lines = out.split('\n').filter((l) => l !== '')
  const completed = new Map<string, number>()
  for (const line of lines) {
    const entry = JSON.parse(line) as { msg?: string; requestId?: string; req?: { url?: string } }
    if (entry.msg === 'request completed' && entry.requestId) completed.set(entry.requestId, (completed.get(entry.requestId) ?? 0) + 1)
  }
  const missing = ids.filter((id) => completed.get(id) !== 1)
  assert.deepEqual(missing, [], `each request logged exactly once (${missing.length} of ${REQUESTS} not)`)
})
