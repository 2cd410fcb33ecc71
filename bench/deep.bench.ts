// Deep-learning speed on this machine (`npm run bench -- deep`).
// 1. Matmul: TensorFlow.js's backend (WASM SIMD, one thread, as segue trains) on n x n float32 products, n = 256,
//    512, 1024, beside NumPy's BLAS on one thread (OPENBLAS_NUM_THREADS=1; python3 with numpy, else skipped
//    with the reason). GFLOP/s = 2 n^3 / seconds, median of BENCH_ROUNDS rounds (default 5).
// 2. Autoencoder training throughput (samples/s): segue's autoencoder (255 -> 128 -> 32 -> 128 -> 255, ReLU,
//    MSE, Adam with global-norm clipping 5, batch 256) through the shared loop (fitModel) on 16,384 seeded
//    Gaussian rows, against the same network, optimizer, clipping and batch size in PyTorch (Debian's
//    python3-torch at /usr/bin/python3; skipped with the reason when torch is absent) on 1 thread (segue's
//    count) and on 2 threads (every core here). Rounds interleave the three; each round is 2 epochs; the median
//    epoch rate is reported, with ratio = PyTorch samples/s / segue samples/s (how many times longer segue takes).
// 3. Neural-hybrid training throughput (lists/s) against the same network in PyTorch on 1 thread: see
//    bench/lib/neural-hybrid-torch.ts for the shapes; skipped with the reason when torch is absent.
// 4. The registered neural-hybrid's re-ranker training throughput (lists/s, trainScorer itself) against the same
//    network in PyTorch on 1 thread: see bench/lib/neural-hybrid-rerank-torch.ts. BENCH_DEEP_ONLY=rerank runs only
//    this row (results: bench/results/deep-rerank.json).
import { spawnSync } from 'node:child_process'
import { loadavg } from 'node:os'
import * as tf from '@tensorflow/tfjs-core'
import { describeBackend, initBackend } from '../src/deep/backend.js'
import { AutoencoderNet } from '../src/deep/autoencoder/model.js'
import { fitModel, shuffledBatches } from '../src/deep/trainer.js'
import { Rng } from '../src/core/rng.js'
import { median, report, type Row } from './lib/report.js'
import { neuralHybridRows } from './lib/neural-hybrid-torch.js'
import { rerankRows } from './lib/neural-hybrid-rerank-torch.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const SIZES = [256, 512, 1024]
const AE = { inputDims: 255, hidden: 128, dim: 32, batchSize: 256, rows: 16_384, epochs: 2, learningRate: 1e-3, clipNorm: 5 }
const NUMPY_PYTHON = process.env.SEGUE_NUMPY_PYTHON ?? 'python3'
const TORCH_PYTHON = process.env.SEGUE_TORCH_PYTHON ?? '/usr/bin/python3'

function tfjsMatmul(n: number): number {
  const rng = new Rng(n)
  const a = tf.tensor2d(Float32Array.from({ length: n * n }, () => rng.normal()), [n, n])
  const b = tf.tensor2d(Float32Array.from({ length: n * n }, () => rng.normal()), [n, n])
  const once = () => tf.tidy(() => tf.matMul(a, b).dataSync()[0])
  once()
  const reps = Math.max(1, Math.round(2e9 / (2 * n ** 3))) // about 2 GFLOP of work per round
  const rounds: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now()
    for (let i = 0; i < reps; i++) once()
    rounds.push((2 * n ** 3 * reps) / ((performance.now() - t0) / 1000) / 1e9)
  }
  tf.dispose([a, b])
  return median(rounds)
}

const NUMPY_MATMUL = `
import json, sys, time, numpy as np
out = {}
for n in [int(x) for x in sys.argv[2].split(',')]:
    rng = np.random.default_rng(n)
    a = rng.standard_normal((n, n), dtype=np.float32); b = rng.standard_normal((n, n), dtype=np.float32)
    a @ b
    reps = max(1, round(2e9 / (2 * n ** 3)))
    rates = []
    for r in range(int(sys.argv[1])):
        t = time.perf_counter()
        for i in range(reps): a @ b
        rates.append(2 * n ** 3 * reps / (time.perf_counter() - t) / 1e9)
    out[n] = sorted(rates)[len(rates) // 2]
print(json.dumps(out))
`

function python(exe: string, code: string, args: string[], env: NodeJS.ProcessEnv = {}): { ok: true; value: any } | { ok: false; reason: string } {
  const r = spawnSync(exe, ['-c', code, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 20 })
  if (r.error) return { ok: false, reason: `${exe}: ${r.error.message}` }
  if (r.status !== 0) return { ok: false, reason: `${exe}: ${(r.stderr || '').trim().split('\n').pop()}` }
  return { ok: true, value: JSON.parse(r.stdout.trim().split('\n').pop()!) }
}

const TORCH_AE = `
import json, sys, time
import torch
from torch import nn
threads, rows, d, h, e, batch, epochs, lr, clip = int(sys.argv[1]), *map(int, sys.argv[2:8]), float(sys.argv[8]), float(sys.argv[9])
torch.manual_seed(42); torch.set_num_threads(threads)
x = torch.randn(rows, d)
model = nn.Sequential(nn.Linear(d, h), nn.ReLU(), nn.Linear(h, e), nn.Linear(e, h), nn.ReLU(), nn.Linear(h, d))
opt = torch.optim.Adam(model.parameters(), lr=lr, eps=1e-7)
loss_fn = nn.MSELoss()
rates = []
for epoch in range(epochs):
    t = time.perf_counter()
    perm = torch.randperm(rows)
    for s in range(0, rows, batch):
        xb = x[perm[s:s + batch]]
        opt.zero_grad()
        loss = loss_fn(model(xb), xb)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        loss.item()
    rates.append(rows / (time.perf_counter() - t))
print(json.dumps({"rates": rates, "version": torch.__version__}))
`

function torchAutoencoder(threads: number): { ok: true; value: { rates: number[]; version: string } } | { ok: false; reason: string } {
  const args = [threads, AE.rows, AE.inputDims, AE.hidden, AE.dim, AE.batchSize, AE.epochs, AE.learningRate, AE.clipNorm].map(String)
  return python(TORCH_PYTHON, TORCH_AE, args, { OMP_NUM_THREADS: String(threads) })
}

/** Per-epoch samples/s of segue's autoencoder through fitModel (validation is a constant: only training is timed). */
async function segueAutoencoder(data: Float32Array): Promise<number[]> {
  const net = AutoencoderNet.create(AE.inputDims, { hidden: AE.hidden, dim: AE.dim, seed: 42 })
  const batch = (idx: Int32Array) => {
    const out = new Float32Array(idx.length * AE.inputDims)
    idx.forEach((r, i) => out.set(data.subarray(r * AE.inputDims, (r + 1) * AE.inputDims), i * AE.inputDims))
    return tf.tensor2d(out, [idx.length, AE.inputDims])
  }
  const res = await fitModel({
    name: 'bench',
    model: { variables: () => net.weights, loss: (idx: Int32Array) => net.loss(batch(idx)), validate: () => ({ loss: 1 }) },
    batches: (e) => shuffledBatches(AE.rows, AE.batchSize, 42, e),
    samplesOf: (idx) => idx.length,
    options: { epochs: AE.epochs, learningRate: AE.learningRate, clipNorm: AE.clipNorm, seed: 42, patience: false, plateau: false, progress: false },
  })
  net.dispose()
  return res.history.map((h) => h.samplesPerSec)
}

async function main(): Promise<void> {
  const backend = await initBackend()
  const skipped: Record<string, string> = {}
  if (process.env.BENCH_DEEP_ONLY === 'rerank') {
    const only = await rerankRows(TORCH_PYTHON, Math.min(ROUNDS, 3), skipped)
    return report('deep-rerank', only, { backend: describeBackend(backend), rounds: Math.min(ROUNDS, 3), loadavg: loadavg().map((x) => round(x)), skipped, note: 'ratio = reference / segue' })
  }
  const rows: Row[] = []

  const numpy = python(NUMPY_PYTHON, NUMPY_MATMUL, [String(ROUNDS), SIZES.join(',')], { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' })
  if (!numpy.ok) skipped.numpy = numpy.reason
  for (const n of SIZES) {
    const ours = tfjsMatmul(n)
    const blas = numpy.ok ? numpy.value[n] : null
    rows.push({ case: `matmul ${n}x${n}`, segue: round(ours), reference: blas === null ? null : round(blas), unit: 'GFLOP/s', ratio: blas === null ? null : round(blas / ours) })
  }

  const rng = new Rng(7)
  const data = Float32Array.from({ length: AE.rows * AE.inputDims }, () => rng.normal())
  const ours: number[] = []
  const torch1: number[] = []
  const torch2: number[] = []
  let torchVersion = ''
  for (let r = 0; r < ROUNDS; r++) {
    ours.push(...(await segueAutoencoder(data)))
    for (const [threads, into] of [[1, torch1], [2, torch2]] as const) {
      const t = torchAutoencoder(threads)
      if (!t.ok) {
        skipped.torch = t.reason
        continue
      }
      into.push(...t.value.rates)
      torchVersion = t.value.version
    }
  }
  const mine = median(ours)
  for (const [threads, rates] of [[1, torch1], [2, torch2]] as const) {
    const ref = rates.length ? median(rates) : null
    rows.push({ case: `autoencoder training, PyTorch on ${threads} thread(s)`, segue: Math.round(mine), reference: ref === null ? null : Math.round(ref), unit: 'samples/s', ratio: ref === null ? null : round(ref / mine) })
  }
  rows.push(...(await neuralHybridRows(TORCH_PYTHON, Math.min(ROUNDS, 3), skipped)))
  rows.push(...(await rerankRows(TORCH_PYTHON, Math.min(ROUNDS, 3), skipped)))
  report('deep', rows, { backend: describeBackend(backend), torch: torchVersion || null, autoencoder: AE, rounds: ROUNDS, loadavg: loadavg().map((x) => round(x)), skipped, note: 'ratio = reference / segue: how many times faster the reference is' })
}

function round(x: number): number {
  return Number(x.toFixed(2))
}

await main()
