// Exact k-nearest-neighbour search, k = 10, Euclidean: queries per second of the plain-TS and WebAssembly
// kernels, one query per call (calling thread) and batched (1 and 2 threads), on the real 114k catalogue's
// audio features (89,741 x 12) and a 600k x 12 synthetic set drawn from them. Rounds interleave the
// configurations so drift in machine load hits them alike; each figure is the median over rounds, and the
// ratio is against the plain-TS one-query-per-call figure of the same data set.
import { createExactIndex, type ExactIndex } from '../src/index/exact.js'
import { synthesizeLike } from '../src/data/synthetic.js'
import type { Neighbour } from '../src/index/types.js'
import { AUDIO_DIMS, loadRealAudioFeatures, synthetic600k } from './lib/datasets.js'
import { median, report, timeRounds, type Row } from './lib/report.js'

const K = 10
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)

interface Config {
  name: string
  backend: 'ts' | 'wasm'
  threads: number
  batched: boolean
}

const CONFIGS: Config[] = [
  { name: 'ts single', backend: 'ts', threads: 1, batched: false },
  { name: 'wasm single', backend: 'wasm', threads: 1, batched: false },
  { name: 'ts batch', backend: 'ts', threads: 1, batched: true },
  { name: 'ts batch', backend: 'ts', threads: 2, batched: true },
  { name: 'wasm batch', backend: 'wasm', threads: 1, batched: true },
  { name: 'wasm batch', backend: 'wasm', threads: 2, batched: true },
]

/** Consumed results: a running sum the JIT cannot prove unused, printed at the end. */
let sink = 0

function consume(hits: Neighbour[]): void {
  for (const h of hits) sink += h.distance + h.index
}

interface Timing {
  wall: number
  /** CPU seconds of the whole process (all threads): less sensitive to other work on a shared machine. */
  cpu: number
}

/** Time to answer `count` of the queries, one call per query or one batch. */
async function runOnce(index: ExactIndex, cfg: Config, queries: Float32Array, count: number): Promise<Timing> {
  const cpu0 = process.cpuUsage()
  const [wall] = await timeRounds(1, async () => {
    if (cfg.batched) for (const hits of await index.searchBatch(queries.subarray(0, count * AUDIO_DIMS), K)) consume(hits)
    else for (let q = 0; q < count; q++) consume(index.search(queries.subarray(q * AUDIO_DIMS, (q + 1) * AUDIO_DIMS), K))
  })
  const cpu = process.cpuUsage(cpu0)
  return { wall, cpu: (cpu.user + cpu.system) / 1e6 }
}

/**
 * For scale: the loop one would write first. Full Euclidean distance to every row of the row-major matrix,
 * a sorted insert into the best k, one query at a time, no blocking or pruning.
 */
function naiveLoopQps(data: Float32Array, queries: Float32Array, count: number): number {
  const t0 = process.hrtime.bigint()
  for (let q = 0; q < count; q++) sink += naiveLoopSearch(data, queries, q * AUDIO_DIMS)
  return count / (Number(process.hrtime.bigint() - t0) / 1e9)
}

function naiveLoopSearch(data: Float32Array, queries: Float32Array, qOff: number): number {
  const best = new Float64Array(K).fill(Infinity)
  const rows = new Int32Array(K).fill(-1)
  for (let r = 0, off = 0; off < data.length; r++, off += AUDIO_DIMS) {
    let s = 0
    for (let c = 0; c < AUDIO_DIMS; c++) {
      const d = data[off + c] - queries[qOff + c]
      s += d * d
    }
    if (s >= best[K - 1]) continue
    let i = K - 1
    for (; i > 0 && best[i - 1] > s; i--) [best[i], rows[i]] = [best[i - 1], rows[i - 1]]
    ;[best[i], rows[i]] = [s, r]
  }
  return rows[0] + Math.sqrt(best[0])
}

/** Queries per call pattern: enough for ~0.5-2 s a round at the speeds seen here. */
function queryCount(cfg: Config, rows: number): number {
  const perMillionRows = cfg.backend === 'ts' ? (cfg.batched ? 300 * cfg.threads : 150) : cfg.batched ? 1000 * cfg.threads : 400
  return Math.max(50, Math.round((perMillionRows * 1e6) / rows / 50) * 50)
}

async function benchDataset(label: string, data: Float32Array, queries: Float32Array): Promise<Row[]> {
  const rows = data.length / AUDIO_DIMS
  const indexes = CONFIGS.map((c) => createExactIndex(data, AUDIO_DIMS, 'euclidean', { backend: c.backend, threads: c.threads }))
  await Promise.all(indexes.map((ix, i) => runOnce(ix, CONFIGS[i], queries, 20))) // warm-up, starts workers
  const qps: number[][] = CONFIGS.map(() => [])
  const cpuQps: number[][] = CONFIGS.map(() => [])
  const naive: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    naive.push(naiveLoopQps(data, queries, Math.round(25e6 / rows)))
    for (const [i, cfg] of CONFIGS.entries()) {
      const count = queryCount(cfg, rows)
      const t = await runOnce(indexes[i], cfg, queries, count)
      qps[i].push(count / t.wall)
      cpuQps[i].push(count / t.cpu)
    }
  }
  await Promise.all(indexes.map((ix) => ix.close()))
  const baseline = median(qps[0])
  const naiveRow: Row = {
    data: label, rows, kernel: 'naive loop', mode: 'search (1 per call)', threads: 1,
    queries_per_s: Math.round(median(naive)), min_qps: Math.round(Math.min(...naive)), max_qps: Math.round(Math.max(...naive)),
    queries_per_cpu_s: null, vs_ts_single: +(median(naive) / baseline).toFixed(2),
  }
  return [naiveRow, ...CONFIGS.map((cfg, i) => ({
    data: label,
    rows,
    kernel: cfg.backend,
    mode: cfg.batched ? 'searchBatch' : 'search (1 per call)',
    threads: cfg.threads,
    queries_per_s: Math.round(median(qps[i])),
    min_qps: Math.round(Math.min(...qps[i])),
    max_qps: Math.round(Math.max(...qps[i])),
    queries_per_cpu_s: Math.round(median(cpuQps[i])),
    vs_ts_single: +(median(qps[i]) / baseline).toFixed(2),
  }))]
}

const real = await loadRealAudioFeatures()
// Queries: fresh jittered draws from the real rows (a different seed from the synthetic set), so they follow
// the data's distribution without being rows of either index.
const queries = synthesizeLike(real, AUDIO_DIMS, 20_000, 2024)
const rows = [
  ...(await benchDataset('spotify-114k audio', real, queries)),
  ...(await benchDataset('synthetic 600k', await synthetic600k(), queries)),
]
report('exact-knn', rows, {
  k: K,
  metric: 'euclidean',
  rounds: ROUNDS,
  statistic: 'median queries/s (wall clock) over rounds; queries_per_cpu_s divides by CPU time of all threads',
  queries: '20,000 jittered draws of real rows (synthesizeLike, seed 2024), not rows of either index',
  sink,
})
