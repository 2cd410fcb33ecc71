import { Worker } from 'node:worker_threads'
import { SegueError, type ErrorCode } from '../core/errors.js'
import type { ChartFormat } from '../viz/render.js'
import type { ChartSpec } from '../viz/spec.js'
import type { ThemeName } from '../viz/theme.js'

export type DrawnFormat = Exclude<ChartFormat, 'json'>
export type ChartJob =
  | { id: number; kind: 'render'; spec: ChartSpec; format: DrawnFormat; theme: ThemeName }
  | { id: number; kind: 'build'; name: string; store?: string; moods?: MoodSource }
export type ChartReply = { id: number; result: unknown } | { id: number; error: { code: ErrorCode; message: string } }
type JobBody = { kind: 'render'; spec: ChartSpec; format: DrawnFormat; theme: ThemeName } | { kind: 'build'; name: string; store?: string; moods?: MoodSource }
/** The saved song moods a mood chart is drawn from, and the catalogue version they must be keyed by. */
export interface MoodSource { artifact: string; version: string }

/**
 * The worker's module: the compiled JavaScript beside this file or, when run from source, the TypeScript through
 * tsx (Node 20 workers do not inherit the parent's --import loader hooks), as src/search/search-thread.ts does.
 */
function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./chart-render-worker.js', import.meta.url))
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'))
  const file = JSON.stringify(new URL('./chart-render-worker.ts', import.meta.url).href)
  return new Worker(`import(${tsx}).then((m) => { m.register(); return import(${file}) })`, { eval: true })
}

interface Pending { resolve(result: unknown): void; reject(err: unknown): void }

/**
 * Draws charts to SVG or PNG, and builds the charts that read no catalogue, on one worker thread started on the
 * first job. One thread is enough: the routes cache what it makes, so it works only the first time each chart
 * is asked for. Unreferenced while idle, so a forgotten close() does not keep the process alive.
 */
export class ChartRenderer {
  private worker: Worker | null = null
  private readonly pending = new Map<number, Pending>()
  private nextId = 0

  /** The chart drawn as SVG or PNG bytes. */
  async render(spec: ChartSpec, format: DrawnFormat, theme: ThemeName): Promise<Buffer> {
    const bytes = (await this.send({ kind: 'render', spec, format, theme })) as Uint8Array
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  /**
   * The spec of a CHARTS entry, built on the thread from the files its `needs` name; the catalogue, when it
   * needs one, is read from the SQLite store at `store`; the song moods, when it needs them, from `moods`.
   */
  async build(name: string, store?: string, moods?: MoodSource): Promise<ChartSpec> {
    return (await this.send({ kind: 'build', name, store, moods })) as ChartSpec
  }

  private send(body: JobBody): Promise<unknown> {
    const worker = this.start()
    const job = { ...body, id: this.nextId++ } as ChartJob
    worker.ref()
    return new Promise((resolve, reject) => {
      this.pending.set(job.id, { resolve, reject })
      worker.postMessage(job)
    })
  }

  async close(): Promise<void> {
    const w = this.worker
    this.worker = null
    this.failAll(new SegueError('E_INTERRUPTED', 'the chart renderer was closed while drawing'))
    await w?.terminate()
  }

  private start(): Worker {
    if (this.worker) return this.worker
    const worker = startWorker()
    worker.unref()
    worker.on('message', (reply: ChartReply) => this.settle(worker, reply))
    worker.on('error', (err) => {
      this.worker = null // the next drawing starts a fresh thread
      this.failAll(new SegueError('E_INTERNAL', `the chart renderer failed: ${err.message}`, { cause: err }))
    })
    this.worker = worker
    return worker
  }

  private settle(worker: Worker, reply: ChartReply): void {
    const p = this.pending.get(reply.id)
    this.pending.delete(reply.id)
    if (this.pending.size === 0) worker.unref()
    if (!p) return
    if ('error' in reply) p.reject(new SegueError(reply.error.code, reply.error.message))
    else p.resolve(reply.result)
  }

  private failAll(err: unknown): void {
    for (const p of this.pending.values()) p.reject(err)
    this.pending.clear()
  }
}
