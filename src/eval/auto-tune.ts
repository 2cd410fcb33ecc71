import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { writeFileAtomic } from '../core/artifact.js'
import { SegueError, isSegueError } from '../core/errors.js'
import type { Interactions } from '../data/interactions.js'
import { createModel, type ModelName } from '../models/registry.js'
import { evaluate, type EvaluateOptions } from './evaluate.js'
import { LOWER_IS_BETTER, type MetricName } from './metric-names.js'
import { validationSplit, type ValidationOptions } from './splits.js'
import { randomPoints, type ParamSpace, type Params } from './tune.js'

/**
 * The models `tune --auto` searches, cheapest first (a HetRec fit takes well under a second for the first three
 * and seconds for the rest), so a small budget still compares the quick ones. SVD joins only on ratings.
 */
export const AUTO_MODELS: readonly ModelName[] = ['popularity', 'user-knn', 'item-knn', 'ease', 'als', 'bpr']

/**
 * Per-model search spaces around the documented defaults (which are always tried first, as one trial each):
 * the values where a parameter has mattered on HetRec, MovieLens or the playlist sample, not every legal value.
 */
export const AUTO_SPACES: Partial<Record<ModelName, ParamSpace>> = {
  'user-knn': { k: [10, 20, 50, 100, 200], scale: ['log1p', 'binary', 'raw'] },
  'item-knn': { weighting: ['auto', 'cosine', 'tfidf', 'bm25'], k: [20, 50, 100, 200], k1: [1.2, 10, 100], b: [0.5, 0.8, 1] },
  ease: { lambda: [50, 100, 200, 500, 1000], minUsers: [2, 3, 5] },
  als: { factors: [32, 64, 128], regularization: [0.1, 1, 10, 50, 100], alpha: [1, 2, 5, 10], confidence: ['log', 'linear'] },
  bpr: { factors: [32, 64, 128], learningRate: [0.01, 0.05, 0.1], regularization: [0.001, 0.01, 0.1], epochs: [100, 300] },
  svd: { factors: [20, 50, 100], learningRate: [0.005, 0.01], regularization: [0.02, 0.05, 0.1] },
}

/** Random points drawn per model: more than any budget here reaches, so the budget is what stops the search. */
const POINTS_PER_MODEL = 40

export interface AutoTuneOptions {
  /** Wall-clock budget for all trials, in seconds. A trial still running at the deadline is aborted and dropped. */
  budgetSeconds: number
  /** The metric that picks the winner (default 'ndcg'). */
  metric?: MetricName
  /** List length (default 10). */
  k?: number
  /** Seeds the validation split, the random search and every fit (default 0). */
  seed?: number
  /** Models to consider (default AUTO_MODELS, plus svd on explicit data), tried in this order. */
  models?: readonly ModelName[]
  validation?: ValidationOptions
  /** Worker threads for each fit (default: the model's own default). */
  threads?: number
  /** Aborts the search (E_INTERRUPTED): Ctrl-C in the CLI. */
  signal?: AbortSignal
  /** After each trial: the trial, and seconds spent so far. */
  onTrial?: (trial: AutoTrial, elapsedSeconds: number) => void
}

export interface AutoTrial {
  model: ModelName
  /** {} for the model's defaults. */
  params: Params
  /** The metric on the validation part; NaN when the trial failed. */
  score: number
  seconds: number
  /** Why the trial failed (bad parameters for this data, NaN loss, ...); absent when it succeeded. */
  error?: string
}

export interface AutoTuneResult {
  metric: MetricName
  k: number
  trials: AutoTrial[]
  best: AutoTrial
  budgetSeconds: number
  seconds: number
  /** Candidates never run because the budget ran out (or a model's trials were expected to overrun it). */
  untried: number
}

/**
 * Model selection and hyper-parameter search within a time budget (what Gorse calls AutoML): every model's
 * defaults first, cheapest model first, then a random search that takes one new point from each model's space
 * in turn. A model whose last trial took longer than the time left is not started again, and the trial running
 * at the deadline is aborted and dropped, so the search ends within the budget (plus one trial's scoring). The
 * very first trial (popularity, by default) always completes, so there is a winner however small the budget.
 * Trials fit on the training part of a validation split carved from `train` and are scored on its validation
 * part: pass the training part of a held-out split, and the test part never influences the choice.
 */
export async function autoTune(train: Interactions, opts: AutoTuneOptions): Promise<AutoTuneResult> {
  if (!(opts.budgetSeconds > 0)) throw new SegueError('E_BAD_ARGUMENT', `the budget must be a positive number of seconds, got ${opts.budgetSeconds}`)
  const started = performance.now()
  const elapsed = () => (performance.now() - started) / 1000
  const metric = opts.metric ?? 'ndcg'
  const k = opts.k ?? 10
  const seed = opts.seed ?? 0
  const split = validationSplit(train, { seed, ...opts.validation })
  const evalOpts: Omit<EvaluateOptions, 'fit'> = { k, metrics: [metric] }
  const lastSeconds = new Map<ModelName, number>()
  const trials: AutoTrial[] = []
  const queue = candidates(modelsFor(train, opts.models), seed)
  let next = 0
  for (; next < queue.length; next++) {
    if (opts.signal?.aborted) throw interrupted(trials.length)
    const { model, params } = queue[next]
    // The first candidate (popularity, the cheapest) always runs to the end, so even a tiny budget has a winner.
    const left = next === 0 ? Infinity : opts.budgetSeconds - elapsed()
    if (left <= 0) break
    if ((lastSeconds.get(model) ?? 0) > left) continue
    const trial = await runTrial(model, params, split, evalOpts, { seed, threads: opts.threads, signal: opts.signal, left })
    if (!trial) break
    lastSeconds.set(model, trial.seconds)
    trials.push(trial)
    opts.onTrial?.(trial, elapsed())
  }
  return { metric, k, trials, best: bestTrial(trials, metric), budgetSeconds: opts.budgetSeconds, seconds: elapsed(), untried: queue.length - next }
}

/** SVD predicts ratings: it is searched only on explicit data, where ranking by predicted rating means something. */
function modelsFor(train: Interactions, given: readonly ModelName[] | undefined): readonly ModelName[] {
  if (given) return given
  return train.kind === 'explicit' ? [...AUTO_MODELS, 'svd'] : AUTO_MODELS
}

/** Every model's defaults in the given order, then random points of each space, one model at a time in turn. */
function candidates(models: readonly ModelName[], seed: number): { model: ModelName; params: Params }[] {
  const out = models.map((model) => ({ model, params: {} as Params }))
  const points = models.map((model) => {
    const space = AUTO_SPACES[model]
    return space ? randomPoints(space, POINTS_PER_MODEL, seed) : []
  })
  for (let round = 0; round < POINTS_PER_MODEL; round++) {
    models.forEach((model, m) => {
      if (round < points[m].length) out.push({ model, params: points[m][round] })
    })
  }
  return out
}

interface TrialContext {
  seed: number
  threads?: number
  signal?: AbortSignal
  /** Seconds left in the budget: the trial is aborted when they run out. */
  left: number
}

/** One trial; undefined when the budget ran out during it. A user's abort is rethrown as E_INTERRUPTED. */
async function runTrial(model: ModelName, params: Params, split: ReturnType<typeof validationSplit>, evalOpts: Omit<EvaluateOptions, 'fit'>, ctx: TrialContext): Promise<AutoTrial | undefined> {
  const deadline = Number.isFinite(ctx.left) ? AbortSignal.timeout(Math.max(1, Math.ceil(ctx.left * 1000))) : new AbortController().signal
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, deadline]) : deadline
  const t0 = performance.now()
  const seconds = () => (performance.now() - t0) / 1000
  try {
    const result = await evaluate(createModel(model, params), split, { ...evalOpts, fit: { seed: ctx.seed, threads: ctx.threads, signal } })
    if (deadline.aborted) return undefined
    return { model, params, score: result.overall.metrics[evalOpts.metrics![0]] ?? NaN, seconds: seconds() }
  } catch (err) {
    if (ctx.signal?.aborted) throw interrupted(0)
    if (deadline.aborted) return undefined
    if (!isSegueError(err)) throw err
    return { model, params, score: NaN, seconds: seconds(), error: err.message }
  }
}

function interrupted(done: number): SegueError {
  return new SegueError('E_INTERRUPTED', `tune --auto interrupted${done > 0 ? ` after ${done} trials` : ''}; nothing was saved`)
}

function bestTrial(trials: readonly AutoTrial[], metric: MetricName): AutoTrial {
  const sign = LOWER_IS_BETTER.has(metric) ? -1 : 1
  let best: AutoTrial | undefined
  for (const t of trials) if (!Number.isNaN(t.score) && (!best || sign * t.score > sign * best.score)) best = t
  if (!best) throw new SegueError('E_BAD_ARGUMENT', `no trial finished within the budget with a value for '${metric}'; give a larger --budget`)
  return best
}

// ---- the saved winner, which `serve` uses ----

/** What `tune --auto` leaves in <home>/models for `serve`: the winning model, its parameters, and the data it won on. */
export interface AutoWinner {
  model: ModelName
  params: Params
  metric: MetricName
  k: number
  /** The winner's metric on the validation part. */
  score: number
  /** The listening data the search ran on (dataKey of src/listening/trained.ts): serve uses the winner only for it. */
  dataKey: string
  source: string
  trials: number
  savedAt: string
}

export const AUTO_WINNER_FILE = 'auto-tuned.json'

export function autoWinnerPath(home: string): string {
  return join(home, 'models', AUTO_WINNER_FILE)
}

/** Written atomically, and only after the winner's model artifact: an interrupted run leaves the old winner. */
export function saveAutoWinner(home: string, winner: AutoWinner): void {
  writeFileAtomic(autoWinnerPath(home), new TextEncoder().encode(JSON.stringify(winner, null, 2) + '\n'))
}

/** The saved winner for data with this key, else null (none saved, saved for other data, or unreadable: `warn` says). */
export function readAutoWinner(home: string, dataKey: string, warn?: (m: string) => void): AutoWinner | null {
  const path = autoWinnerPath(home)
  if (!existsSync(path)) return null
  try {
    const w = JSON.parse(readFileSync(path, 'utf8')) as AutoWinner
    if (typeof w.model !== 'string' || typeof w.params !== 'object' || w.params === null) throw new Error('model or params missing')
    return w.dataKey === dataKey ? w : null
  } catch (err) {
    warn?.(`${path}: not a readable tune --auto result (${(err as Error).message}); using the default model`)
    return null
  }
}
