import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadSharedMfModule, SharedBprMemory } from '../../src/kernels/mf-wasm-shared.js'
import { createMfKernel } from '../../src/kernels/mf-backend.js'

const skip = loadSharedMfModule() ? false : 'build/mf.wasm is not built or this runtime lacks shared WebAssembly memory'

test('mf shared memory: the rewritten module runs BPR on a shared memory like the private-memory kernel', { skip }, () => {
  // One user who played items 0 and 1 of three: every draw is (0, 0 or 1, 2), so one SGD step per sample.
  const k = 5
  const u = Float32Array.from({ length: k }, (_, d) => 0.1 * (d + 1))
  const v = Float32Array.from({ length: 3 * k }, (_, x) => 0.05 * ((x % 7) - 3))
  const bias = new Float32Array(3)
  const mem = new SharedBprMemory({ u, v, bias, indptr: Int32Array.from([0, 2]), indices: Int32Array.from([0, 1]), users: 1, items: 3, k }, 1)
  assert.ok(mem.memory.buffer instanceof SharedArrayBuffer)
  const logLik = mem.epochHere(50, 7, 0.05, 0.01)
  const got = { u: new Float32Array(k), v: new Float32Array(3 * k), bias: new Float32Array(3) }
  mem.copyOut(got.u, got.v, got.bias)
  mem.release()
  assert.ok(Number.isFinite(logLik) && logLik < 0)
  assert.ok(got.bias[2] < 0, 'the never-played item is pushed down')
  assert.ok(got.bias[0] + got.bias[1] > 0, 'played items are pushed up')
  // The same triples through the private-memory kernel give the same factors, so the rewrite changed nothing else.
  const triples = new Int32Array(3 * 50)
  let rng = 7 >>> 0
  const next = () => {
    rng = (rng + 0x6d2b79f5) >>> 0
    let t = rng
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  let count = 0
  for (let s = 0; s < 50; s++) {
    const e = Math.floor(next() * 2)
    let j = -1
    for (let tries = 0; tries < 8 && j < 0; tries++) {
      const c = Math.floor(next() * 3)
      if (c === 2) j = c
    }
    // Eight draws that all hit played items: the kernel drops the sample.
    if (j >= 0) triples.set([0, e, j], 3 * count++)
  }
  const ru = u.slice(), rv = v.slice(), rb = bias.slice()
  const session = createMfKernel('wasm').bpr(ru, rv, rb, k)
  session.steps(triples, count, 0.05, 0.01)
  session.finish()
  assert.deepEqual(got.u, ru)
  assert.deepEqual(got.v, rv)
})
