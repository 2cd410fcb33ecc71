import { loadavg } from 'node:os'
import { buildInteractions, type Interactions, type RawInteraction } from '../../src/data/interactions.js'
import { AlsRecommender } from '../../src/models/als/als.js'
import { median, type Row } from './report.js'
import { syntheticEvents } from './synthetic-events.js'
import type { SyntheticShape } from './synthetic-interactions.js'

/** `implicit`'s AlternatingLeastSquares settings for the side-by-side (its defaults, with 64 factors). */
export const IMPLICIT_SETTINGS = { factors: 64, regularization: 0.01, alpha: 1, confidence: 'linear', iterations: 15, cgSteps: 3 } as const

/**
 * `implicit`'s figures at 360k x 290k x 16M, 64 factors, 2 threads, as the issue and the design notes give
 * them (implicit does not install here: no PyPI, no Debian package): setup 5-7 s, 4.2 s per iteration.
 */
export const IMPLICIT_REFERENCE = { setup: '5-7 s', iteration: '4.2 s', total: '68-70 s (5-7 + 15 x 4.2)' }

interface Step {
  what: string
  wall: number
  cpu: number
  rssMb: number
  heapMb: number
  arrayBuffersMb: number
}

/** Wall and CPU seconds (every thread of the process, so workers count) since the last lap, with memory. */
function stopwatch(): (what: string) => Step {
  let wall = performance.now()
  let cpu = process.cpuUsage()
  return (what) => {
    const now = performance.now()
    const used = process.cpuUsage(cpu)
    const mem = process.memoryUsage()
    const step = { what, wall: (now - wall) / 1000, cpu: (used.user + used.system) / 1e6, rssMb: mem.rss / 1e6, heapMb: mem.heapUsed / 1e6, arrayBuffersMb: mem.arrayBuffers / 1e6 }
    if (what) console.log(`  whole fit: ${what}: ${step.wall.toFixed(2)} s wall, ${step.cpu.toFixed(2)} s CPU, rss ${Math.round(step.rssMb)} MB`)
    wall = performance.now()
    cpu = process.cpuUsage()
    return step
  }
}

/**
 * A whole ALS fit as a user makes it, step by step: buildInteractions over raw events (id maps, CSR), then
 * fit's setup (a fit of 0 iterations: transpose, confidence, initial factors), then each of the 15 iterations
 * (iterate() is what fit runs per iteration). The events are dropped once the interactions are built, as a
 * caller that reads a log and fits would.
 */
export async function wholeFit(shape: SyntheticShape, name: string, threads: number): Promise<{ rows: Row[]; notes: Record<string, unknown> }> {
  let events: RawInteraction[] | null = syntheticEvents(shape)
  const load = [loadavg()[0]]
  const lap = stopwatch()
  const data: Interactions = buildInteractions(events, 'implicit')
  const steps = [lap('id maps + CSR (buildInteractions)')]
  events = null
  const model = new AlsRecommender({ ...IMPLICIT_SETTINGS, iterations: 0, threads, backend: 'wasm' })
  lap('')
  await model.fit(data, { seed: 1 })
  steps.push(lap('ALS setup (transpose, confidence, init)'))
  for (let it = 1; it <= IMPLICIT_SETTINGS.iterations; it++) {
    await model.iterate(it)
    steps.push(lap(`iteration ${it}`))
  }
  await model.dispose()
  load.push(loadavg()[0])
  return { rows: wholeFitRows(name, threads, steps), notes: { steps: steps.map(roundStep), peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), loadAverage: load, interactions: data.matrix.indices.length } }
}

function wholeFitRows(shape: string, threads: number, steps: Step[]): Row[] {
  const iters = steps.slice(2)
  const setup = steps.slice(0, 2)
  const sum = (xs: Step[], f: (s: Step) => number) => xs.reduce((a, s) => a + f(s), 0)
  const row = (task: string, wall: number, cpu: number, reference: string): Row => ({
    shape, task: `ALS whole fit: ${task}`, backend: 'wasm', threads, value: +wall.toFixed(2), unit: 's', cpu: +cpu.toFixed(2), reference,
  })
  return [
    row(setup[0].what, setup[0].wall, setup[0].cpu, ''),
    row(setup[1].what, setup[1].wall, setup[1].cpu, ''),
    row('setup', sum(setup, (s) => s.wall), sum(setup, (s) => s.cpu), `implicit ${IMPLICIT_REFERENCE.setup}`),
    row('iteration 1', iters[0].wall, iters[0].cpu, `implicit ${IMPLICIT_REFERENCE.iteration}`),
    row(`iteration ${iters.length} (last)`, iters[iters.length - 1].wall, iters[iters.length - 1].cpu, `implicit ${IMPLICIT_REFERENCE.iteration}`),
    row('iteration median', median(iters.map((s) => s.wall)), median(iters.map((s) => s.cpu)), `implicit ${IMPLICIT_REFERENCE.iteration}`),
    row(`total (setup + ${iters.length} iterations)`, sum(steps, (s) => s.wall), sum(steps, (s) => s.cpu), `implicit ${IMPLICIT_REFERENCE.total}`),
  ]
}

function roundStep(s: Step): Record<string, string | number> {
  return { what: s.what, wall: +s.wall.toFixed(2), cpu: +s.cpu.toFixed(2), rssMb: Math.round(s.rssMb), heapMb: Math.round(s.heapMb), arrayBuffersMb: Math.round(s.arrayBuffersMb) }
}
