// Evaluation and EASE on the bundled HetRec Last.fm 2K (1,892 listeners, 17,632 artists, 92,834 pairs).
//
// 1. `evaluate` with the default metric set (AUC over the whole catalogue included), k = 10, on the CLI's default
//    split (random 80/20 per listener, seed 42), for popularity and ALS: seconds (fit included) and the peak
//    resident memory of a fresh process that loads HetRec and evaluates (each round runs in a child process
//    of this script, so peaks do not mix). The old way, full 17,632-item lists for AUC, runs only with
//    BENCH_EVAL_FULL_LISTS=1 (about a minute and 2.6 GB).
// 1b. The whole `segue evaluate --models <m>` command as a user runs it, a fresh process of dist/src/cli/main.js:
//    wall seconds, CPU seconds (all threads) and peak RSS from GNU time (/usr/bin/time; wall only without it).
//    'first use' is a fresh home (HetRec parsed, then saved as the home's listening artifact); 'saved' is the
//    next run in that home, which loads the artifact. Also the default model set (no --models), saved. Needs
//    `npm run build` (npm run bench builds first).
// 2. EASE fit on all of HetRec with minUsers 2 (6,953 items x 1,892 users: the Woodbury path), beside the NumPy
//    reference of bench/lib/numpy-ease.ts (dense X, G = XᵀX, λ = 200, np.linalg.inv, B = -P / diag(P), timed
//    from X in memory to B, all cores; skipped, and said so, when no python3 with numpy is found). segue's
//    largest weight difference from NumPy's B is reported too. The direct inverse (users outnumber items) is
//    timed against NumPy by bench/ease.bench.ts. BENCH_ROUNDS sets rounds (default 3).
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { packageRoot } from '../src/core/paths.js'
import { evaluate } from '../src/eval/evaluate.js'
import { randomHoldout } from '../src/eval/splits.js'
import { loadListening } from '../src/listening/source.js'
import { AlsRecommender } from '../src/models/als/als.js'
import { EaseRecommender } from '../src/models/ease/ease.js'
import { PopularityRecommender } from '../src/models/popularity/popularity.js'
import { itemPopularity } from '../src/models/shared/popularity-vector.js'
import type { Recommender } from '../src/models/types.js'
import type { Interactions } from '../src/data/interactions.js'
import { maxDifference, runNumpyEase } from './lib/numpy-ease.js'
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

const CLI = process.env.BENCH_CLI ?? join(packageRoot(), 'dist', 'src', 'cli', 'main.js')
/** GNU time: a child's CPU (user + system, every thread) and peak RSS, which Node cannot read of a child. */
const GNU_TIME = '/usr/bin/time'

interface CommandRun {
  wall: number
  cpu: number | null
  peakMb: number | null
}

/** One `segue evaluate` in a fresh process; `models` empty runs the default set. */
function runCommand(home: string, models: string[]): CommandRun {
  const args = [CLI, '--no-progress', '--home', home, 'evaluate', ...(models.length ? ['--models', ...models] : []), '--out', join(home, 'report.json')]
  const timed = existsSync(GNU_TIME)
  const started = performance.now()
  const r = timed
    ? spawnSync(GNU_TIME, ['-f', 'bench-time %e %U %S %M', process.execPath, ...args], { encoding: 'utf8' })
    : spawnSync(process.execPath, args, { encoding: 'utf8' })
  const wall = (performance.now() - started) / 1000
  if (r.status !== 0) throw new Error(`segue evaluate ${models.join(' ')} failed: ${r.stderr}`)
  const t = /bench-time [\d.]+ ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr)
  return { wall, cpu: t ? Number(t[1]) + Number(t[2]) : null, peakMb: t ? Number(t[3]) / 1024 : null }
}

const medianOrNull = (xs: (number | null)[]) => (xs.some((x) => x === null) ? null : median(xs as number[]))

function commandRow(detail: string, model: string, runs: CommandRun[]): Row {
  const cpu = medianOrNull(runs.map((r) => r.cpu))
  const peak = medianOrNull(runs.map((r) => r.peakMb))
  return {
    task: 'segue evaluate command (HetRec)', model, detail, value: +median(runs.map((r) => r.wall)).toFixed(2), unit: 's',
    cpuSeconds: cpu === null ? null : +cpu.toFixed(2), peakMb: peak === null ? null : Math.round(peak),
  }
}

/** The whole command per model: first use in a fresh home, then the next run in that home; then the default set there. */
function commandRows(): Row[] {
  const runs = { first: new Map<string, CommandRun[]>(), saved: new Map<string, CommandRun[]>() }
  const add = (to: Map<string, CommandRun[]>, model: string, run: CommandRun) => to.set(model, [...(to.get(model) ?? []), run])
  for (let r = 0; r < ROUNDS; r++) {
    const root = mkdtempSync(join(tmpdir(), 'segue-bench-eval-'))
    try {
      let home = root
      for (const model of ['popularity', 'als']) {
        home = mkdtempSync(join(root, `${model}-`))
        add(runs.first, model, runCommand(home, [model]))
        add(runs.saved, model, runCommand(home, [model]))
      }
      add(runs.saved, '', runCommand(home, []))
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  }
  return [
    ...[...runs.first].map(([model, rs]) => commandRow('first use: fresh home, HetRec parsed and saved', model, rs)),
    ...[...runs.saved].map(([model, rs]) => commandRow('listening data saved in the home', model || 'default set (popularity, item-knn, als)', rs)),
  ]
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
  const np = runNumpyEase({ rows: data.matrix.rows, n: kept.n, indptr: kept.indptr, indices: kept.indices }, EASE_LAMBDA, ROUNDS)
  if (!np) {
    notes.numpy = 'skipped: no python3 with numpy found (SEGUE_NUMPY_PYTHON, /usr/bin/python3, python3)'
    return rows
  }
  notes.numpy = np.about
  notes.easeMaxDifferenceFromNumpy = maxDifference(weights, np.firstRows, kept.n)
  const ref = median(np.times)
  rows[0].vsNumpy = +(median(ours) / ref).toFixed(2)
  rows.push({ task: 'EASE fit (HetRec)', model: 'numpy dense inv', detail: shape, value: +ref.toFixed(2), unit: 's', vsNumpy: 1 })
  return rows
}

async function main(): Promise<void> {
  const notes: Record<string, unknown> = {
    rounds: ROUNDS,
    split: 'random 80/20 per listener, seed 42 (the CLI default); k = 10; metrics: every default one (AUC over all items included)',
    peakMb: 'maxRSS of a fresh process that loads HetRec and evaluates one model',
  }
  notes.loadAverageBefore = loadavg().map((x) => +x.toFixed(2))
  // BENCH_EVAL_COMMAND_ONLY=1: only the whole-command rows, saved apart (bench/results/eval-command.json).
  const commandOnly = process.env.BENCH_EVAL_COMMAND_ONLY === '1'
  const rows = commandOnly ? [] : evaluateRows()
  rows.push(...commandRows())
  notes.commandCpu = existsSync(GNU_TIME) ? 'GNU time: user + system seconds of the whole process, every thread' : 'no /usr/bin/time: wall only'
  if (!commandOnly) rows.push(...(await easeRows(notes)))
  notes.loadAverageAfter = loadavg().map((x) => +x.toFixed(2))
  report(commandOnly ? 'eval-command' : 'eval', rows, notes)
}

const i = process.argv.indexOf('--child')
if (i >= 0) await child(process.argv[i + 1], process.argv.includes('--full-lists'))
else await main()
