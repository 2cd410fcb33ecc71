// buildInteractions (raw events with string ids -> id maps + users x items CSR), the current version against
// the one before it (bench/lib/interactions-before.ts: an IdMap.add per event, csrFromTriples), in the same
// process, in turns, on the synthetic listening events of the cf bench (bench/lib/synthetic-events.ts: shared
// id strings, shuffled like a log). Wall and CPU seconds per build (CPU counts V8's collector threads), medians
// of BENCH_ROUNDS (default 3) rounds, and the full collections (mark-compacts) each build set off, which at
// this size are a marking of the 16M live event objects each.
//
// Shapes: 50,000 x 20,000 x ~2,000,000 by default; 360,000 x 290,000 x ~16,000,000 with SEGUE_BENCH_LARGE=1
// (the cf bench's large shape; ~1.6 GB for the events, a few minutes). Run with --expose-gc (run-all does) so
// each build starts after a full collection.
import { loadavg } from 'node:os'
import { PerformanceObserver, constants } from 'node:perf_hooks'
import { buildInteractions, type Interactions, type RawInteraction } from '../src/data/interactions.js'
import { buildInteractionsBefore } from './lib/interactions-before.js'
import { median, report, type Row } from './lib/report.js'
import { syntheticEvents } from './lib/synthetic-events.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const LARGE = process.env.SEGUE_BENCH_LARGE === '1' || process.env.SEGUE_BENCH_LARGE === 'only'
const SHAPE = LARGE
  ? { name: '360k x 290k x 17M', users: 360_000, items: 290_000, interactions: 17_000_000, seed: 2 }
  : { name: '50k x 20k x 2M', users: 50_000, items: 20_000, interactions: 2_000_000, seed: 1 }

let majorGcs = 0
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majorGcs++
}).observe({ entryTypes: ['gc'] })

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {})

async function timeBuild(build: (events: RawInteraction[]) => Interactions, events: RawInteraction[]): Promise<{ wall: number; cpu: number; gcs: number; nnz: number }> {
  gc()
  await new Promise((resolve) => setTimeout(resolve, 50))
  const gcs0 = majorGcs
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const data = build(events)
  const wall = (performance.now() - t0) / 1000
  const used = process.cpuUsage(cpu0)
  await new Promise((resolve) => setTimeout(resolve, 50))
  return { wall, cpu: (used.user + used.system) / 1e6, gcs: majorGcs - gcs0, nnz: data.matrix.indices.length }
}

async function main(): Promise<void> {
  const t0 = performance.now()
  const events = syntheticEvents(SHAPE)
  const notes: Record<string, unknown> = { rounds: ROUNDS, events: events.length, eventsSeconds: +((performance.now() - t0) / 1000).toFixed(1), loadAverage: [loadavg()[0]] }
  const sides = { before: (e: RawInteraction[]) => buildInteractionsBefore(e, 'implicit'), now: (e: RawInteraction[]) => buildInteractions(e, 'implicit') }
  const runs: Record<string, { wall: number; cpu: number; gcs: number; nnz: number }[]> = { before: [], now: [] }
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate which side goes first, so drift in machine load falls on both alike.
    const order = r % 2 === 0 ? (['before', 'now'] as const) : (['now', 'before'] as const)
    for (const side of order) {
      const run = await timeBuild(sides[side], events)
      runs[side].push(run)
      console.log(`  round ${r + 1} ${side}: ${run.wall.toFixed(2)} s wall, ${run.cpu.toFixed(2)} s CPU, ${run.gcs} full collections`)
    }
  }
  ;(notes.loadAverage as number[]).push(loadavg()[0])
  notes.nnz = runs.now[0].nnz
  const wall = (side: string) => median(runs[side].map((x) => x.wall))
  const cpu = (side: string) => median(runs[side].map((x) => x.cpu))
  const rows: Row[] = (['before', 'now'] as const).map((side) => ({
    shape: SHAPE.name,
    task: 'buildInteractions (id maps + CSR)',
    version: side,
    value: +wall(side).toFixed(2),
    unit: 's',
    cpu: +cpu(side).toFixed(2),
    fullGcs: median(runs[side].map((x) => x.gcs)),
    speedup: +(wall('before') / wall(side)).toFixed(2),
    cpuSpeedup: +(cpu('before') / cpu(side)).toFixed(2),
  }))
  report(LARGE ? 'interactions-large' : 'interactions', rows, notes)
}

await main()
