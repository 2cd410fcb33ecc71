// Similar-track search on the bundled catalogue's real vectors (89,741 tracks, the default 255-dim pipeline:
// audio, genre and artist blocks), one query per call as a server asks: the bounded exact cosine search
// (src/index/exact-sparse.ts) against the scan of every sparse row it replaces and against the HNSW graph the
// server used before (usearch, i8, M 16, efConstruction 200, ef 64, candidates re-scored exactly). Queries are
// 2,000 catalogue rows drawn at random; k = 21, what similar asks first for 10 tracks. Interleaved rounds,
// medians; also the share of rows the bound scores, the graph's recall@10 against exact, and what each needs
// built first (the bound's tables against the graph).
// Environment: BENCH_ROUNDS (default 5).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bundledCatalogue } from '../src/core/paths.js'
import { Rng } from '../src/core/rng.js'
import { Engine, HNSW_PARAMS } from '../src/engine.js'
import { SparseExactIndex, toSparseRows } from '../src/index/exact-sparse.js'
import { createHnswIndex } from '../src/index/hnsw.js'
import { RerankedIndex } from '../src/index/rerank.js'
import { median, report, type Row } from './lib/report.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const QUERIES = 2000
/** The full scan costs milliseconds a query: a tenth of the queries. */
const SCAN_QUERIES = 200
const K = 21

const home = mkdtempSync(join(tmpdir(), 'segue-bench-bounded-'))
try {
  const engine = await Engine.open({ home, onWarning: () => {} })
  await engine.importCatalogue(bundledCatalogue())
  const view = await engine.catalogue()
  const n = view.tracks.length
  const dims = view.dims
  const dense = new Float32Array(n * dims)
  for (let r = 0; r < n; r++) dense.set(view.vector(r), r * dims)
  await engine.close()
  const rows = toSparseRows(dense, dims)

  const rng = new Rng(11)
  const queries = Array.from({ length: QUERIES }, () => dense.slice(...span(rng.int(n), dims)))

  let t0 = performance.now()
  const bounded = new SparseExactIndex(rows, 'cosine')
  const share = bounded.scoredShare(K)
  const tablesMs = performance.now() - t0
  const scan = new SparseExactIndex(rows, 'cosine') // never past its first queries' full scans: see below
  t0 = performance.now()
  const graph = new RerankedIndex(await createHnswIndex(dense, dims, 'cosine', { ...HNSW_PARAMS }), rows)
  const graphS = (performance.now() - t0) / 1000

  // Recall@10 of the graph against exact, by distance (ties at the 10th count as found).
  let found = 0
  for (const q of queries.slice(0, 500)) {
    const exact = bounded.search(q, 10)
    const cutoff = exact[9].distance + 1e-9
    found += graph.search(q, K).slice(0, 10).filter((h) => h.distance <= cutoff).length
  }
  const recall = found / (500 * 10)

  const us: Record<'scan' | 'bounded' | 'graph', number[]> = { scan: [], bounded: [], graph: [] }
  let sink = 0
  for (let round = 0; round < ROUNDS; round++) {
    t0 = performance.now()
    // distances() is the full scan that search() runs for a one-shot query.
    for (const q of queries.slice(0, SCAN_QUERIES)) sink += (scan as unknown as { distances(q: Float32Array): Float64Array }).distances(q)[0]
    us.scan.push(((performance.now() - t0) * 1000) / SCAN_QUERIES)
    t0 = performance.now()
    for (const q of queries) sink += bounded.search(q, K)[0].index
    us.bounded.push(((performance.now() - t0) * 1000) / QUERIES)
    t0 = performance.now()
    for (const q of queries) sink += graph.search(q, K)[0].index
    us.graph.push(((performance.now() - t0) * 1000) / QUERIES)
  }
  await graph.close()
  const graphUs = median(us.graph)
  const out: Row[] = [
    { search: 'scan of every sparse row (one-shot path)', us_per_query: round(median(us.scan)), vs_graph: round(graphUs / median(us.scan), 3), recall_at_10: 1, built_first: 'nothing' },
    { search: 'bounded exact (server path)', us_per_query: round(median(us.bounded)), vs_graph: round(graphUs / median(us.bounded), 3), recall_at_10: 1, built_first: `tables ${Math.round(tablesMs)} ms (with the 32-query share check)` },
    { search: 'HNSW i8 + exact re-rank (server before)', us_per_query: round(graphUs), vs_graph: 1, recall_at_10: round(recall, 4), built_first: `graph ${round(graphS)} s` },
  ]
  report('exact-bounded', out, {
    catalogue: `bundled, ${n} tracks x ${dims} dims (default pipeline)`, k: K, queries: QUERIES, scanQueries: SCAN_QUERIES, rounds: ROUNDS,
    scoredShare: round(share, 4), hnsw: HNSW_PARAMS, statistic: 'median over rounds of microseconds per query (wall, one thread)', sink,
  })
} finally {
  rmSync(home, { recursive: true, force: true })
}

function span(r: number, dims: number): [number, number] {
  return [r * dims, (r + 1) * dims]
}

function round(x: number, digits = 1): number {
  return Number(x.toFixed(digits))
}
