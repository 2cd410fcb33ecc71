// EASE's direct inverse (the path fit takes when users outnumber the kept items) against NumPy on the same
// shapes. Two real matrices, binary, λ = 200:
//  - HetRec Last.fm 2K transposed: 17,632 artists as rows, the 1,892 listeners as items (n = 1,892);
//  - the shared MPD sample (../shared/data/spotify-mpd-sample, skipped when absent): 7,102 playlists x their
//    4,000 most used tracks, which is what EASE's default maxItems keeps of it (n = 4,000).
// segue: what easeWeightsDense does (Gram matrix built in the inverse's memory, SPD inverse, B) with the
// WebAssembly kernels, and once with plain TS on the smaller shape. NumPy: bench/lib/numpy-ease.ts in a child
// python3 (Debian's python3-numpy + OpenBLAS, 2 threads). Both sides are timed from G = XᵀX + λI in memory to
// B (the same Gram matrix: the inverse, the comparison the issue asks for) and from X in memory to B (NumPy's
// dense XᵀX then dominates). Rounds alternate segue and NumPy; medians; CPU seconds beside wall (the machine
// is shared: wall alone misleads), the load average before and after. BENCH_ROUNDS (default 3).
// 6,236 of the sample's playlists hold one of those tracks. Peak memory (segue): 16 x n² bytes for the inverse
// plus 4 x n² for B.
import { existsSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { sharedDataDir } from '../src/core/paths.js'
import type { Csr } from '../src/core/csr.js'
import { readPlaylists } from '../src/data/playlists/read.js'
import { playlistInteractions } from '../src/data/playlists/interactions.js'
import { loadListening } from '../src/listening/source.js'
import { easeWeights, gramMatrix, keepItems } from '../src/models/ease/ease.js'
import { spdMatrix, type SpdBackend } from '../src/models/ease/spd-inverse.js'
import { itemPopularity } from '../src/models/shared/popularity-vector.js'
import { maxDifference, runNumpyEase, type BinaryCsr } from './lib/numpy-ease.js'
import { median, report, type Row } from './lib/report.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const LAMBDA = 200
/** EASE_DEFAULTS.maxItems: the items the default model keeps of the MPD sample. */
const MPD_ITEMS = 4_000
const noTick = async () => {}

interface Shape {
  name: string
  x: BinaryCsr
  /** Also time the plain-TS kernels (once; minutes on the larger shape). */
  withTs: boolean
}

/** X restricted to kept columns (renumbered), binary, rows without any kept item dropped. */
function binaryKept(m: Csr, slot: Int32Array, n: number): BinaryCsr {
  const indptr: number[] = [0]
  const indices: number[] = []
  for (let u = 0; u < m.rows; u++) {
    const row: number[] = []
    for (let p = m.indptr[u]; p < m.indptr[u + 1]; p++) if (slot[m.indices[p]] >= 0 && m.data[p] > 0) row.push(slot[m.indices[p]])
    if (row.length === 0) continue
    indices.push(...row.sort((a, b) => a - b))
    indptr.push(indices.length)
  }
  return { rows: indptr.length - 1, n, indptr: Int32Array.from(indptr), indices: Int32Array.from(indices) }
}

function transpose(m: Csr): Csr {
  const indptr = new Int32Array(m.cols + 1)
  for (let p = 0; p < m.indptr[m.rows]; p++) indptr[m.indices[p] + 1]++
  for (let j = 0; j < m.cols; j++) indptr[j + 1] += indptr[j]
  const fill = indptr.slice(0, m.cols)
  const indices = new Int32Array(m.indptr[m.rows])
  const data = new Float32Array(indices.length)
  for (let u = 0; u < m.rows; u++) {
    for (let p = m.indptr[u]; p < m.indptr[u + 1]; p++) {
      const q = fill[m.indices[p]]++
      indices[q] = u
      data[q] = m.data[p]
    }
  }
  return { rows: m.cols, cols: m.rows, indptr, indices, data }
}

async function shapes(): Promise<Shape[]> {
  const { data } = await loadListening()
  const t = transpose(data.matrix)
  const out: Shape[] = [{ name: 'HetRec transposed', x: binaryKept(t, Int32Array.from({ length: t.cols }, (_, i) => i), t.cols), withTs: true }]
  const sample = join(sharedDataDir(), 'spotify-mpd-sample')
  if (existsSync(sample)) {
    const { set } = await readPlaylists(sample)
    const m = playlistInteractions(set).matrix
    const { slot, kept } = keepItems(itemPopularity(m), 1, MPD_ITEMS)
    out.push({ name: `MPD sample, ${MPD_ITEMS} most used tracks`, x: binaryKept(m, slot, kept.length), withTs: false })
  }
  return out
}

function asCsr(x: BinaryCsr): { csr: Csr; slot: Int32Array } {
  const csr = { rows: x.rows, cols: x.n, indptr: x.indptr, indices: x.indices, data: new Float32Array(x.indices.length).fill(1) }
  return { csr, slot: Int32Array.from({ length: x.n }, (_, i) => i) }
}

interface Timed {
  /** X in memory to B. */
  wall: number
  cpu: number
  /** G = XᵀX + λI in memory to B: the inverse and the closed form. */
  invWall: number
  invCpu: number
}

async function timeOurs(x: BinaryCsr, backend: SpdBackend): Promise<Timed & { b: Float32Array }> {
  const { csr, slot } = asCsr(x)
  const clock = () => ({ t: performance.now() / 1000, c: process.cpuUsage() })
  const since = (s: { t: number; c: NodeJS.CpuUsage }) => {
    const c = process.cpuUsage(s.c)
    return { wall: performance.now() / 1000 - s.t, cpu: (c.user + c.system) / 1e6 }
  }
  const t0 = clock()
  const g = spdMatrix(x.n, backend)
  gramMatrix(csr, slot, x.n, LAMBDA, g.a)
  const t1 = clock()
  const b = easeWeights(await g.invert(noTick), x.n)
  const inv = since(t1)
  const all = since(t0)
  return { wall: all.wall, cpu: all.cpu, invWall: inv.wall, invCpu: inv.cpu, b }
}

async function benchShape(s: Shape, notes: Record<string, unknown>): Promise<Row[]> {
  const detail = `${s.x.rows} users x ${s.x.n} items, ${s.x.indices.length} pairs`
  // The fit takes the direct path when users³ + nnz x items >= items³ (solveWeights in ease.ts).
  const direct = s.x.rows ** 3 + s.x.indices.length * s.x.n >= s.x.n ** 3
  const ours: Timed[] = []
  const numpy: Timed[] = []
  let b: Float32Array = new Float32Array(0)
  let about = 'skipped: no python3 with numpy'
  let firstRows: Float32Array | undefined
  for (let r = 0; r < ROUNDS; r++) {
    const o = await timeOurs(s.x, 'wasm')
    ours.push(o)
    b = o.b
    const np = runNumpyEase(s.x, LAMBDA, 1)
    if (!np) continue
    numpy.push({ wall: np.times[0], cpu: np.cpu[0], invWall: np.invTimes[0], invCpu: np.invCpu[0] })
    about = np.about
    firstRows = np.firstRows
  }
  notes[`${s.name}: numpy`] = about
  if (firstRows) notes[`${s.name}: max |B - B_numpy|`] = maxDifference(b, firstRows, s.x.n)
  const mid = (xs: Timed[]): Timed => ({
    wall: median(xs.map((x) => x.wall)), cpu: median(xs.map((x) => x.cpu)),
    invWall: median(xs.map((x) => x.invWall)), invCpu: median(xs.map((x) => x.invCpu)),
  })
  const ref = numpy.length ? mid(numpy) : undefined
  const row = (model: string, t: Timed): Row => ({
    shape: s.name, detail, directPath: direct, model,
    fromGramSeconds: +t.invWall.toFixed(2), fromGramCpu: +t.invCpu.toFixed(2), fromGramVsNumpy: ref ? +(t.invWall / ref.invWall).toFixed(2) : null,
    fromXSeconds: +t.wall.toFixed(2), fromXCpu: +t.cpu.toFixed(2), fromXVsNumpy: ref ? +(t.wall / ref.wall).toFixed(2) : null,
  })
  const rows = [row('segue (wasm simd)', mid(ours))]
  if (s.withTs) rows.push(row('segue (plain TS, before)', await timeOurs(s.x, 'ts')))
  if (ref) rows.push(row('numpy (OpenBLAS)', ref))
  return rows
}

async function main(): Promise<void> {
  const notes: Record<string, unknown> = { rounds: ROUNDS, lambda: LAMBDA, loadAverageBefore: loadavg().map((x) => +x.toFixed(2)) }
  const rows: Row[] = []
  for (const s of await shapes()) rows.push(...(await benchShape(s, notes)))
  notes.loadAverageAfter = loadavg().map((x) => +x.toFixed(2))
  report('ease', rows, notes)
}

await main()
