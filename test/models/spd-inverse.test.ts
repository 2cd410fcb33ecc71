import { test } from 'node:test'
import assert from 'node:assert/strict'
import { SegueError } from '../../src/core/errors.js'
import { Rng } from '../../src/core/rng.js'
import { easeWeightsByUsers } from '../../src/models/ease/by-users.js'
import { easeWeightsDense } from '../../src/models/ease/ease.js'
import { invertSpd, type SpdBackend } from '../../src/models/ease/spd-inverse.js'
import { loadSpdModule } from '../../src/models/ease/spd-wasm.js'

const noTick = async () => {}
const BACKENDS: SpdBackend[] = ['ts', 'wasm']

for (const backend of BACKENDS) {
  test(`invertSpd (${backend}): a 3 x 3 inverse by hand`, async () => {
    // det [[4,2,0],[2,5,1],[0,1,3]] = 44; the inverse is the adjugate / 44.
    const a = Float64Array.from([4, 2, 0, 2, 5, 1, 0, 1, 3])
    const want = [14, -6, 2, -6, 12, -4, 2, -4, 16].map((x) => x / 44)
    const got = await invertSpd(a, 3, noTick, backend)
    want.forEach((w, i) => assert.ok(Math.abs(got[i] - w) < 1e-12, `entry ${i}: ${got[i]} vs ${w}`))
  })

  test(`invertSpd (${backend}): refuses a matrix that is not positive definite, naming the row`, async () => {
    const a = Float64Array.from([1, 2, 2, 1])
    await assert.rejects(invertSpd(a, 2, noTick, backend), (e: unknown) => e instanceof SegueError && e.code === 'E_BAD_ARGUMENT' && /row 1/.test(e.message))
  })
}

/** XᵀX + λI for a seeded random binary X (rows x n, about `perRow` items a row): a Gram matrix as EASE builds it. */
function gram(rows: number, n: number, perRow: number, lambda: number, seed: number): Float64Array {
  const rng = new Rng(seed)
  const g = new Float64Array(n * n)
  for (let u = 0; u < rows; u++) {
    const items = [...new Set(Array.from({ length: perRow }, () => rng.int(n)))]
    for (const a of items) for (const b of items) g[a * n + b] += 1
  }
  for (let i = 0; i < n; i++) g[i * n + i] += lambda
  return g
}

test('invertSpd: the WebAssembly kernels agree with plain TS within 1e-9 across panels, k chunks and ragged edges', async () => {
  // 301 rows: five 64-row panels and a ragged one, more than one 256-wide k chunk, an odd size for the 4 x 2 blocks.
  assert.ok(loadSpdModule(), 'build/spd.wasm loads (npm run build:wasm)')
  const n = 301
  const g = gram(3 * n, n, 12, 20, 11)
  const ts = await invertSpd(g.slice(), n, noTick, 'ts')
  const wasm = await invertSpd(g.slice(), n, noTick, 'wasm')
  let worst = 0
  for (let i = 0; i < n * n; i++) worst = Math.max(worst, Math.abs(ts[i] - wasm[i]))
  assert.ok(worst < 1e-9, `largest difference ${worst}`)
  for (const i of [0, 150, 300]) {
    for (let j = 0; j < n; j++) {
      let s = 0
      for (let k = 0; k < n; k++) s += g[i * n + k] * wasm[k * n + j]
      assert.ok(Math.abs(s - (i === j ? 1 : 0)) < 1e-9, `(G G⁻¹)[${i}][${j}] = ${s}`)
    }
  }
})

test('invertSpd: progress ticks rise to 3n over the three phases', async () => {
  const n = 150
  const done: number[] = []
  await invertSpd(gram(2 * n, n, 8, 10, 3), n, async (d) => void done.push(d), 'wasm')
  assert.deepEqual(done, [...done].sort((a, b) => a - b))
  assert.equal(done.at(-1), 3 * n)
})

test('EASE: the direct inverse (users outnumber items) and the Woodbury form give the same weights', async () => {
  // 400 users x 120 items: the shape that takes the direct path in fit; Woodbury computed on the same X.
  const rng = new Rng(9)
  const rows = 400
  const n = 120
  const indptr = new Int32Array(rows + 1)
  const indices: number[] = []
  for (let u = 0; u < rows; u++) {
    const items = [...new Set(Array.from({ length: 6 }, () => rng.int(n)))].sort((a, b) => a - b)
    indices.push(...items)
    indptr[u + 1] = indices.length
  }
  const x = { rows, cols: n, indptr, indices: Int32Array.from(indices), data: new Float32Array(indices.length).fill(1) }
  const slot = Int32Array.from({ length: n }, (_, i) => i)
  const dense = await easeWeightsDense(x, slot, n, 15, noTick)
  const byUsers = await easeWeightsByUsers(x, slot, n, 15, noTick)
  let worst = 0
  let largest = 0
  for (let i = 0; i < n * n; i++) {
    worst = Math.max(worst, Math.abs(byUsers[i] - dense[i]))
    largest = Math.max(largest, Math.abs(dense[i]))
  }
  // B is stored in f32: agreement to its rounding.
  assert.ok(largest > 0.01 && worst <= 1e-6 * largest, `largest difference ${worst} (largest weight ${largest})`)
})
