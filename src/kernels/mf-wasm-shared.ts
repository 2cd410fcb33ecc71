import { SegueError } from '../core/errors.js'
import { loadWasm, requireWasm, wasmApi, type WasmMemory, type WasmModule } from './wasm-loader.js'

// Hogwild BPR needs every thread to update one copy of the factors, but an AssemblyScript module built with
// the project's flags (scripts/build-wasm.mjs) defines its own private memory. At load time the module's
// memory definition is rewritten into an import of a shared memory ("env"."memory", shared, with a maximum),
// so several instances, one per thread, can run on the same bytes. The module has no other imports, and its
// data segment (constant math tables) is rewritten identically by each instance.

interface BprExports {
  heapBase(): number
  bprEpoch(
    u: number, v: number, bias: number, indptr: number, indices: number, pairs: number, nnz: number, items: number,
    count: number, k: number, lr: number, reg: number, seed: number, diff: number,
  ): number
}

const PAGE = 65536
/** Pages every shared memory starts with at least: above the module's own minimum (its static data). */
const MIN_PAGES = 16
/** 2 GiB: the most the shared memory may grow to (reserved, not committed). */
const MAX_PAGES = 32768

/** Byte addresses of the BPR arrays in the shared memory, and the sizes the kernel needs. */
export interface SharedBprLayout {
  u: number
  v: number
  bias: number
  indptr: number
  indices: number
  /** (user, item) of each entry, side by side. */
  pairs: number
  /** Per-thread scratch of k floats each, starting here. */
  scratch: number
  users: number
  items: number
  nnz: number
  k: number
}

/** build/mf.wasm with its memory turned into a shared import, or null when it cannot be loaded. */
export function loadSharedMfModule(): WasmModule | null {
  return loadWasm('mf.wasm', importSharedMemory)
}

/** Rewrites a module's memory section (id 5) into an import section entry (id 2) of a shared memory. */
export function importSharedMemory(bytes: Uint8Array): Uint8Array {
  const sections = readSections(bytes)
  const memory = sections.find((s) => s.id === 5)
  if (!memory || sections.some((s) => s.id === 2)) throw new Error('mf.wasm: expected a defined memory and no imports')
  const minPages = readLeb(memory.body, 2).value // body: count (1), flags, min
  if (minPages > MIN_PAGES) throw new Error(`mf.wasm: declares ${minPages} pages of memory, more than the ${MIN_PAGES} provided`)
  const entry = [1, ...name('env'), ...name('memory'), 0x02, 0x03, ...leb(minPages), ...leb(MAX_PAGES)]
  const out: number[] = Array.from(bytes.subarray(0, 8))
  for (const s of sections) {
    if (s.id === 5) continue
    if (s.id === 3) out.push(2, ...leb(entry.length), ...entry)
    out.push(s.id, ...leb(s.body.length), ...s.body)
  }
  return Uint8Array.from(out)
}

function readSections(bytes: Uint8Array): { id: number; body: Uint8Array }[] {
  const out: { id: number; body: Uint8Array }[] = []
  let p = 8
  while (p < bytes.length) {
    const id = bytes[p++]
    const size = readLeb(bytes, p)
    p = size.next
    out.push({ id, body: bytes.subarray(p, p + size.value) })
    p += size.value
  }
  return out
}

function readLeb(bytes: Uint8Array, at: number): { value: number; next: number } {
  let value = 0
  let shift = 0
  let byte: number
  do {
    byte = bytes[at++]
    value += (byte & 0x7f) * 2 ** shift
    shift += 7
  } while (byte & 0x80)
  return { value, next: at }
}

function leb(n: number): number[] {
  const out: number[] = []
  do {
    let byte = n & 0x7f
    n = Math.floor(n / 128)
    if (n > 0) byte |= 0x80
    out.push(byte)
  } while (n > 0)
  return out
}

function name(s: string): number[] {
  return [s.length, ...Buffer.from(s, 'utf8')]
}

/** This thread's instance on the most recent shared memory (one fit at a time per thread; older ones are freed). */
let current: { id: number; ex: BprExports } | null = null
let nextMemoryId = 0

/** Runs BPR steps on a shared memory from whichever thread calls it. */
export function bprEpochShared(memory: WasmMemory, memoryId: number, layout: SharedBprLayout, slot: number, count: number, seed: number, lr: number, reg: number): number {
  if (current?.id !== memoryId) {
    const module = requireWasm('mf.wasm', importSharedMemory)
    current = { id: memoryId, ex: new wasmApi.Instance(module, { env: { memory } }).exports as unknown as BprExports }
  }
  const l = layout
  return current.ex.bprEpoch(l.u, l.v, l.bias, l.indptr, l.indices, l.pairs, l.nnz, l.items, count, l.k, lr, reg, seed >>> 0, l.scratch + slot * l.k * 4)
}

/** Forgets this thread's instance of a memory that is no longer used. */
export function releaseShared(memoryId: number): void {
  if (current?.id === memoryId) current = null
}

/**
 * BPR's arrays in one shared WebAssembly memory: factors, biases, the interaction CSR and (user, item) pairs.
 * The memory can be posted to worker threads, which then update the factors in place together.
 */
export class SharedBprMemory {
  readonly memory: WasmMemory
  readonly id = ++nextMemoryId
  readonly layout: SharedBprLayout

  constructor(t: { u: Float32Array; v: Float32Array; bias: Float32Array; indptr: Int32Array; indices: Int32Array; users: number; items: number; k: number }, slots: number) {
    const module = requireWasm('mf.wasm', importSharedMemory)
    const nnz = t.indptr[t.users]
    let end = align16(heapBaseOf(module))
    const take = (values: number) => {
      const at = end
      end = align16(end + values * 4)
      return at
    }
    const layout = { u: take(t.u.length), v: take(t.v.length), bias: take(t.bias.length), indptr: take(t.users + 1), indices: take(nnz), pairs: take(2 * nnz), scratch: take(slots * t.k) }
    this.layout = { ...layout, users: t.users, items: t.items, nnz, k: t.k }
    const pages = Math.max(MIN_PAGES, Math.ceil(end / PAGE) + 1)
    if (pages > MAX_PAGES) throw new SegueError('E_BAD_ARGUMENT', `bpr: the factors and interactions need ${pages * PAGE} bytes, over the 2 GiB a WASM memory holds; use backend 'ts'`)
    this.memory = new wasmApi.Memory({ initial: pages, maximum: MAX_PAGES, shared: true })
    this.f32(layout.u, t.u.length).set(t.u)
    this.f32(layout.v, t.v.length).set(t.v)
    this.f32(layout.bias, t.bias.length).set(t.bias)
    this.i32(layout.indptr, t.users + 1).set(t.indptr.subarray(0, t.users + 1))
    this.i32(layout.indices, nnz).set(t.indices.subarray(0, nnz))
    const pairs = this.i32(layout.pairs, 2 * nnz)
    for (let r = 0; r < t.users; r++) {
      for (let e = t.indptr[r]; e < t.indptr[r + 1]; e++) {
        pairs[2 * e] = r
        pairs[2 * e + 1] = t.indices[e]
      }
    }
  }

  /** Runs `count` steps on the calling thread (deterministic for a seed when no other thread runs). */
  epochHere(count: number, seed: number, lr: number, reg: number): number {
    return bprEpochShared(this.memory, this.id, this.layout, 0, count, seed, lr, reg)
  }

  /** Copies the learnt factors and biases out. */
  copyOut(u: Float32Array, v: Float32Array, bias: Float32Array): void {
    u.set(this.f32(this.layout.u, u.length))
    v.set(this.f32(this.layout.v, v.length))
    bias.set(this.f32(this.layout.bias, bias.length))
  }

  release(): void {
    releaseShared(this.id)
  }

  private f32(at: number, n: number): Float32Array {
    return new Float32Array(this.memory.buffer, at, n)
  }

  private i32(at: number, n: number): Int32Array {
    return new Int32Array(this.memory.buffer, at, n)
  }
}

/** The module's first free byte: read from a throwaway instance on a small shared memory. */
function heapBaseOf(module: WasmModule): number {
  const memory = new wasmApi.Memory({ initial: MIN_PAGES, maximum: MAX_PAGES, shared: true })
  return (new wasmApi.Instance(module, { env: { memory } }).exports as unknown as BprExports).heapBase()
}

function align16(n: number): number {
  return (n + 15) & ~15
}
