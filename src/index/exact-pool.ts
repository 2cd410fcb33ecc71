import { Worker } from 'node:worker_threads'
import { SegueError } from '../core/errors.js'
import { emptyResult, type KernelInput, type KnnResult } from '../kernels/knn-kernel.js'

/** A slice of a batch sent to one worker. */
export interface PoolJob {
  id: number
  prepared: Float32Array
  nq: number
  k: number
}

export interface PoolReply {
  id: number
  result: KnnResult
}

interface Pending {
  resolve(r: KnnResult): void
  reject(e: unknown): void
}

/**
 * Worker threads that each hold a kernel over the same SharedArrayBuffer matrix. A batch is split into
 * contiguous runs of queries, one per worker; every worker scans all rows for its queries, so no merging of
 * partial top-k lists is needed. Workers are unreferenced while idle, so a forgotten close() does not keep the
 * process alive.
 */
export class KnnWorkerPool {
  private readonly workers: Worker[]
  private readonly pending = new Map<number, Pending>()
  /** Jobs in flight per worker: a worker is referenced only while it has some. */
  private readonly busy = new Map<Worker, number>()
  private nextId = 0
  private failure: unknown = null

  constructor(input: KernelInput, backend: 'wasm' | 'ts', threads: number) {
    const file = new URL('./exact-worker.js', import.meta.url)
    this.workers = Array.from({ length: threads }, () => this.startWorker(file, input, backend))
  }

  /** Searches `nq` prepared queries of `width` values each, split across the workers. */
  async search(prepared: Float32Array, width: number, nq: number, k: number): Promise<KnnResult> {
    if (this.failure) throw this.failure
    const parts = Math.min(this.workers.length, nq)
    const runs = Array.from({ length: parts }, (_, p) => [Math.floor((p * nq) / parts), Math.floor(((p + 1) * nq) / parts)])
    const results = await Promise.all(
      runs.map(([q0, q1], p) => this.send(this.workers[p], prepared.slice(q0 * width, q1 * width), q1 - q0, k)),
    )
    return concatResults(results, nq, k)
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()))
    this.fail(new SegueError('E_INTERRUPTED', 'exact index was closed while a search was running'))
  }

  private startWorker(file: URL, input: KernelInput, backend: 'wasm' | 'ts'): Worker {
    const worker = new Worker(file, { workerData: { input, backend } })
    worker.unref()
    worker.on('message', (reply: PoolReply) => this.settle(worker, reply))
    worker.on('error', (err) => this.fail(err))
    return worker
  }

  private send(worker: Worker, prepared: Float32Array, nq: number, k: number): Promise<KnnResult> {
    const job: PoolJob = { id: this.nextId++, prepared, nq, k }
    this.busy.set(worker, (this.busy.get(worker) ?? 0) + 1)
    worker.ref()
    return new Promise<KnnResult>((resolve, reject) => {
      this.pending.set(job.id, { resolve, reject })
      worker.postMessage(job, [prepared.buffer as ArrayBuffer])
    })
  }

  private settle(worker: Worker, reply: PoolReply): void {
    const p = this.pending.get(reply.id)
    this.pending.delete(reply.id)
    const left = (this.busy.get(worker) ?? 1) - 1
    this.busy.set(worker, left)
    if (left === 0) worker.unref()
    p?.resolve(reply.result)
  }

  private fail(err: unknown): void {
    this.failure ??= err
    for (const p of this.pending.values()) p.reject(err)
    this.pending.clear()
  }
}

function concatResults(parts: KnnResult[], nq: number, k: number): KnnResult {
  const out = emptyResult(nq, k)
  let q = 0
  for (const part of parts) {
    out.dist.set(part.dist, q * k)
    out.rows.set(part.rows, q * k)
    out.counts.set(part.counts, q)
    q += part.counts.length
  }
  return out
}
