// A/B of the ALS conjugate-gradient kernel (cgSolve) of two mf.wasm builds in one process, on the same inputs
// (the 360k x 290k x 16M synthetic shape of cf.bench.ts: R rows of the user side, or of the item side with
// SIDE=items), one thread, CPU seconds per round alternating; prints each build's output hash (equal hashes:
// bit-for-bit the same factors). Build the old kernel first, e.g.
//   git show <commit>:assembly/mf.ts > /tmp/mf-old.ts && npx asc /tmp/mf-old.ts -o /tmp/mf-old.wasm -O3 --runtime stub --enable simd --noAssert
//   npx tsc -p tsconfig.json && R=40000 ROUNDS=5 node bench/lib/cg-ab.mjs /tmp/mf-old.wasm build/mf.wasm
import { readFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
const { syntheticCsr } = await import('../../dist/bench/lib/synthetic-interactions.js')
const { Rng } = await import('../../dist/src/core/rng.js')
const files = process.argv.slice(2)
const side = process.env.SIDE ?? 'users'
let m = syntheticCsr({ users: 360_000, items: 290_000, interactions: 17_000_000, seed: 2 })
const { transpose } = await import('../../dist/src/core/csr.js')
if (side === 'items') m = transpose(m)
const fixedRows = m.cols, k = 64, R = Number(process.env.R ?? 60000)
const rows0 = Number(process.env.R0 ?? 0)
const rng = new Rng(9)
const Y = Float32Array.from({ length: fixedRows * k }, () => rng.next() * 0.1)
const X0 = Float32Array.from({ length: R * k }, () => rng.next() * 0.1)
const G = new Float32Array(k * k); for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) G[i * k + j] = (i === j ? 1 : 0) + 0.01 * ((i * j) % 7)
const p0 = m.indptr[rows0], p1 = m.indptr[rows0 + R]
const indptr = Int32Array.from({ length: R + 1 }, (_, r) => m.indptr[rows0 + r] - p0)
let indices = m.indices.slice(p0, p1); const conf = Float32Array.from(m.data.subarray(p0, p1), (r) => 1 + r)
let Ys = Y
if (process.env.PERM) {
  const counts = new Int32Array(fixedRows); for (let e = 0; e < m.indices.length; e++) counts[m.indices[e]]++
  const perm = Int32Array.from({ length: fixedRows }, (_, i) => i).sort((a, b) => counts[b] - counts[a] || a - b)
  const pos = new Int32Array(fixedRows); perm.forEach((r, s) => (pos[r] = s))
  Ys = new Float32Array(Y.length); perm.forEach((r, s) => Ys.set(Y.subarray(r * k, r * k + k), s * k))
  indices = Int32Array.from(indices, (i) => pos[i])
}
if (process.env.SMALL) indices = indices.map((i) => i % Number(process.env.SMALL))
const ALIGN = Number(process.env.ALIGN ?? 16)
function setup(file) {
  const ex = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(file)), {}).exports
  const base = (ex.heapBase() + ALIGN - 1) & ~(ALIGN - 1)
  let at = base
  const take = (n) => { const a = at; at = (at + n * 4 + ALIGN - 1) & ~(ALIGN - 1); return a }
  const y = take(Y.length), x = take(X0.length), g = take(G.length), ip = take(indptr.length), id = take(indices.length), cf = take(conf.length), sc = take(3 * k)
  const need = at - ex.memory.buffer.byteLength; if (need > 0) ex.memory.grow(Math.ceil(need / 65536))
  const f32 = (a, n) => new Float32Array(ex.memory.buffer, a, n), i32 = (a, n) => new Int32Array(ex.memory.buffer, a, n)
  f32(y, Y.length).set(Ys); f32(g, G.length).set(G); i32(ip, indptr.length).set(indptr); i32(id, indices.length).set(indices); f32(cf, conf.length).set(conf)
  return { run() { f32(x, X0.length).set(X0); ex.cgSolve(x, y, ip, id, cf, R, k, g, 3, sc); return createHash('sha256').update(new Uint8Array(ex.memory.buffer, x, X0.length * 4)).digest('hex').slice(0, 12) } }
}
const kernels = files.map(setup)
const cpu = files.map(() => [])
for (let round = 0; round < Number(process.env.ROUNDS ?? 5); round++) {
  kernels.forEach((kern, i) => { const c0 = process.cpuUsage(); const h = kern.run(); const c = process.cpuUsage(c0); cpu[i].push((c.user + c.system) / 1e6); if (round === 0) console.log(files[i], h) })
}
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1]
files.forEach((f, i) => console.log(f, 'median cpu', med(cpu[i]).toFixed(3), 's', cpu[i].map((v) => v.toFixed(2)).join(' '), `${((p1 - p0) / med(cpu[i]) / 1e6).toFixed(2)} M entries/s`))
