import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { SegueError } from '../core/errors.js'
import { packageRoot } from '../core/paths.js'

// Node has WebAssembly, but this project's compile settings (lib ES2022, no DOM) do not declare it; these are
// the few parts the kernels use.
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer
  grow(pages: number): number
}
export type WasmModule = object
export interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule
  Instance: new (module: WasmModule, imports: object) => { exports: unknown }
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory
}
export const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

const modules = new Map<string, { module: WasmModule } | { reason: string }>()

/** Reads and compiles build/<file> once. Failures are remembered with their reason, not thrown. */
function compile(file: string, patch: (bytes: Uint8Array) => Uint8Array) {
  const key = `${file}:${patch === identity ? '' : patch.name}`
  let entry = modules.get(key)
  if (!entry) {
    try {
      entry = { module: new wasmApi.Module(patch(readFileSync(join(packageRoot(), 'build', file)))) }
    } catch (err) {
      entry = { reason: (err as Error).message }
    }
    modules.set(key, entry)
  }
  return entry
}

/** The compiled module, or null when it is missing or this runtime lacks SIMD ('auto' backends fall back). */
export function loadWasm(file: string, patch: (bytes: Uint8Array) => Uint8Array = identity): WasmModule | null {
  const entry = compile(file, patch)
  return 'module' in entry ? entry.module : null
}

/** The compiled module, or E_WASM_UNAVAILABLE saying why (for callers that asked for WASM explicitly). */
export function requireWasm(file: string, patch: (bytes: Uint8Array) => Uint8Array = identity): WasmModule {
  const entry = compile(file, patch)
  if ('module' in entry) return entry.module
  throw new SegueError('E_WASM_UNAVAILABLE', `could not load build/${file} (${entry.reason}); run npm run build`)
}

function identity(bytes: Uint8Array): Uint8Array {
  return bytes
}
