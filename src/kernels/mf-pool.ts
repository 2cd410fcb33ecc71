import { Worker } from 'node:worker_threads'
import { SegueError } from '../core/errors.js'
import type { RowOrder, TopBlock } from './mf-kernel.js'
import type { SharedBprLayout } from './mf-wasm-shared.js'

/**
 * The fixed side as the workers see it: a SharedArrayBuffer-backed matrix and a version that changes whenever
 * its values do, so each worker copies it into its kernel once per version rather than once per job.
 */
export interface SharedFixed {
  y: Float32Array
  rows: number
  k: number
  version: number
}

/** Item rows reordered largest norm first for pruned top-n (RowOrder), with pos = the inverse of perm. */
export interface ServingOrder extends RowOrder {
  pos: Int32Array
}

/** CSR arrays on SharedArrayBuffers, so sending them to a worker shares rather than copies them. */
export interface SharedCsr {
  indptr: Int32Array
  indices: Int32Array
  values: Float32Array
}

export type MfJob =
  | { op: 'gram'; fixed: SharedFixed; from: number; to: number }
  | { op: 'solve'; fixed: SharedFixed; x: Float32Array; r0: number; r1: number; csr: SharedCsr; g: Float32Array; steps: number }
  | { op: 'recommend'; fixed: SharedFixed; u: Float32Array; users: Int32Array; seen: SharedCsr | null; top: number; order: ServingOrder | null }
  | { op: 'bprShared'; memory: unknown; memoryId: number; layout: SharedBprLayout; slot: number; count: number; seed: number; lr: number; reg: number }
  | { op: 'bpr'; u: Float32Array; v: Float32Array; bias: Float32Array; k: number; csr: SharedCsr; samples: number; seed: number; lr: number; reg: number; chunk: number }

export interface MfReply {
  id: number
  error?: string
  gram?: Float32Array
  top?: TopBlock
  logLik?: number
}

interface Pending {
  resolve(r: MfReply): void
  reject(e: unknown): void
}

/**
 * Worker threads, each holding its own kernel, that share the factor matrices through SharedArrayBuffers.
 * Jobs go to whichever worker is free, so a thread slowed by other load on the machine simply takes fewer.
 * Workers are unreferenced while idle, so a forgotten close() does not keep the process alive.
 */
export class MfPool {
  private readonly idle: Worker[] = []
  private readonly queue: { job: MfJob; pending: Pending }[] = []
  private readonly pending = new Map<Worker, Pending>()
  private failure: unknown = null

  constructor(readonly backend: 'wasm' | 'ts', readonly threads: number) {
    const file = new URL('./mf-worker.js', import.meta.url)
    for (let t = 0; t < threads; t++) this.idle.push(this.start(file))
  }

  run(job: MfJob): Promise<MfReply> {
    if (this.failure) return Promise.reject(this.failure)
    return new Promise<MfReply>((resolve, reject) => {
      this.queue.push({ job, pending: { resolve, reject } })
      this.dispatch()
    })
  }

  async close(): Promise<void> {
    const all = [...this.idle, ...this.pending.keys()]
    this.fail(new SegueError('E_INTERRUPTED', 'the factorisation worker pool was closed while a job ran'))
    await Promise.all(all.map((w) => w.terminate()))
  }

  private start(file: URL): Worker {
    const worker = new Worker(file, { workerData: { backend: this.backend } })
    worker.unref()
    worker.on('message', (reply: MfReply) => this.settle(worker, reply))
    worker.on('error', (err) => this.fail(err))
    // A worker that dies without an error event (killed, out of memory) would otherwise leave its job pending.
    worker.on('exit', (code) => {
      if (this.pending.has(worker)) this.fail(new SegueError('E_INTERRUPTED', `a factorisation worker exited (code ${code}) during a job`))
    })
    return worker
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop() as Worker
      const { job, pending } = this.queue.shift() as { job: MfJob; pending: Pending }
      this.pending.set(worker, pending)
      worker.ref()
      worker.postMessage({ ...job, id: 0 })
    }
  }

  private settle(worker: Worker, reply: MfReply): void {
    const p = this.pending.get(worker)
    this.pending.delete(worker)
    worker.unref()
    this.idle.push(worker)
    if (reply.error) p?.reject(new Error(`mf worker: ${reply.error}`))
    else p?.resolve(reply)
    this.dispatch()
  }

  private fail(err: unknown): void {
    this.failure ??= err
    for (const p of this.pending.values()) p.reject(err)
    for (const q of this.queue) q.pending.reject(err)
    this.pending.clear()
    this.queue.length = 0
  }
}

/** Splits rows [0, rows) into `parts` runs of about equal cost, where row r costs cost(r). */
export function splitByCost(rows: number, parts: number, cost: (r: number) => number): [number, number][] {
  let total = 0
  for (let r = 0; r < rows; r++) total += cost(r)
  const out: [number, number][] = []
  let start = 0
  let acc = 0
  for (let r = 0; r < rows && out.length < parts - 1; r++) {
    acc += cost(r)
    if (acc >= (total * (out.length + 1)) / parts) {
      out.push([start, r + 1])
      start = r + 1
    }
  }
  out.push([start, rows])
  return out.filter(([a, b]) => b > a)
}

/** A Float32Array on a SharedArrayBuffer holding a copy of `src` (or `length` zeros). */
export function sharedF32(length: number, src?: ArrayLike<number>): Float32Array {
  const out = new Float32Array(new SharedArrayBuffer(Math.max(4, length * 4)), 0, length)
  if (src) out.set(src)
  return out
}

export function sharedI32(length: number, src?: ArrayLike<number>): Int32Array {
  const out = new Int32Array(new SharedArrayBuffer(Math.max(4, length * 4)), 0, length)
  if (src) out.set(src)
  return out
}
