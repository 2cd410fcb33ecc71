// Worker thread of the exact index's pool: builds a kernel over the shared matrix once, then answers search
// jobs (a slice of a batch's queries) until terminated. Loaded from the compiled dist file by exact-pool.ts.
import { parentPort, workerData } from 'node:worker_threads'
import { createKnnKernel } from '../kernels/knn-backend.js'
import type { KernelInput } from '../kernels/knn-kernel.js'
import type { PoolJob, PoolReply } from './exact-pool.js'

const { input, backend } = workerData as { input: KernelInput; backend: 'wasm' | 'ts' }
const kernel = createKnnKernel(backend, input)
const port = parentPort
if (!port) throw new Error('exact-worker.js must run as a worker thread')

port.on('message', (job: PoolJob) => {
  const result = kernel.search(job.prepared, job.nq, job.k)
  const reply: PoolReply = { id: job.id, result }
  port.postMessage(reply, [result.dist.buffer, result.rows.buffer, result.counts.buffer] as ArrayBuffer[])
})
