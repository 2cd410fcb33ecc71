// What the server's caches hold after a load shaped like the HTTP bench's (http.bench.ts), in bytes: the service
// (SegueService, as `segue serve` runs it) in THIS process, its requests made directly (no HTTP), then each cache
// emptied in turn with a full GC before and after, so the drop in V8's used heap is what that cache alone held
// (objects two caches share are charged to the first emptied: the order is the results first, as their answers
// hold explanations and tracks the other caches also reference).
//
// Load, per round: similar tracks for the track pool; for each model (content, collaborative, hybrid) and listener
// size (20 listeners of 8 events, 8 of 2,000), repeated requests (the result cache's case) and "fresh" ones, each
// naming a new seed (the seed advancing once per turn of the listeners, as the HTTP bench does). The track pool is
// the search hits of common words, as in the HTTP bench. After each round: heap used, RSS and each cache's entries.
//
// Environment: BENCH_HOME (a home to start from a copy of; default a fresh temporary home: first start imports the
// catalogue and fits the models, 25-40 s), BENCH_ROUNDS (default 2), BENCH_FRESH (fresh requests per scenario and
// round, default 2,000), BENCH_CONCURRENCY (requests in flight, default 50).
// Run with --expose-gc (run-all does): `node --expose-gc dist/bench/server-memory.bench.js`.
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { constants, PerformanceObserver } from 'node:perf_hooks'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Rng } from '../src/core/rng.js'
import { recommendationsAnswer } from '../src/server/answers.js'
import { SegueService } from '../src/service/service.js'
import type { FeedbackKind, NewFeedback } from '../src/store/store.js'
import { report, type Row } from './lib/report.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2)
const FRESH = Number(process.env.BENCH_FRESH ?? 2000)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50)
const REPEATED = 500
const TRACK_POOL = 500
const SEARCH_WORDS = ['love', 'you', 'me', 'night', 'heart', 'baby', 'time', 'day', 'girl', 'world', 'life', 'dance', 'dream', 'fire', 'rain', 'blue', 'light', 'home', 'song', 'man']
const SHORT = 20
const LONG = 8
const LONG_EVENTS = 2000
const LONG_KINDS: FeedbackKind[] = [...Array(10).fill('like'), ...Array(80).fill('play'), ...Array(7).fill('skip'), ...Array(3).fill('dislike')]
const MODELS = ['content', 'collaborative', 'hybrid'] as const

const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with node --expose-gc (the figures are heap used after a full collection)')

function heapMb(): number {
  gc!()
  gc!()
  return process.memoryUsage().heapUsed / 2 ** 20
}

function rssMb(): number {
  return process.memoryUsage().rss / 2 ** 20
}

/** Besides the used heap: what V8 reserved for it, and memory outside it (typed arrays' buffers, strings' externals). */
function otherMb(): { heapTotalMb: number; externalMb: number; arrayBuffersMb: number } {
  const m = process.memoryUsage()
  return { heapTotalMb: Math.round(m.heapTotal / 2 ** 20), externalMb: Math.round(m.external / 2 ** 20), arrayBuffersMb: Math.round(m.arrayBuffers / 2 ** 20) }
}

/** `count` calls of `one(i)`, `CONCURRENCY` in flight. */
async function run(count: number, one: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < count) await one(next++)
  }))
}

/** A private field by name, for measuring only (the caches offer no size or clear of their own to all of them). */
function field<T>(o: unknown, name: string): T {
  const v = (o as Record<string, unknown>)[name]
  if (v === undefined) throw new Error(`no field ${name}: the bench needs updating to the service's caches`)
  return v as T
}

async function main(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'segue-bench-mem-'))
  if (process.env.BENCH_HOME) cpSync(process.env.BENCH_HOME, home, { recursive: true })
  const t0 = performance.now()
  const service = await SegueService.start({ home, log: (m) => console.log(`  service: ${m}`) })
  try {
    await service.playlistsReady
    console.log(`service ready in ${((performance.now() - t0) / 1000).toFixed(1)} s; heap ${heapMb().toFixed(0)} MB, RSS ${rssMb().toFixed(0)} MB`)
    const rng = new Rng(7)
    const ids = new Set<string>()
    for (const w of SEARCH_WORDS) {
      for (const h of await service.search(w, 50)) ids.add(h.track.id)
      if (ids.size >= TRACK_POOL) break
    }
    const tracks = [...ids].slice(0, TRACK_POOL)
    const short: string[] = []
    for (let i = 0; i < SHORT; i++) {
      const { listener } = await service.createListener(`mem ${i}`)
      for (const kind of ['like', 'like', 'like', 'play', 'play', 'play', 'play', 'play'] as const) await service.feedback(listener.id, tracks[rng.int(tracks.length)], kind)
      short.push(listener.id)
    }
    const long: string[] = []
    for (let i = 0; i < LONG; i++) {
      const { listener } = await service.createListener(`mem long ${i}`)
      const events: NewFeedback[] = Array.from({ length: LONG_EVENTS }, () => ({ trackId: tracks[rng.int(tracks.length)], kind: LONG_KINDS[rng.int(LONG_KINDS.length)] }))
      await service.store.appendFeedback(listener.id, events)
      long.push(listener.id)
    }
    const base = { heap: heapMb(), rss: rssMb(), ...otherMb() }
    console.log(`${tracks.length} tracks, ${short.length} + ${long.length} listeners; heap ${base.heap.toFixed(0)} MB, RSS ${base.rss.toFixed(0)} MB, typed arrays ${base.arrayBuffersMb} MB before the load`)

    const forYou = () => field<object>(service, 'forYou')
    const sizes = () => ({
      results: field<Map<unknown, unknown>>(service, 'results').size,
      resultsEstimateMb: +(((field<{ bytes?: number }>(service, 'results').bytes ?? NaN) / 2 ** 20).toFixed(1)),
      histories: field<Map<unknown, unknown>>(field(service, 'histories'), 'entries').size,
      historiesEstimateMb: +(((field<{ bytes?: number }>(field(service, 'histories'), 'entries').bytes ?? NaN) / 2 ** 20).toFixed(2)),
      contentStates: field<Map<unknown, unknown>>(field(forYou(), 'contentCache'), 'states').size,
      explanations: field<number>(field(forYou(), 'explained'), 'size'),
      anchorLists: field<Map<unknown, unknown>>(forYou(), 'anchorNeighbours').size,
      artistParts: (forYou() as { artistParts?: { size: number } }).artistParts?.size ?? 0,
      artistPartsEstimateMb: +(((forYou() as { artistParts?: { bytes?: number } }).artistParts?.bytes ?? NaN) / 2 ** 20).toFixed(1),
    })
    const rows: Row[] = []
    // Time in garbage collection during the load (the full collections the bench forces between rounds excluded):
    // a big old generation of small objects makes each major GC mark them all.
    const gcTime = { ms: 0, majorMs: 0, counting: false }
    const observer = new PerformanceObserver((list) => {
      if (!gcTime.counting) return
      for (const e of list.getEntries()) {
        gcTime.ms += e.duration
        if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) gcTime.majorMs += e.duration
      }
    })
    observer.observe({ entryTypes: ['gc'] })
    const moods = () => service.moods.current
    /** The answers' JSON text: its size per item is part of resultBytes' estimate. */
    const text = { chars: 0, answers: 0 }
    for (let r = 0; r < ROUNDS; r++) {
      // The forced collections' entries (heapMb) reach the observer later: let them pass uncounted first.
      await new Promise((resolve) => setTimeout(resolve, 100))
      const t = performance.now()
      const cpu0 = process.cpuUsage()
      Object.assign(gcTime, { ms: 0, majorMs: 0, counting: true })
      await run(FRESH, (i) => service.similar(tracks[i % tracks.length], 10, false))
      for (const model of MODELS) {
        for (const group of [short, long]) {
          await run(REPEATED, async (i) => recommendationsAnswer(await service.recommendations(group[i % group.length], { model, n: 10, seeds: [] }), moods()))
          // The seed advances once per turn of the listeners, continuing over rounds: a pair recurs only after listeners x tracks requests.
          const offset = r * FRESH
          await run(FRESH, async (i) => {
            const k = offset + i
            const seed = tracks[Math.floor(k / group.length) % tracks.length]
            const answer = recommendationsAnswer(await service.recommendations(group[k % group.length], { model, n: 10, seeds: [seed] }), moods())
            text.chars += answer.body.length
            text.answers++
          })
        }
      }
      const cpu = process.cpuUsage(cpu0)
      // The observer's entries arrive after the collections: let them in before reading the sums.
      await new Promise((resolve) => setTimeout(resolve, 50))
      gcTime.counting = false
      const gcRow = { cpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(1), gcMs: Math.round(gcTime.ms), majorGcMs: Math.round(gcTime.majorMs) }
      const row = { round: r + 1, seconds: +((performance.now() - t) / 1000).toFixed(1), ...gcRow, heapMb: Math.round(heapMb()), rssMb: Math.round(rssMb()), ...otherMb(), ...sizes() }
      console.log(JSON.stringify(row))
      console.log(`answer text: ${Math.round(text.chars / text.answers)} characters per answer of 10 items`)
      rows.push(row)
    }

    observer.disconnect()
    // Each cache emptied in turn: the heap it alone held.
    const held: Row = { round: 'held by each cache (MB)' }
    const empty: [string, () => void][] = [
      ['results', () => field<Map<unknown, unknown>>(service, 'results').clear()],
      ['explanations', () => {
        const e = field<object>(forYou(), 'explained')
        field<Map<unknown, unknown>>(e, 'entries').clear()
        ;(e as { size: number }).size = 0
      }],
      ['artistParts', () => {
        const a = (forYou() as { artistParts?: object }).artistParts
        if (a) field<Map<unknown, unknown>>(a, 'parts').clear()
      }],
      ['contentStates', () => field<Map<unknown, unknown>>(field(forYou(), 'contentCache'), 'states').clear()],
      ['anchorLists', () => field<Map<unknown, unknown>>(forYou(), 'anchorNeighbours').clear()],
      ['histories', () => field<Map<unknown, unknown>>(field(service, 'histories'), 'entries').clear()],
    ]
    // Heap used plus typed arrays' buffers (outside the heap).
    const total = () => heapMb() + process.memoryUsage().arrayBuffers / 2 ** 20
    let before = total()
    for (const [name, clear] of empty) {
      clear()
      const after = total()
      held[name] = +(before - after).toFixed(1)
      console.log(`${name}: ${(before - after).toFixed(1)} MB`)
      before = after
    }
    held.heapMb = Math.round(before)
    held.rssMb = Math.round(rssMb())
    rows.push(held)
    report('server-memory', rows, { rounds: ROUNDS, freshPerScenario: FRESH, repeatedPerScenario: REPEATED, concurrency: CONCURRENCY, before: { heapMb: Math.round(base.heap), rssMb: Math.round(base.rss), arrayBuffersMb: base.arrayBuffersMb }, loadAverage1m: loadavg()[0], cpus: cpus().length })
  } finally {
    await service.close()
    rmSync(home, { recursive: true, force: true })
  }
}

await main()
