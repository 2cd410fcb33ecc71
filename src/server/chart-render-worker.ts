/**
 * The chart thread, off the server's event loop: draws specs to SVG or PNG, and builds the charts that need no
 * catalogue (listening data, aggregates, model evaluations) from their files. A 114k catalogue's histograms
 * took 40 to 400 ms to draw to SVG here, and the model comparison about 15 s to compute (2026-12, under load):
 * too long to hold the loop that answers every other request.
 */
import { parentPort } from 'node:worker_threads'
import { isSegueError } from '../core/errors.js'
import { loadChartContext } from '../report/context.js'
import { CHARTS, type ChartContext } from '../viz/charts.js'
import type { ContextPart } from '../viz/insight-charts.js'
import { renderChart } from '../viz/render.js'
import type { ChartJob, ChartReply } from './chart-renderer.js'

const port = parentPort
if (!port) throw new Error('chart-render-worker.js must run as a worker thread')

/** Contexts loaded so far, by the parts they hold: each file is read and each evaluation run once per thread. */
const contexts = new Map<string, Promise<ChartContext>>()

function contextFor(needs: readonly ContextPart[]): Promise<ChartContext> {
  const key = [...needs].sort().join(',')
  let ctx = contexts.get(key)
  if (!ctx) {
    ctx = loadChartContext(new Set(needs)).then((r) => r.ctx)
    ctx.catch(() => contexts.delete(key))
    contexts.set(key, ctx)
  }
  return ctx
}

async function run(job: ChartJob): Promise<Uint8Array | unknown> {
  if (job.kind === 'build') return CHARTS[job.name].build(await contextFor(CHARTS[job.name].needs ?? []))
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
