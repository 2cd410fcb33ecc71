import { loadWasm, requireWasm, wasmApi, type WasmMemory, type WasmModule } from './wasm-loader.js'
import { HEAD_DIMS, LANES } from './knn-layout.js'
import { emptyResult, type KernelInput, type KnnKernel, type KnnResult } from './knn-kernel.js'


/** The exports of assembly/exact-knn.ts. */
interface KnnExports {
  memory: WasmMemory
  heapBase(): number
  stateBytes(k: number): number
  search(
    metric: number, head: number, tail: number, tailDims: number, blocks: number,
    queries: number, nq: number, states: number, k: number, chunkBlocks: number,
  ): void
}

const WASM_FILE = 'exact-knn.wasm'
const PAGE = 65536
const STATE_HEADER = 16
/** Blocks every query of a group scans before the next chunk: head + tail of 12 dims fill 768 KiB of L2. */
const CHUNK_BLOCKS = 4096
/** Queries per call into the module, which bounds the scratch memory a large batch needs. */
const GROUP = 512

/** The compiled kernel module, or null when build/exact-knn.wasm is missing or this runtime lacks SIMD. */
export function loadKnnModule(): WasmModule | null {
  return loadWasm(WASM_FILE)
}

/**
 * The WebAssembly SIMD kernel. It keeps its own copy of the matrix in the module's linear memory (a module's
 * memory cannot wrap an existing buffer), so each thread that uses it holds one copy.
 */
export class WasmKnnKernel implements KnnKernel {
  readonly backend = 'wasm' as const
  private readonly exports: KnnExports
  private readonly head: number
  private readonly tail: number
  private readonly scratch: number

  constructor(private readonly input: KernelInput) {
    const module = requireWasm(WASM_FILE)
    this.exports = new wasmApi.Instance(module, {}).exports as unknown as KnnExports
    this.head = align16(this.exports.heapBase())
    this.tail = this.head + input.blocks * HEAD_DIMS * LANES * 4
    this.scratch = align16(this.head + input.packed.byteLength)
    this.ensureMemory(this.scratch)
    new Float32Array(this.exports.memory.buffer, this.head, input.packed.length).set(input.packed)
  }

  search(prepared: Float32Array, nq: number, k: number): KnnResult {
    const out = emptyResult(nq, k)
    if (k === 0) return out
    for (let q0 = 0; q0 < nq; q0 += GROUP) this.searchGroup(prepared, q0, Math.min(nq, q0 + GROUP), k, out)
    return out
  }

  private searchGroup(prepared: Float32Array, q0: number, q1: number, k: number, out: KnnResult): void {
    const width = HEAD_DIMS + this.input.tailDims
    const nq = q1 - q0
    const states = this.scratch + nq * width * 16
    const stride = this.exports.stateBytes(k)
    this.ensureMemory(states + nq * stride)
    writeSplats(new Float32Array(this.exports.memory.buffer, this.scratch, nq * width * LANES), prepared, q0 * width, nq * width)
    const metric = this.input.kernelMetric === 'l1' ? 1 : 0
    this.exports.search(metric, this.head, this.tail, this.input.tailDims, this.input.blocks, this.scratch, nq, states, k, CHUNK_BLOCKS)
    this.readStates(states, stride, nq, k, q0, out)
  }

  private readStates(states: number, stride: number, nq: number, k: number, q0: number, out: KnnResult): void {
    const words = new Int32Array(this.exports.memory.buffer, states, (nq * stride) / 4)
    const floats = new Float32Array(words.buffer, states, words.length)
    for (let q = 0; q < nq; q++) {
      const at = (q * stride) / 4
      const count = words[at]
      const to = (q0 + q) * k
      out.counts[q0 + q] = count
      out.dist.set(floats.subarray(at + STATE_HEADER / 4, at + STATE_HEADER / 4 + count), to)
      out.rows.set(words.subarray(at + STATE_HEADER / 4 + k, at + STATE_HEADER / 4 + k + count), to)
    }
  }

  private ensureMemory(bytes: number): void {
    const have = this.exports.memory.buffer.byteLength
    if (bytes > have) this.exports.memory.grow(Math.ceil((bytes - have) / PAGE))
  }
}

/** Each query value becomes a vector of four copies, the form the kernel subtracts from four rows at once. */
function writeSplats(target: Float32Array, source: Float32Array, from: number, count: number): void {
  for (let i = 0; i < count; i++) {
    const v = source[from + i]
    for (let lane = 0; lane < LANES; lane++) target[i * LANES + lane] = v
  }
}

function align16(n: number): number {
  return (n + 15) & ~15
}
