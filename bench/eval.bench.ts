// Evaluation and EASE on the bundled HetRec Last.fm 2K (1,892 listeners, 17,632 artists, 92,834 pairs).
//
// 1. `evaluate` with the default metric set (AUC over the whole catalogue included), k = 10, on the CLI's default
//    split (random 80/20 per listener, seed 42), for popularity and ALS: seconds (fit included) and the peak
//    resident memory of a fresh process that loads HetRec and evaluates (each round runs in a child process
//    of this script, so peaks do not mix). The old way, full 17,632-item lists for AUC, runs only with
//    BENCH_EVAL_FULL_LISTS=1 (about a minute and 2.6 GB).
// 2. EASE fit on all of HetRec with minUsers 2 (6,953 items x 1,892 users), beside a NumPy reference on the
//    same binary matrix in a child python3: dense X, G = XᵀX, λ = 200 added on the diagonal, P = inv(G),
//    B = -P / diag(P), zero diagonal, timed from X in memory to B (reading the matrix is left out), all cores.
//    OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset for numpy 2 (they slow its current OpenBLAS) and kept for
//    Debian's numpy 1.x (its older OpenBLAS needs them); the core OpenBLAS ran is reported. Skipped, and said
//    so, when no python3 with numpy is found
//    (SEGUE_NUMPY_PYTHON, /usr/bin/python3, then python3). segue's largest weight difference from NumPy's B is
//    reported too. BENCH_ROUNDS sets rounds (default 3).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { evaluate } from '../src/eval/evaluate.js'
import { randomHoldout } from '../src/eval/splits.js'
import { loadListening } from '../src/listening/source.js'
import { AlsRecommender } from '../src/models/als/als.js'
import { EaseRecommender } from '../src/models/ease/ease.js'
import { PopularityRecommender } from '../src/models/popularity/popularity.js'
import { itemPopularity } from '../src/models/shared/popularity-vector.js'
import type { Recommender } from '../src/models/types.js'
import type { Interactions } from '../src/data/interactions.js'
import { median, report, timeRounds, type Row } from './lib/report.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const EASE_MIN_USERS = 2
const EASE_LAMBDA = 200
const self = fileURLToPath(import.meta.url)

interface ChildResult {
  seconds: number
  /** CPU seconds of the evaluate call (all threads): the machine is shared, so wall time alone misleads. */
  cpuSeconds: number
  fitSeconds: number
  peakMb: number
  auc: number
}

/** Child mode: one evaluate in a fresh process, its figures on stdout as JSON. */
async function child(model: string, fullLists: boolean): Promise<void> {
  const { data } = await loadListening()
  const split = randomHoldout(data, { fraction: 0.2, seed: 42 })
  const make: Record<string, () => Recommender> = { popularity: () => new PopularityRecommender(), als: () => new AlsRecommender() }
  const m = make[model]()
  // Hiding the score vectors sends evaluate down the old path: every candidate listed for AUC.
  const target = fullLists ? (new Proxy(m, { get: (t, key) => (key === 'scoreAll' ? undefined : Reflect.get(t, key, t)) }) as Recommender) : m
  const cpu = process.cpuUsage()
  const r = await evaluate(target, split, { k: 10, fit: { seed: 42 } })
  const used = process.cpuUsage(cpu)
  await (m as { dispose?: () => Promise<void> }).dispose?.()
  const out: ChildResult = { seconds: r.seconds, cpuSeconds: (used.user + used.system) / 1e6, fitSeconds: r.fit.seconds, peakMb: process.resourceUsage().maxRSS / 1024, auc: r.overall.metrics.auc ?? NaN }
  process.stdout.write(JSON.stringify(out) + '\n')
}

function runChild(model: string, fullLists: boolean): ChildResult {
  const r = spawnSync(process.execPath, [self, '--child', model, ...(fullLists ? ['--full-lists'] : [])], { encoding: 'utf8', maxBuffer: 1 << 20 })
  if (r.status !== 0) throw new Error(`evaluate child for ${model} failed: ${r.stderr}`)
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as ChildResult
}

function evaluateRows(): Row[] {
  const configs = [
    { model: 'popularity', fullLists: false },
    { model: 'als', fullLists: false },
    ...(process.env.BENCH_EVAL_FULL_LISTS === '1' ? [{ model: 'popularity', fullLists: true }] : []),
  ]
  const runs = new Map<(typeof configs)[number], ChildResult[]>(configs.map((c) => [c, []]))
  for (let r = 0; r < ROUNDS; r++) for (const c of configs) runs.get(c)!.push(runChild(c.model, c.fullLists))
  return configs.map((c) => {
    const rs = runs.get(c)!
    return {
      task: 'evaluate (default metrics, HetRec)',
      model: c.model,
      detail: c.fullLists ? 'AUC from full lists (old)' : 'AUC from score vectors',
      value: +median(rs.map((x) => x.seconds)).toFixed(2),
      unit: 's',
      cpuSeconds: +median(rs.map((x) => x.cpuSeconds)).toFixed(2),
      fitSeconds: +median(rs.map((x) => x.fitSeconds)).toFixed(2),
      peakMb: Math.round(median(rs.map((x) => x.peakMb))),
      aucValue: +rs[0].auc.toFixed(6),
    }
  })
}

/** Kept items (>= minUsers listeners, in id order, as EASE keeps them) and X over them as CSR, binary. */
function keptMatrix(data: Interactions): { n: number; indptr: Int32Array; indices: Int32Array } {
  const pop = itemPopularity(data.matrix)
  const slot = new Int32Array(pop.length).fill(-1)
  let n = 0
  pop.forEach((c, i) => (slot[i] = c >= EASE_MIN_USERS ? n++ : -1))
  const m = data.matrix
  const indptr = new Int32Array(m.rows + 1)
  const indices: number[] = []
  for (let u = 0; u < m.rows; u++) {
    for (let p = m.indptr[u]; p < m.indptr[u + 1]; p++) if (slot[m.indices[p]] >= 0 && m.data[p] > 0) indices.push(slot[m.indices[p]])
    indptr[u + 1] = indices.length
  }
  return { n, indptr, indices: Int32Array.from(indices) }
}

const NUMPY_EASE = `
import sys, json, time, ctypes, numpy as np
d, m, n, lam, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
indptr = np.fromfile(d + '/indptr.i32', dtype=np.int32)
indices = np.fromfile(d + '/indices.i32', dtype=np.int32)
X = np.zeros((m, n))
X[np.repeat(np.arange(m), np.diff(indptr)), indices] = 1.0
times = []
for _ in range(rounds):
    t0 = time.perf_counter()
    G = X.T @ X
    G[np.diag_indices(n)] += lam
    P = np.linalg.inv(G)
    B = P / (-np.diag(P))
    B[np.diag_indices(n)] = 0.0
    times.append(time.perf_counter() - t0)
B[:8].astype(np.float32).tofile(d + '/b8.f32')
core = 'unknown'
for line in open('/proc/self/maps'):
    if 'openblas' in line.lower():
        try:
            lib = ctypes.CDLL(line.split()[-1]); lib.openblas_get_corename.restype = ctypes.c_char_p
            core = 'OpenBLAS ' + lib.openblas_get_corename().decode() + ', ' + str(lib.openblas_get_num_threads()) + ' threads'
        except Exception as e:
            core = 'OpenBLAS (' + str(e) + ')'
        break
print(json.dumps({'times': times, 'numpy': np.__version__, 'python': sys.executable, 'blas': core}))
`

/** A python3 that imports numpy, with numpy's major version, or null. */
function findNumpy(): { py: string; major: number } | null {
  for (const py of [process.env.SEGUE_NUMPY_PYTHON, '/usr/bin/python3', 'python3']) {
    if (!py) continue
    const r = spawnSync(py, ['-c', 'import numpy; print(numpy.__version__)'], { encoding: 'utf8' })
    if (r.status === 0) return { py, major: Number(r.stdout.split('.')[0]) }
  }
  return null
}

/**
 * The environment for NumPy: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are kept for an older OpenBLAS (Debian's
 * numpy 1.x), which they protect from wrong kernels, and unset for numpy 2's bundled current one, which they slow.
 */
function numpyEnv(major: number): { env: NodeJS.ProcessEnv; note: string } {
  const env = { ...process.env }
  if (major < 2) return { env, note: `OPENBLAS_CORETYPE=${env.OPENBLAS_CORETYPE ?? '(unset)'} kept (older OpenBLAS)` }
  delete env.OPENBLAS_CORETYPE
  delete env.OPENBLAS_L2_SIZE
  return { env, note: 'OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for it' }
}

async function easeRows(notes: Record<string, unknown>): Promise<Row[]> {
  const { data } = await loadListening()
  const kept = keptMatrix(data)
  const shape = `${kept.n} items x ${data.matrix.rows} users`
  notes.easeShape = `${shape}, ${kept.indices.length} pairs, minUsers ${EASE_MIN_USERS}, lambda ${EASE_LAMBDA}`
  let weights: Float32Array = new Float32Array(0)
  const ours = await timeRounds(ROUNDS, async () => {
    // maxItems above the 6,953 kept items, so the default cap (4,000 most used) does not shrink the measured problem.
    const model = new EaseRecommender({ minUsers: EASE_MIN_USERS, lambda: EASE_LAMBDA, maxItems: 10_000 })
    await model.fit(data)
    weights = model.save().blobs.weights as Float32Array
  })
  const rows: Row[] = [{ task: 'EASE fit (HetRec)', model: 'segue', detail: shape, value: +median(ours).toFixed(2), unit: 's' }]
  const found = findNumpy()
  if (!found) {
    notes.numpy = 'skipped: no python3 with numpy found (SEGUE_NUMPY_PYTHON, /usr/bin/python3, python3)'
    return rows
  }
  const dir = mkdtempSync(join(tmpdir(), 'segue-ease-bench-'))
  try {
    writeFileSync(join(dir, 'indptr.i32'), kept.indptr)
    writeFileSync(join(dir, 'indices.i32'), kept.indices)
    const { env, note } = numpyEnv(found.major)
    const r = spawnSync(found.py, ['-c', NUMPY_EASE, dir, String(data.matrix.rows), String(kept.n), String(EASE_LAMBDA), String(ROUNDS)], { encoding: 'utf8', env })
    if (r.status !== 0) throw new Error(`numpy reference failed: ${r.stderr}`)
    const np = JSON.parse(r.stdout) as { times: number[]; numpy: string; python: string; blas: string }
    notes.numpy = `numpy ${np.numpy} (${np.python}), ${np.blas}; ${note}`
    notes.easeMaxDifferenceFromNumpy = maxDifference(weights, new Float32Array(readFileSync(join(dir, 'b8.f32')).buffer.slice(0)), kept.n)
    const ref = median(np.times)
    rows[0].vsNumpy = +(median(ours) / ref).toFixed(2)
    rows.push({ task: 'EASE fit (HetRec)', model: 'numpy dense inv', detail: shape, value: +ref.toFixed(2), unit: 's', vsNumpy: 1 })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return rows
}

/** Largest |ours - numpy| over NumPy's first rows of B, relative to the largest weight there. */
function maxDifference(ours: Float32Array, theirs: Float32Array, n: number): string {
  let worst = 0
  let largest = 0
  for (let i = 0; i < theirs.length && i < ours.length; i++) {
    worst = Math.max(worst, Math.abs(ours[i] - theirs[i]))
    largest = Math.max(largest, Math.abs(theirs[i]))
  }
  return `${worst.toExponential(2)} (largest weight ${largest.toExponential(2)}, first ${theirs.length / n} rows)`
}

async function main(): Promise<void> {
  const notes: Record<string, unknown> = {
    rounds: ROUNDS,
    split: 'random 80/20 per listener, seed 42 (the CLI default); k = 10; metrics: every default one (AUC over all items included)',
    peakMb: 'maxRSS of a fresh process that loads HetRec and evaluates one model',
  }
  const rows = evaluateRows()
  rows.push(...(await easeRows(notes)))
  report('eval', rows, notes)
}

const i = process.argv.indexOf('--child')
if (i >= 0) await child(process.argv[i + 1], process.argv.includes('--full-lists'))
else await main()
