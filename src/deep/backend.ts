import * as tf from '@tensorflow/tfjs-core'
// tfjs-core's Node bundle registers no gradients and its register_all_gradients module is not loadable
// under Node's ESM resolver; tfjs-layers' Node bundle registers them all as a side effect.
import '@tensorflow/tfjs-layers'
import '@tensorflow/tfjs-backend-cpu'
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm'
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { Rng } from '../core/rng.js'

/**
 * One place that picks the TensorFlow.js backend for every deep model: the WASM backend with SIMD
 * (about 16-30 GFLOP/s on a matmul here) and, when it cannot load, the pure-JS CPU backend (under 1 GFLOP/s).
 * Threads are off: the WASM backend's threaded build does not run under Node, and one thread also makes
 * every run with the same seed give the same numbers.
 */
export interface BackendInfo {
  name: 'wasm' | 'cpu'
  simd: boolean
  threads: number
  /** Why the WASM backend was not used, when it was not. */
  fallbackReason?: string
}

let ready: Promise<BackendInfo> | undefined

/** Initialises the backend once per process (later calls share the first result). */
export function initBackend(opts: { prefer?: 'wasm' | 'cpu' } = {}): Promise<BackendInfo> {
  ready ??= choose(opts.prefer ?? preferredFromEnv())
  return ready
}

/** SEGUE_TF_BACKEND=cpu forces the fallback (for comparing the two, or when the WASM files are missing). */
function preferredFromEnv(): 'wasm' | 'cpu' {
  return process.env.SEGUE_TF_BACKEND === 'cpu' ? 'cpu' : 'wasm'
}

async function choose(prefer: 'wasm' | 'cpu'): Promise<BackendInfo> {
  if (prefer === 'wasm') {
    const reason = await tryWasm()
    if (reason === undefined) return { name: 'wasm', simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'), threads: 1 }
    await tf.setBackend('cpu')
    return { name: 'cpu', simd: false, threads: 1, fallbackReason: reason }
  }
  await tf.setBackend('cpu')
  return { name: 'cpu', simd: false, threads: 1, fallbackReason: 'SEGUE_TF_BACKEND=cpu' }
}

/** Returns undefined when the WASM backend is active, else why it is not. */
async function tryWasm(): Promise<string | undefined> {
  try {
    setWasmPaths(wasmDirectory() + '/')
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false)
    const ok = await tf.setBackend('wasm')
    await tf.ready()
    return ok && tf.getBackend() === 'wasm' ? undefined : 'the WASM backend did not initialise'
  } catch (err) {
    return `the WASM backend failed to load: ${(err as Error).message}`
  }
}

/** The folder inside node_modules that holds tfjs-backend-wasm-simd.wasm and its siblings. */
function wasmDirectory(): string {
  const require = createRequire(import.meta.url)
  return dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'))
}

/** One line for logs: "wasm (SIMD, 1 thread)". */
export function describeBackend(b: BackendInfo): string {
  const base = `${b.name}${b.simd ? ' (SIMD, 1 thread)' : ' (1 thread)'}`
  return b.fallbackReason ? `${base}; ${b.fallbackReason}` : base
}

/**
 * A weight matrix drawn from our own seeded generator (Glorot uniform), so initial weights do not depend on
 * tfjs's global random state: the same seed gives the same model on every run.
 */
export function glorotVariable(rng: Rng, fanIn: number, fanOut: number, name: string): tf.Variable {
  const limit = Math.sqrt(6 / (fanIn + fanOut))
  const values = new Float32Array(fanIn * fanOut)
  for (let i = 0; i < values.length; i++) values[i] = (rng.next() * 2 - 1) * limit
  return tf.variable(tf.tensor2d(values, [fanIn, fanOut]), true, uniqueName(name))
}

/** A bias (or any vector) variable filled with `value`. */
export function constantVariable(length: number, name: string, value = 0): tf.Variable {
  return tf.variable(tf.fill([length], value), true, uniqueName(name))
}

let nameCounter = 0
/** A fresh variable name, so two models in one process never clash in tfjs's variable registry. */
export function uniqueName(prefix: string): string {
  nameCounter += 1
  return `${prefix}_${nameCounter}`
}

/**
 * A dense layer, `activation(x W + b)`, whose gradient uses plain matmuls on explicitly transposed operands.
 * tfjs's own gradient of matMul passes transpose flags, and the WASM backend runs a flagged matmul about 5x
 * slower than a plain one (measured here: 256x255 by 255x128, 7 ms against 1.4 ms with the transpose
 * included), which made the backward pass ten times the forward one.
 */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, activation: 'relu' | 'linear' = 'linear'): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, wi, bi] = args as tf.Tensor[]
    const save = args[3] as tf.GradSaveFunc
    const y = tf.fused.matMul({ a: xi as tf.Tensor2D, b: wi as tf.Tensor2D, bias: bi, activation })
    save([xi, wi, y])
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [xs, ws, ys] = saved
      const dz = activation === 'relu' ? tf.mul(dy, tf.step(ys)) : dy
      return [tf.matMul(dz, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dz), tf.sum(dz, 0)]
    }
    return { value: y, gradFunc }
  })
  return op(x, w, b) as tf.Tensor2D
}

/**
 * `a b` (or `a bᵀ` with `transposeB`) with the same plain-matmul gradient as `dense()`: the WASM backend runs a
 * matmul with a transpose flag several times slower than a plain one on an explicit transpose (measured on the
 * neural hybrid's scores, 128x32 by 32x2,000: the flagged backward took 80% of a training step).
 */
export function matMul(a: tf.Tensor2D, b: tf.Tensor2D, transposeB = false): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [ai, bi] = args as tf.Tensor2D[]
    ;(args[2] as tf.GradSaveFunc)([ai, bi])
    const value = tf.matMul(ai, transposeB ? tf.transpose(bi) : bi)
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [as, bs] = saved as tf.Tensor2D[]
      const d = dy as tf.Tensor2D
      if (transposeB) return [tf.matMul(d, bs), tf.matMul(tf.transpose(d), as)]
      return [tf.matMul(d, tf.transpose(bs)), tf.matMul(tf.transpose(as), d)]
    }
    return { value, gradFunc }
  })
  return op(a, b) as tf.Tensor2D
}
