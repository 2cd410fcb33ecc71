// The NumPy reference for EASE, run in a child python3 on the same binary matrix, the textbook way: dense X,
// G = XᵀX, λ added on the diagonal, P = np.linalg.inv(G), B = -P / diag(P), zero diagonal, with every core
// OpenBLAS uses. Timed twice per round: from X in memory to B (reading the matrix is left out), and from G in
// memory to B (the inverse alone, on the Gram matrix segue inverts too: XᵀX of a binary X is exact in f64).
// Shared by eval.bench.ts and ease.bench.ts.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const NUMPY_EASE = `
import sys, json, time, ctypes, numpy as np
d, m, n, lam, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
indptr = np.fromfile(d + '/indptr.i32', dtype=np.int32)
indices = np.fromfile(d + '/indices.i32', dtype=np.int32)
X = np.zeros((m, n))
X[np.repeat(np.arange(m), np.diff(indptr)), indices] = 1.0
times, cpu, inv_times, inv_cpu = [], [], [], []
for _ in range(rounds):
    t0, c0 = time.perf_counter(), time.process_time()
    G = X.T @ X
    G[np.diag_indices(n)] += lam
    t1, c1 = time.perf_counter(), time.process_time()
    P = np.linalg.inv(G)
    B = P / (-np.diag(P))
    B[np.diag_indices(n)] = 0.0
    t2, c2 = time.perf_counter(), time.process_time()
    times.append(t2 - t0)
    cpu.append(c2 - c0)
    inv_times.append(t2 - t1)
    inv_cpu.append(c2 - c1)
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
print(json.dumps({'times': times, 'cpu': cpu, 'invTimes': inv_times, 'invCpu': inv_cpu, 'numpy': np.__version__, 'python': sys.executable, 'blas': core}))
`

/** A binary matrix over kept items as CSR (rows x n), as the NumPy child reads it. */
export interface BinaryCsr {
  rows: number
  n: number
  indptr: Int32Array
  indices: Int32Array
}

export interface NumpyRun {
  /** Wall seconds per round, X in memory to B. */
  times: number[]
  /** CPU seconds per round (all OpenBLAS threads). */
  cpu: number[]
  /** The same for the part from G = XᵀX + λI in memory to B (inverse and closed form only). */
  invTimes: number[]
  invCpu: number[]
  /** The first 8 rows of B (f32). */
  firstRows: Float32Array
  /** numpy version, interpreter, OpenBLAS core and threads, and how OPENBLAS_* was set. */
  about: string
}

/** A python3 that imports numpy, with numpy's major version, or null (SEGUE_NUMPY_PYTHON, /usr/bin/python3, python3). */
export function findNumpy(): { py: string; major: number } | null {
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

/** Runs the NumPy reference `rounds` times on x with λ = lambda; null when no python3 with numpy is found. */
export function runNumpyEase(x: BinaryCsr, lambda: number, rounds: number): NumpyRun | null {
  const found = findNumpy()
  if (!found) return null
  const dir = mkdtempSync(join(tmpdir(), 'segue-ease-numpy-'))
  try {
    writeFileSync(join(dir, 'indptr.i32'), x.indptr)
    writeFileSync(join(dir, 'indices.i32'), x.indices)
    const { env, note } = numpyEnv(found.major)
    const r = spawnSync(found.py, ['-c', NUMPY_EASE, dir, String(x.rows), String(x.n), String(lambda), String(rounds)], { encoding: 'utf8', env, maxBuffer: 1 << 20 })
    if (r.status !== 0) throw new Error(`numpy reference failed: ${r.stderr}`)
    const np = JSON.parse(r.stdout) as { times: number[]; cpu: number[]; invTimes: number[]; invCpu: number[]; numpy: string; python: string; blas: string }
    const firstRows = new Float32Array(readFileSync(join(dir, 'b8.f32')).buffer.slice(0))
    return { times: np.times, cpu: np.cpu, invTimes: np.invTimes, invCpu: np.invCpu, firstRows, about: `numpy ${np.numpy} (${np.python}), ${np.blas}; ${note}` }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Largest |ours - numpy| over NumPy's first rows of B, relative to the largest weight there. */
export function maxDifference(ours: Float32Array, theirs: Float32Array, n: number): string {
  let worst = 0
  let largest = 0
  for (let i = 0; i < theirs.length && i < ours.length; i++) {
    worst = Math.max(worst, Math.abs(ours[i] - theirs[i]))
    largest = Math.max(largest, Math.abs(theirs[i]))
  }
  return `${worst.toExponential(2)} (largest weight ${largest.toExponential(2)}, first ${theirs.length / n} rows)`
}
