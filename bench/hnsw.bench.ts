// HNSW on 600k x 12 synthetic audio features (bench/lib/datasets.ts): build time on 1 and 2 threads, then
// queries per second on one thread, one query per call, with recall@10 against the exact index, at several ef
// (ef below k = 10 would be raised to k by the packages).
// Search rounds interleave the ef values so drift in machine load hits them alike; figures are medians.
//
// Environment: BENCH_ROUNDS (search rounds, default 5), HNSW_BACKENDS (default 'usearch'; 'usearch,hnswlib'
// measures both; hnswlib builds on one thread only), HNSW_BUILD_ROUNDS (builds per configuration, default 1:
// each takes minutes).
import { synthesizeLike } from '../src/data/synthetic.js'
import { createExactIndex } from '../src/index/exact.js'
import { HNSW_BACKENDS, HNSW_DEFAULTS, type HnswBackend, type HnswIndex, createHnswIndex } from '../src/index/hnsw.js'
import { AUDIO_DIMS, loadRealAudioFeatures, synthetic600k } from './lib/datasets.js'
import { median, report, type Row } from './lib/report.js'

const K = 10
const QUERIES = 1000
const PASSES = 5
const EFS = [10, 12, 16, 24, 32, 48, 64, 128]
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const BUILD_ROUNDS = Number(process.env.HNSW_BUILD_ROUNDS ?? 1)
const BACKENDS = (process.env.HNSW_BACKENDS ?? 'usearch').split(',') as HnswBackend[]

interface Truth {
  sets: Set<number>[]
  kth: number[]
}

/** True top-10 of every query and its 10th distance, from a full scan. */
async function groundTruth(data: Float32Array, queries: Float32Array): Promise<Truth> {
  const t0 = Date.now()
  const exact = createExactIndex(data, AUDIO_DIMS, 'euclidean', { threads: 2 })
  const hits = await exact.searchBatch(queries, K)
  await exact.close()
  console.log(`ground truth for ${QUERIES} queries: ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  return { sets: hits.map((h) => new Set(h.map((x) => x.index))), kth: hits.map((h) => h[K - 1].distance) }
}

/** Strict recall (share of the true top-10 ids) and tie-aware recall (hits no farther than the 10th true distance). */
function recall(index: HnswIndex, data: Float32Array, queries: Float32Array, truth: Truth) {
  let strict = 0, tied = 0
  for (let q = 0; q < QUERIES; q++) {
    const query = queries.subarray(q * AUDIO_DIMS, (q + 1) * AUDIO_DIMS)
    for (const h of index.search(query, K)) {
      if (truth.sets[q].has(h.index)) strict++
      if (trueDistance(data, h.index, query) <= truth.kth[q] * (1 + 1e-5)) tied++
    }
  }
  return { strict: strict / (QUERIES * K), tied: tied / (QUERIES * K) }
}

function trueDistance(data: Float32Array, row: number, query: Float32Array): number {
  let s = 0
  for (let j = 0; j < AUDIO_DIMS; j++) s += (data[row * AUDIO_DIMS + j] - query[j]) ** 2
  return Math.sqrt(s)
}

/**
 * Times the builds (2 threads first, where the backend has them) and reports each graph's recall at the default
 * ef; the 1-thread graph is kept for the search rounds, being the reproducible one.
 */
async function buildRows(backend: HnswBackend, data: Float32Array, queries: Float32Array, truth: Truth): Promise<{ rows: Row[]; index: HnswIndex }> {
  const rows: Row[] = []
  let index: HnswIndex | undefined
  for (const threads of backend === 'usearch' ? [2, 1] : [1]) {
    const secs: number[] = []
    for (let r = 0; r < BUILD_ROUNDS; r++) {
      await index?.close()
      const t0 = process.hrtime.bigint()
      index = await createHnswIndex(data, AUDIO_DIMS, 'euclidean', { backend, threads })
      secs.push(Number(process.hrtime.bigint() - t0) / 1e9)
    }
    const { tied } = recall(index!, data, queries, truth)
    rows.push({ backend, threads, rows: data.length / AUDIO_DIMS, buildSeconds: round(median(secs), 1), recallAt10DefaultEf: round(tied, 4) })
    console.log(`${backend} build on ${threads} thread(s): ${round(median(secs), 1)} s`)
  }
  return { rows, index: index! }
}

/** One query per call on this thread; PASSES passes over the queries per round; the checksum defeats dead-code elimination. */
function queriesPerSecond(index: HnswIndex, queries: Float32Array): number {
  let checksum = 0
  const t0 = process.hrtime.bigint()
  for (let p = 0; p < PASSES; p++) {
    for (let q = 0; q < QUERIES; q++) checksum += index.search(queries.subarray(q * AUDIO_DIMS, (q + 1) * AUDIO_DIMS), K)[0].index
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9
  if (checksum < 0) console.log(checksum)
  return (PASSES * QUERIES) / secs
}

async function searchRows(backend: HnswBackend, index: HnswIndex, data: Float32Array, queries: Float32Array, truth: Truth): Promise<Row[]> {
  const qps = new Map<number, number[]>(EFS.map((ef) => [ef, []]))
  for (let r = 0; r < ROUNDS; r++) {
    for (const ef of EFS) {
      index.setEf(ef)
      qps.get(ef)!.push(queriesPerSecond(index, queries))
    }
  }
  return EFS.map((ef) => {
    index.setEf(ef)
    const { strict, tied } = recall(index, data, queries, truth)
    return { backend, ef, queriesPerSecond: Math.round(median(qps.get(ef)!)), recallAt10: round(tied, 4), recallAt10Strict: round(strict, 4) }
  })
}

function round(x: number, digits: number): number {
  return Number(x.toFixed(digits))
}

async function main(): Promise<void> {
  for (const b of BACKENDS) if (!HNSW_BACKENDS.includes(b)) throw new Error(`HNSW_BACKENDS: unknown backend ${b}`)
  const data = await synthetic600k()
  // Queries come from the same distribution but a different seed, so none of them is an indexed row.
  const queries = synthesizeLike(await loadRealAudioFeatures(), AUDIO_DIMS, QUERIES, 601)
  const truth = await groundTruth(data, queries)
  const builds: Row[] = [], searches: Row[] = []
  for (const backend of BACKENDS) {
    const { rows, index } = await buildRows(backend, data, queries, truth)
    builds.push(...rows)
    searches.push(...(await searchRows(backend, index, data, queries, truth)))
    await index.close()
  }
  const { backend: _b, threads: _t, ...graph } = HNSW_DEFAULTS
  const notes = { graph, k: K, queries: QUERIES, rounds: ROUNDS, buildRounds: BUILD_ROUNDS, metric: 'euclidean' }
  report('hnsw-build', builds, notes)
  report('hnsw-search', searches, { ...notes, recall: 'recallAt10 counts a hit tied with the 10th true distance; Strict compares ids' })
}

await main()
