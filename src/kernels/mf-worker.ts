// Worker thread of MfPool: holds one kernel and answers jobs until terminated. The fixed side is copied into
// the kernel only when its version changes. Loaded from the compiled dist file by mf-pool.ts.
import { parentPort, workerData } from 'node:worker_threads'
import { Rng } from '../core/rng.js'
import { createMfKernel } from './mf-backend.js'
import type { MfKernel } from './mf-kernel.js'
import type { MfJob, MfReply, SharedFixed } from './mf-pool.js'
import { sampleTriples } from './mf-sample.js'
import { gatherRows, gatherSeen } from './mf-gather.js'
import { TsMfKernel } from './mf-ts.js'
import { bprEpochShared } from './mf-wasm-shared.js'

const { backend } = workerData as { backend: 'wasm' | 'ts' }
const kernel = createMfKernel(backend)
let held = -1
const port = parentPort
if (!port) throw new Error('mf-worker.js must run as a worker thread')

port.on('message', (job: MfJob & { id: number }) => {
  try {
    const reply = answer(job)
    // Result arrays are moved, not copied, back to the pool.
    const t = reply.top
    port.postMessage(reply, t ? ([t.items.buffer, t.scores.buffer, t.counts.buffer] as ArrayBuffer[]) : [])
  } catch (err) {
    port.postMessage({ id: job.id, error: err instanceof Error ? err.stack ?? err.message : String(err) })
  }
})

function hold(fixed: SharedFixed): MfKernel {
  if (held !== fixed.version) {
    kernel.setFixed(fixed.y, fixed.rows, fixed.k)
    held = fixed.version
  }
  return kernel
}

function answer(job: MfJob & { id: number }): MfReply {
  switch (job.op) {
    case 'gram':
      return { id: job.id, gram: hold(job.fixed).gram(job.from, job.to) }
    case 'solve':
      return solve(job)
    case 'recommend':
      return recommend(job)
    case 'bpr':
      return bpr(job)
    case 'bprShared': {
      const memory = job.memory as Parameters<typeof bprEpochShared>[0]
      return { id: job.id, logLik: bprEpochShared(memory, job.memoryId, job.layout, job.slot, job.count, job.seed, job.lr, job.reg) }
    }
  }
}

function solve(job: Extract<MfJob, { op: 'solve' }>): MfReply {
  const k = job.fixed.k
  const x = job.x.subarray(job.r0 * k, job.r1 * k)
  const indptr = job.csr.indptr.subarray(job.r0, job.r1 + 1)
  hold(job.fixed).cgSolve({ x, indptr, indices: job.csr.indices, conf: job.csr.values }, job.g, job.steps)
  return { id: 0 }
}

/** Blocks of users per kernel call: enough to reuse each chunk of item factors from cache. */
const USER_BLOCK = 64

function recommend(job: Extract<MfJob, { op: 'recommend' }>): MfReply {
  const { k } = job.fixed
  const m = job.users.length
  const top = { items: new Int32Array(m * job.top), scores: new Float32Array(m * job.top), counts: new Int32Array(m) }
  const kern = hold(job.fixed)
  for (let a0 = 0; a0 < m; a0 += USER_BLOCK) {
    const ids = job.users.subarray(a0, Math.min(m, a0 + USER_BLOCK))
    const [ptr, seen] = gatherSeen(job.seen, ids, job.order?.pos)
    const block = kern.recommend(gatherRows(job.u, ids, k), ids.length, ptr, seen, job.top, job.order ?? undefined)
    top.items.set(block.items, a0 * job.top)
    top.scores.set(block.scores, a0 * job.top)
    top.counts.set(block.counts, a0)
  }
  return { id: 0, top }
}

// BPR threads update the shared factors in place, Hogwild-style (Recht et al. 2011): the plain-TS kernel
// writes straight into the SharedArrayBuffers, where a WASM kernel would work on a private copy.
const hogwild = new TsMfKernel()

function bpr(job: Extract<MfJob, { op: 'bpr' }>): MfReply {
  const rng = new Rng(job.seed)
  const session = hogwild.bpr(job.u, job.v, job.bias, job.k)
  const rows = job.csr.indptr.length - 1
  const triples = new Int32Array(job.chunk * 3)
  let logLik = 0
  for (let done = 0; done < job.samples; done += job.chunk) {
    const want = Math.min(job.chunk, job.samples - done)
    const got = sampleTriples(job.csr.indptr, job.csr.indices, rows, job.v.length / job.k, rng, want, triples)
    logLik += session.steps(triples, got, job.lr, job.reg)
  }
  return { id: 0, logLik }
}
