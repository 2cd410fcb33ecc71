import { loadWasm, requireWasm, wasmApi, type WasmMemory, type WasmModule } from './wasm-loader.js'
import type { BprSession, CgJob, MfKernel, RowOrder, TopBlock } from './mf-kernel.js'

// This project's compile settings (lib ES2022, no DOM) do not declare WebAssembly; these are the parts used.

/** The exports of assembly/mf.ts (addresses are byte offsets into `memory`). */
interface MfExports {
  memory: WasmMemory
  heapBase(): number
  gram(y: number, rows: number, k: number, out: number): void
  cgSolve(x: number, y: number, indptr: number, indices: number, conf: number, rows: number, k: number, g: number, steps: number, scratch: number): void
  scoreBlock(u: number, m: number, v: number, n: number, k: number, out: number): void
  recommendBlock(
    u: number, m: number, v: number, n: number, k: number, chunk: number, scores: number, seenPtr: number, seen: number,
    cursor: number, top: number, outItems: number, outScores: number, outCounts: number, perm: number, norms: number, userNorms: number,
  ): void
  bprSteps(u: number, v: number, bias: number, triples: number, count: number, k: number, lr: number, reg: number, diff: number): number
}

const WASM_FILE = 'mf.wasm'
const PAGE = 65536
/**
 * Rows scored per pass in recommend(): a chunk of 64-factor rows (128 KiB) stays in L2 for the user block, and
 * with a norm order the scan can stop after any chunk.
 */
const CHUNK_BYTES = 128 * 1024

/** The compiled module, or null when build/mf.wasm is missing or this runtime lacks SIMD. */
export function loadMfModule(): WasmModule | null {
  return loadWasm(WASM_FILE)
}

/**
 * The WebAssembly SIMD backend. Its linear memory holds the fixed side at the bottom and, above it, a work area
 * that each call lays out afresh (inputs copied in, outputs copied out), so one instance serves one thread.
 */
export class WasmMfKernel implements MfKernel {
  readonly backend = 'wasm' as const
  private readonly ex: MfExports
  private readonly base: number
  private work: number
  private rows = 0
  private k = 0

  constructor() {
    const module = requireWasm(WASM_FILE)
    this.ex = new wasmApi.Instance(module, {}).exports as unknown as MfExports
    // A 64-factor row is 256 bytes: starting the fixed side on a cache line keeps each row on 4 lines, not 5.
    this.base = alignLine(this.ex.heapBase())
    this.work = this.base
  }

  setFixed(y: Float32Array, rows: number, k: number): void {
    this.rows = rows
    this.k = k
    this.work = align16(this.base + rows * k * 4)
    this.ensure(this.work)
    this.f32(this.base, rows * k).set(y.subarray(0, rows * k))
  }

  gram(from = 0, to = this.rows): Float32Array {
    const out = this.work
    this.ensure(out + this.k * this.k * 4)
    this.f32(out, this.k * this.k).fill(0)
    this.ex.gram(this.base + from * this.k * 4, to - from, this.k, out)
    return this.f32(out, this.k * this.k).slice()
  }

  cgSolve(job: CgJob, g: Float32Array, steps: number): void {
    const rows = job.indptr.length - 1
    const first = job.indptr[0]
    const entries = job.indptr[rows] - first
    const a = new Arena(this.work)
    const x = a.take(rows * this.k), gp = a.take(g.length), ptr = a.take(rows + 1)
    const idx = a.take(entries), conf = a.take(entries), scratch = a.take(3 * this.k)
    this.ensure(a.end)
    this.f32(x, rows * this.k).set(job.x.subarray(0, rows * this.k))
    this.f32(gp, g.length).set(g)
    const p = this.i32(ptr, rows + 1)
    for (let r = 0; r <= rows; r++) p[r] = job.indptr[r] - first
    this.i32(idx, entries).set(job.indices.subarray(first, first + entries))
    this.f32(conf, entries).set(job.conf.subarray(first, first + entries))
    this.ex.cgSolve(x, this.base, ptr, idx, conf, rows, this.k, gp, steps, scratch)
    job.x.set(this.f32(x, rows * this.k))
  }

  scores(u: Float32Array, m: number): Float32Array {
    const a = new Arena(this.work)
    const up = a.take(m * this.k), out = a.take(m * this.rows)
    this.ensure(a.end)
    this.f32(up, m * this.k).set(u.subarray(0, m * this.k))
    this.ex.scoreBlock(up, m, this.base, this.rows, this.k, out)
    return this.f32(out, m * this.rows).slice()
  }

  recommend(u: Float32Array, m: number, seenPtr: Int32Array, seen: Int32Array, top: number, order?: RowOrder): TopBlock {
    const first = seenPtr[0]
    const entries = seenPtr[m] - first
    const chunk = Math.max(64, Math.floor(CHUNK_BYTES / (this.k * 4)) & ~3)
    const a = new Arena(this.work)
    const up = a.take(m * this.k), scores = a.take(m * chunk), ptr = a.take(m + 1), sn = a.take(entries), cursor = a.take(m)
    const items = a.take(m * top), best = a.take(m * top), counts = a.take(m), userNorms = a.take(m)
    const perm = order ? a.take(this.rows) : 0, norms = order ? a.take(this.rows) : 0
    this.ensure(a.end)
    this.f32(up, m * this.k).set(u.subarray(0, m * this.k))
    const p = this.i32(ptr, m + 1)
    for (let r = 0; r <= m; r++) p[r] = seenPtr[r] - first
    this.i32(sn, entries).set(seen.subarray(first, first + entries))
    if (order) this.setOrder(order, perm, norms)
    this.ex.recommendBlock(up, m, this.base, this.rows, this.k, chunk, scores, ptr, sn, cursor, top, items, best, counts, perm, norms, userNorms)
    return { items: this.i32(items, m * top).slice(), scores: this.f32(best, m * top).slice(), counts: this.i32(counts, m).slice() }
  }

  private setOrder(order: RowOrder, perm: number, norms: number): void {
    this.i32(perm, this.rows).set(order.perm.subarray(0, this.rows))
    this.f32(norms, this.rows).set(order.norms.subarray(0, this.rows))
  }

  bpr(u: Float32Array, v: Float32Array, bias: Float32Array, k: number): BprSession {
    // BPR changes both sides, so it uses the whole memory and the fixed side is gone afterwards.
    this.rows = 0
    this.work = this.base
    const a = new Arena(this.base)
    const up = a.take(u.length), vp = a.take(v.length), bp = a.take(bias.length), diff = a.take(k)
    const tp = a.end
    this.ensure(tp)
    this.f32(up, u.length).set(u)
    this.f32(vp, v.length).set(v)
    this.f32(bp, bias.length).set(bias)
    return {
      steps: (triples, count, lr, reg) => {
        this.ensure(tp + count * 12)
        this.i32(tp, count * 3).set(triples.subarray(0, count * 3))
        return this.ex.bprSteps(up, vp, bp, tp, count, k, lr, reg, diff)
      },
      finish: () => {
        u.set(this.f32(up, u.length))
        v.set(this.f32(vp, v.length))
        bias.set(this.f32(bp, bias.length))
      },
    }
  }

  private f32(at: number, n: number): Float32Array {
    return new Float32Array(this.ex.memory.buffer, at, n)
  }

  private i32(at: number, n: number): Int32Array {
    return new Int32Array(this.ex.memory.buffer, at, n)
  }

  private ensure(bytes: number): void {
    const have = this.ex.memory.buffer.byteLength
    if (bytes > have) this.ex.memory.grow(Math.ceil((bytes - have) / PAGE))
  }
}

/** Hands out 16-byte aligned regions of 4-byte values, one after another. */
class Arena {
  constructor(public end: number) {}

  take(values: number): number {
    const at = align16(this.end)
    this.end = at + values * 4
    return at
  }
}

function alignLine(n: number): number {
  return (n + 63) & ~63
}

function align16(n: number): number {
  return (n + 15) & ~15
}
