import { SegueError } from '../../core/errors.js'
import { loadWasm, wasmApi, type WasmMemory, type WasmModule } from '../../kernels/wasm-loader.js'

/** The exports of assembly/spd.ts (addresses are byte offsets into `memory`). */
interface SpdExports {
  memory: WasmMemory
  heapBase(): number
  cholPanel(a: number, n: number, p0: number, p1: number, panel: number): number
  lastPivot(): number
  trinvPanel(l: number, zt: number, n: number, c0: number, c1: number, panel: number): void
  gramPanel(zt: number, out: number, n: number, r0: number, r1: number): void
}

const WASM_FILE = 'spd.wasm'
const PAGE = 65536
/**
 * Rows per panel: the unit of progress and of the blocked updates. 64 rows keep a panel's 256-wide k chunk
 * (128 KiB) in L2 while the blocks near the diagonal (about n² x 32 multiply-adds in all) stay small beside n³ / 2.
 */
const PANEL = 64

/** The compiled module, or null when build/spd.wasm is missing or this runtime lacks SIMD. */
export function loadSpdModule(): WasmModule | null {
  return loadWasm(WASM_FILE)
}

/**
 * An n x n f64 matrix inside a fresh instance's memory, to be filled through `matrix` (zeros to start with) and
 * inverted in place by the WebAssembly SIMD kernels (assembly/spd.ts): the three phases of invertSpd, blocked.
 * The memory holds A and Zᵀ (16 x n² bytes) and is returned when the workspace is dropped.
 */
export class SpdWorkspace {
  readonly matrix: Float64Array
  private constructor(private readonly ex: SpdExports, private readonly base: number, private readonly n: number) {
    this.matrix = new Float64Array(ex.memory.buffer, base, n * n)
  }

  /** null when the memory cannot be had (wasm32 stops at 4 GiB): the caller falls back to plain TS. */
  static create(module: WasmModule, n: number): SpdWorkspace | null {
    const ex = new wasmApi.Instance(module, {}).exports as unknown as SpdExports
    const base = align(ex.heapBase())
    return grow(ex.memory, base + 2 * n * n * 8) ? new SpdWorkspace(ex, base, n) : null
  }

  /** Overwrites the lower triangle of `matrix` with that of its inverse; ticks as invertSpd does. */
  async invertLower(tick: (done: number) => Promise<void>): Promise<void> {
    const { ex, base, n } = this
    const zt = base + n * n * 8
    for (let p = 0; p < n; p += PANEL) {
      const bad = ex.cholPanel(base, n, p, Math.min(n, p + PANEL), PANEL)
      if (bad >= 0) throw new SegueError('E_BAD_ARGUMENT', `matrix is not positive definite at row ${bad} (pivot ${ex.lastPivot()}); raise the regularisation`)
      await tick(Math.min(n, p + PANEL))
    }
    for (let p = 0; p < n; p += PANEL) {
      ex.trinvPanel(base, zt, n, p, Math.min(n, p + PANEL), PANEL)
      await tick(n + Math.min(n, p + PANEL))
    }
    for (let p = 0; p < n; p += PANEL) {
      ex.gramPanel(zt, base, n, p, Math.min(n, p + PANEL))
      await tick(2 * n + Math.min(n, p + PANEL))
    }
  }
}

function align(address: number): number {
  return Math.ceil(address / 16) * 16
}

/** Grows the instance's memory to hold `bytes`; false when the runtime refuses (wasm32 stops at 4 GiB). */
function grow(memory: WasmMemory, bytes: number): boolean {
  const have = memory.buffer.byteLength
  if (bytes <= have) return true
  try {
    memory.grow(Math.ceil((bytes - have) / PAGE))
    return true
  } catch {
    return false
  }
}
