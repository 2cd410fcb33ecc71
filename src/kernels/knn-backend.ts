import { SegueError } from '../core/errors.js'
import type { KernelInput, KnnKernel } from './knn-kernel.js'
import { TsKnnKernel } from './knn-ts.js'
import { WasmKnnKernel, loadKnnModule } from './knn-wasm.js'

/** Which kernel runs exact search: WebAssembly SIMD, plain TypeScript, or WASM when it loads (auto). */
export type KnnBackend = 'wasm' | 'ts' | 'auto'

/** Resolves 'auto' to the backend that will actually run here. */
export function resolveBackend(backend: KnnBackend): 'wasm' | 'ts' {
  if (backend === 'auto') return loadKnnModule() ? 'wasm' : 'ts'
  if (backend === 'wasm' || backend === 'ts') return backend
  throw new SegueError('E_BAD_ARGUMENT', `backend: expected 'wasm', 'ts' or 'auto', got '${String(backend)}'`)
}

/** Builds the kernel for `backend`; 'wasm' throws E_WASM_UNAVAILABLE when the module cannot be loaded. */
export function createKnnKernel(backend: KnnBackend, input: KernelInput): KnnKernel {
  return resolveBackend(backend) === 'wasm' ? new WasmKnnKernel(input) : new TsKnnKernel(input)
}
