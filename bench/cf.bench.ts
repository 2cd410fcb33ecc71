// Collaborative-filtering training and serving speed on seeded synthetic listening data (power-law item
// popularity, bench/lib/synthetic-interactions.ts), 64 factors:
//   ALS seconds per iteration (3 CG steps), BPR samples per second, top-10 for every user with played items
//   left out (users per second);
// each on the WASM SIMD kernels and on the plain-TS kernels, in the same process. Rounds of the configurations
// alternate so drift in machine load hits them alike; figures are medians. The plain-TS serving baseline runs
// on a sample of users (it is ~50x slower) and is reported per user.
//
// Shapes: 50,000 x 20,000 x ~2,000,000 by default; 360,000 x 290,000 x ~16,000,000 as well with
// SEGUE_BENCH_LARGE=1, or alone with SEGUE_BENCH_LARGE=only (results then go to bench/results/cf-large.json).
// The large shape is opt-in: with its plain-TS baselines it runs ~10 minutes and uses a few GB. BENCH_ROUNDS sets rounds (default 3),
// BENCH_THREADS the threads (default 2).
//
// The large shape also times a whole ALS fit as a user makes it, with `implicit`'s settings (factors 64,
// regularization 0.01, linear confidence alpha 1, 15 iterations of 3 CG steps, 2 threads): from raw events
// (string ids, shuffled like a log) through buildInteractions (id maps, CSR) and fit's setup (transpose,
// confidence, initial factors) to each iteration, with wall and CPU seconds and memory per step
// (bench/lib/als-whole-fit.ts). SEGUE_BENCH_CF=whole-fit runs only that.
import { AlsRecommender } from '../src/models/als/als.js'
import { BprRecommender } from '../src/models/bpr/bpr.js'
import { nnz } from '../src/core/csr.js'
import type { Interactions } from '../src/data/interactions.js'
import { median, report, timeRounds, type Row } from './lib/report.js'
import { syntheticInteractions, type SyntheticShape } from './lib/synthetic-interactions.js'
import { wholeFit } from './lib/als-whole-fit.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const THREADS = Number(process.env.BENCH_THREADS ?? 2)
const FACTORS = 64
/** Users the plain-TS serving baseline scores (all users would take minutes). */
const TS_SERVE_USERS = 2000

const LARGE = process.env.SEGUE_BENCH_LARGE ?? ''
const ONLY_WHOLE_FIT = process.env.SEGUE_BENCH_CF === 'whole-fit'
const SHAPES: (SyntheticShape & { name: string })[] = [
  ...(LARGE === 'only' ? [] : [{ name: '50k x 20k x 2M', users: 50_000, items: 20_000, interactions: 2_000_000, seed: 1 }]),
  ...(LARGE === '1' || LARGE === 'only' ? [{ name: '360k x 290k x 17M', users: 360_000, items: 290_000, interactions: 17_000_000, seed: 2 }] : []),
]

async function main(): Promise<void> {
  const rows: Row[] = []
  const notes: Record<string, unknown> = { rounds: ROUNDS, threads: THREADS, factors: FACTORS }
  for (const shape of SHAPES) {
    if (LARGE && shape.users > 100_000) {
      const whole = await wholeFit(shape, shape.name, THREADS)
      rows.push(...whole.rows)
      notes[`${shape.name} whole fit`] = whole.notes
    }
    if (ONLY_WHOLE_FIT) continue
    const t0 = performance.now()
    const data = syntheticInteractions(shape)
    notes[`${shape.name} build seconds`] = +((performance.now() - t0) / 1000).toFixed(2)
    notes[`${shape.name} interactions`] = nnz(data.matrix)
    rows.push(...(await alsRows(shape.name, data)))
    rows.push(...(await bprRows(shape.name, data)))
    rows.push(...(await serveRows(shape.name, data)))
  }
  report(ONLY_WHOLE_FIT ? 'cf-large-whole-fit' : LARGE === 'only' ? 'cf-large' : 'cf', rows, notes)
}

/** Seconds per ALS iteration on both backends, after a setup fit of zero iterations and one warm-up. */
async function alsRows(shape: string, data: Interactions): Promise<Row[]> {
  const models = { wasm: new AlsRecommender({ factors: FACTORS, iterations: 0, threads: THREADS, backend: 'wasm' }), ts: new AlsRecommender({ factors: FACTORS, iterations: 0, threads: THREADS, backend: 'ts' }) }
  const times: Record<string, number[]> = { wasm: [], ts: [] }
  for (const [name, m] of Object.entries(models)) {
    await m.fit(data, { seed: 1 })
    await m.iterate()
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, m] of Object.entries(models)) times[name].push(...(await timeRounds(1, () => m.iterate())))
  }
  await Promise.all(Object.values(models).map((m) => m.dispose()))
  const base = median(times.ts)
  return Object.entries(times).map(([name, t]) => ({
    shape, task: 'ALS s/iteration', backend: name, threads: THREADS, value: +median(t).toFixed(3), unit: 's', vsTs: +(base / median(t)).toFixed(2),
  }))
}

/** BPR samples per second: a fit of E epochs minus a fit of none (setup), E x nnz samples. */
async function bprRows(shape: string, data: Interactions): Promise<Row[]> {
  const epochs = 2
  const configs = [
    { name: 'ts hogwild', backend: 'ts' as const, threads: THREADS },
    { name: 'ts', backend: 'ts' as const, threads: 1 },
    { name: 'wasm', backend: 'wasm' as const, threads: 1 },
    { name: 'wasm hogwild', backend: 'wasm' as const, threads: THREADS },
  ]
  const rates: Record<string, number[]> = {}
  for (let r = 0; r < ROUNDS; r++) {
    for (const c of configs) {
      const setup = new BprRecommender({ factors: FACTORS, epochs: 0, backend: c.backend, threads: c.threads })
      const [s0] = await timeRounds(1, () => setup.fit(data, { seed: r }))
      const model = new BprRecommender({ factors: FACTORS, epochs, backend: c.backend, threads: c.threads })
      const [s1] = await timeRounds(1, () => model.fit(data, { seed: r }))
      await model.dispose()
      ;(rates[c.name] ??= []).push((epochs * nnz(data.matrix)) / Math.max(1e-9, s1 - s0))
    }
  }
  const base = median(rates.ts)
  return configs.map((c) => ({
    shape, task: 'BPR samples/s', backend: c.name, threads: c.threads, value: Math.round(median(rates[c.name])), unit: 'samples/s', vsTs: +(median(rates[c.name]) / base).toFixed(2),
  }))
}

/** Top-10 for every user, played items left out: users per second (plain TS on a sample of users). */
async function serveRows(shape: string, data: Interactions): Promise<Row[]> {
  // Trained fully (implicit's 15 iterations): how far the norm-ordered scan prunes depends on trained factors.
  const fitOpts = { factors: FACTORS, iterations: 15, threads: THREADS }
  const wasm = new AlsRecommender({ ...fitOpts, backend: 'wasm' })
  await wasm.fit(data, { seed: 1 })
  const ts = AlsRecommender.load(wasm.save(), { backend: 'ts', threads: THREADS })
  const all = Array.from({ length: data.matrix.rows }, (_, u) => u)
  const sample = all.slice(0, Math.min(all.length, TS_SERVE_USERS * 2)).filter((u) => u % 2 === 0)
  const rates: Record<string, number[]> = { wasm: [], ts: [] }
  await wasm.recommendMany(all.slice(0, 4096))
  for (let r = 0; r < ROUNDS; r++) {
    const [tw] = await timeRounds(1, () => wasm.recommendMany(all, { n: 10 }))
    rates.wasm.push(all.length / tw)
    const [tt] = await timeRounds(1, () => ts.recommendMany(sample, { n: 10 }))
    rates.ts.push(sample.length / tt)
  }
  await wasm.dispose()
  await ts.dispose()
  const base = median(rates.ts)
  return [
    { shape, task: 'top-10 all users', backend: 'wasm', threads: THREADS, value: Math.round(median(rates.wasm)), unit: 'users/s', vsTs: +(median(rates.wasm) / base).toFixed(2) },
    { shape, task: `top-10 ${sample.length} users`, backend: 'ts', threads: THREADS, value: Math.round(base), unit: 'users/s', vsTs: 1 },
  ]
}

await main()
