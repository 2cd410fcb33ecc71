/**
 * The chart thread, off the server's event loop: draws specs to SVG or PNG, and builds charts from their data:
 * the catalogue read from the server's SQLite store (the same `allTracks()` the engine loads, in the same
 * order), listening data, aggregates and model evaluations from their files. On the 114k catalogue under load
 * (2026-12) the artist network's spec took 7.6 s to build, the histograms 40 to 400 ms to draw to SVG and the
 * model comparison about 15 s: too long to hold the loop that answers every other request.
 */
import { parentPort } from 'node:worker_threads'
import { isSegueError, SegueError } from '../core/errors.js'
import type { Track } from '../core/track.js'
import { loadChartContext } from '../report/context.js'
import { openStore } from '../store/open.js'
import { CHARTS, type ChartContext, type ChartPart } from '../viz/charts.js'
import { renderChart } from '../viz/render.js'
import type { ChartJob, ChartReply, MoodSource } from './chart-renderer.js'

const port = parentPort
if (!port) throw new Error('chart-render-worker.js must run as a worker thread')

/** Contexts loaded so far, by the parts they hold: each file is read and each evaluation run once per thread. */
const contexts = new Map<string, Promise<ChartContext>>()
/** The catalogue, read once per store. */
const catalogues = new Map<string, Promise<readonly Track[]>>()

function catalogue(location: string): Promise<readonly Track[]> {
  let tracks = catalogues.get(location)
  if (!tracks) {
    tracks = openStore(location).then(async (store) => {
      try {
        return await store.allTracks()
      } finally {
        await store.close()
      }
    })
    tracks.catch(() => catalogues.delete(location))
    catalogues.set(location, tracks)
  }
  return tracks
}

function contextFor(needs: readonly ChartPart[], store: string | undefined, moods: MoodSource | undefined): Promise<ChartContext> {
  const key = `${[...needs].sort().join(',')}\u0000${store ?? ''}\u0000${moods ? `${moods.artifact}\u0000${moods.version}` : ''}`
  let ctx = contexts.get(key)
  if (!ctx) {
    ctx = (async () => {
      const tracks = store !== undefined && needs.includes('tracks') ? await catalogue(store) : undefined
      return (await loadChartContext(new Set(needs), { tracks, moods })).ctx
    })()
    ctx.catch(() => contexts.delete(key))
    contexts.set(key, ctx)
  }
  return ctx
}

async function run(job: ChartJob): Promise<Uint8Array | unknown> {
  if (job.kind === 'build') {
    const def = Object.hasOwn(CHARTS, job.name) ? CHARTS[job.name] : undefined
    if (!def) throw new SegueError('E_NOT_FOUND', `the chart thread has no chart '${job.name}'`)
    return def.build(await contextFor(def.needs ?? ['tracks'], job.store, job.moods))
  }
  // small Buffers share node's pool: copy before handing the memory over
  return new Uint8Array(await renderChart(job.spec, job.format, { theme: job.theme }))
}

port.on('message', (job: ChartJob) => {
  run(job).then(
    (result) => {
      const transfer = result instanceof Uint8Array ? [result.buffer as ArrayBuffer] : []
      port.postMessage({ id: job.id, result } satisfies ChartReply, transfer)
    },
    (err: unknown) => {
      const code = isSegueError(err) ? err.code : 'E_INTERNAL'
      port.postMessage({ id: job.id, error: { code, message: (err as Error).message } } satisfies ChartReply)
    },
  )
})
