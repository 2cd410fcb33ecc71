import { SegueError } from '../core/errors.js'
import type { MfKernel } from './mf-kernel.js'
import { TsMfKernel } from './mf-ts.js'
import { WasmMfKernel, loadMfModule } from './mf-wasm.js'

/** Which backend runs the factorisation loops: WebAssembly SIMD, plain TypeScript, or WASM when it loads. */
export type MfBackend = 'wasm' | 'ts' | 'auto'

export function resolveMfBackend(backend: MfBackend): 'wasm' | 'ts' {
  if (backend === 'auto') return loadMfModule() ? 'wasm' : 'ts'
  if (backend === 'wasm' || backend === 'ts') return backend
  throw new SegueError('E_BAD_ARGUMENT', `backend: expected 'wasm', 'ts' or 'auto', got '${String(backend)}'`)
}

/** A fresh kernel (one per thread); 'wasm' throws E_WASM_UNAVAILABLE when build/mf.wasm cannot be loaded. */
export function createMfKernel(backend: MfBackend = 'auto'): MfKernel {
  return resolveMfBackend(backend) === 'wasm' ? new WasmMfKernel() : new TsMfKernel()
}
