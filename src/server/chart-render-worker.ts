/**
 * The chart renderer's thread: Vega-Lite spec -> SVG (vega's headless view) or PNG, off the server's event loop.
 * A 114k catalogue's histograms took 40 to 400 ms to draw to SVG here (2026-12, under load): too long to hold
 * the loop that answers every other request.
 */
import { parentPort } from 'node:worker_threads'
import { isSegueError } from '../core/errors.js'
import { renderChart } from '../viz/render.js'
import type { RenderJob, RenderReply } from './chart-renderer.js'

const port = parentPort
if (!port) throw new Error('chart-render-worker.js must run as a worker thread')

port.on('message', (job: RenderJob) => {
  renderChart(job.spec, job.format, { theme: job.theme }).then(
    (bytes) => {
      const copy = new Uint8Array(bytes) // small Buffers share node's pool: copy before handing the memory over
      port.postMessage({ id: job.id, bytes: copy } satisfies RenderReply, [copy.buffer])
    },
    (err: unknown) => {
      const code = isSegueError(err) ? err.code : 'E_INTERNAL'
      port.postMessage({ id: job.id, error: { code, message: (err as Error).message } } satisfies RenderReply)
    },
  )
})
