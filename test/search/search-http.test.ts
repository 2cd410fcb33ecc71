import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer } from '../helpers/server-process.js'

// Issue 8, section 2: no search holds the request thread. A real `segue serve` (dist/) over the bundled 114k
// catalogue; the first start imports it, so this takes a minute or more.
//
// The queries that held the event loop before (16 one-letter words: 20 s; 100 copies of "a": 76 s; "a": 1.3 s),
// plus the costliest query found since (eight common words, each with many completions and typo candidates).
const HOSTILE = [
  'a b c d e f g h i j k l m n o p',
  Array(100).fill('a').join(' '),
  'a',
  'love live life remix version feat original remastered',
]
/**
 * The bound on each of those searches (median of TRIES, over loopback), measured on a quiet machine. On
 * a busy shared one every request waits for a core, so the bound is added to /api/health's median measured
 * just before: the search itself must stay within 100 ms of a trivial request.
 */
const MAX_SEARCH_MS = 100
const TRIES = 5
/**
 * The bound on /api/health's p99 while IN_FLIGHT hostile searches run. When the machine cannot meet it
 * even with IN_FLIGHT trivial requests in flight (a baseline measured just before), the searches may cost at
 * most HEALTH_SLACK times that baseline's p99: hostile searches must hold the server no more than trivial ones.
 */
const MAX_HEALTH_P99_MS = 20
const HEALTH_SLACK = 1.5
const IN_FLIGHT = 10
const HEALTH_SAMPLES = 300

async function timed(url: string): Promise<{ ms: number; status: number }> {
  const t = performance.now()
  const res = await fetch(url)
  await res.arrayBuffer()
  return { ms: performance.now() - t, status: res.status }
}

const searchUrl = (base: string, q: string) => `${base}/api/search?q=${encodeURIComponent(q)}&limit=10`

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]
}

/** /api/health latencies while IN_FLIGHT loops send the requests `url(n)` gives. */
async function healthBeside(base: string, url: (n: number) => string) {
  let stop = false
  let requests = 0
  const statuses = new Set<number>()
  const load = Array.from({ length: IN_FLIGHT }, async (_, i) => {
    for (let n = i; !stop; n++) {
      statuses.add((await timed(url(n))).status)
      requests++
    }
  })
  const health: number[] = []
  for (let i = 0; i < HEALTH_SAMPLES; i++) {
    const r = await timed(`${base}/api/health`)
    assert.equal(r.status, 200)
    health.push(r.ms)
  }
  stop = true
  await Promise.all(load)
  health.sort((a, b) => a - b)
  return { median: quantile(health, 0.5), p99: quantile(health, 0.99), requests, statuses: [...statuses] }
}

test('hostile searches answer within 100 ms and never hold /api/health (p99 < 20 ms with 10 in flight)', { timeout: 900_000 }, async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'segue-search-http-'))
  const server = await startServer(home, [], { timeoutMs: 600_000 })
  try {
    const base = server.url.replace(/\/$/, '')
    await timed(searchUrl(base, 'warm up'))
    const alone: number[] = []
    for (let i = 0; i < 21; i++) alone.push((await timed(`${base}/api/health`)).ms)
    const healthMedian = quantile(alone.sort((a, b) => a - b), 0.5)
    t.diagnostic(`/api/health alone: median ${healthMedian.toFixed(1)} ms`)
    for (const q of HOSTILE) {
      const runs = []
      for (let i = 0; i < TRIES; i++) runs.push(await timed(searchUrl(base, q)))
      assert.ok(runs.every((r) => r.status === 200), `${q.slice(0, 40)}: ${runs.map((r) => r.status)}`)
      const median = runs.map((r) => r.ms).sort((a, b) => a - b)[TRIES >> 1]
      t.diagnostic(`search "${q.slice(0, 40)}": median ${median.toFixed(1)} ms`)
      assert.ok(median <= MAX_SEARCH_MS + healthMedian, `"${q.slice(0, 40)}" took ${median.toFixed(1)} ms (median of ${TRIES}; health ${healthMedian.toFixed(1)} ms)`)
    }

    const trivial = await healthBeside(base, () => `${base}/api/models`)
    t.diagnostic(`/api/health with ${IN_FLIGHT} trivial requests in flight: median ${trivial.median.toFixed(1)} ms, p99 ${trivial.p99.toFixed(1)} ms`)
    const hostile = await healthBeside(base, (n) => searchUrl(base, HOSTILE[n % HOSTILE.length]))
    t.diagnostic(`/api/health with ${IN_FLIGHT} hostile searches in flight: median ${hostile.median.toFixed(1)} ms, p99 ${hostile.p99.toFixed(1)} ms; ${hostile.requests} searches answered meanwhile (statuses ${hostile.statuses})`)
    assert.deepEqual(hostile.statuses, [200])
    assert.ok(hostile.requests >= IN_FLIGHT, 'the hostile searches kept running during the health samples')
    const bound = Math.max(MAX_HEALTH_P99_MS, HEALTH_SLACK * trivial.p99)
    assert.ok(hostile.p99 < bound, `/api/health p99 ${hostile.p99.toFixed(1)} ms, bound ${bound.toFixed(1)} ms`)
  } finally {
    await server.stop()
    rmSync(home, { recursive: true, force: true })
  }
})
