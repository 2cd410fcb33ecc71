import { SegueError } from '../core/errors.js'
import { Rng } from '../core/rng.js'
import type { Interactions } from '../data/interactions.js'
import type { Recommender } from '../models/types.js'
import { evaluate, type EvaluateOptions, type EvaluationResult } from './evaluate.js'
import { LOWER_IS_BETTER, type MetricName } from './metric-names.js'
import { validationSplit, type ValidationOptions } from './splits.js'

export type ParamValue = number | string | boolean
/** The values to try for each hyper-parameter, e.g. { factors: [16, 32], reg: [0.01, 0.1] }. */
export type ParamSpace = Record<string, readonly ParamValue[]>
export type Params = Record<string, ParamValue>

export interface TuneOptions {
  /** The metric that picks the winner; its direction comes from LOWER_IS_BETTER. */
  metric: MetricName
  k: number
  /** 'grid' tries every combination; 'random' tries `trials` distinct combinations drawn with `seed`. */
  strategy?: 'grid' | 'random'
  /** Random search only: how many combinations (default 10, capped at the grid size). */
  trials?: number
  /** Seeds the random search and, unless validation.seed is set, the validation split. */
  seed?: number
  /** How the validation set is carved from the training data (default: 20% random per-user holdout). */
  validation?: ValidationOptions
  /** Further evaluate() options; `metrics` defaults to just the tuning metric, to keep trials cheap. */
  evaluate?: Omit<EvaluateOptions, 'k' | 'segments'>
  /** Called after each trial, e.g. for a progress bar. */
  onTrial?: (trial: Trial, done: number, total: number) => void
}

export interface Trial {
  params: Params
  /** The tuning metric on the validation set; NaN when it could not be computed. */
  score: number
  result: EvaluationResult
}

export interface TuneResult {
  metric: MetricName
  trials: Trial[]
  best: Trial
}

/**
 * Hyper-parameter search. Each trial builds a fresh model with `factory(params)`, fits it on the training part
 * of a validation split carved from `train`, and scores it on the validation part. The test set is never
 * passed in, so it cannot influence the choice. Ties keep the earlier trial; NaN scores never win.
 */
export async function tune(factory: (params: Params) => Recommender, train: Interactions, space: ParamSpace, opts: TuneOptions): Promise<TuneResult> {
  const points = opts.strategy === 'random' ? randomPoints(space, opts.trials ?? 10, opts.seed ?? 0) : gridPoints(space)
  const split = validationSplit(train, { seed: opts.seed, ...opts.validation })
  const evalOpts: EvaluateOptions = { metrics: [opts.metric], ...opts.evaluate, k: opts.k }
  const trials: Trial[] = []
  for (const params of points) {
    const result = await evaluate(factory(params), split, evalOpts)
    const trial = { params, score: result.overall.metrics[opts.metric] ?? NaN, result }
    trials.push(trial)
    opts.onTrial?.(trial, trials.length, points.length)
  }
  return { metric: opts.metric, trials, best: bestTrial(trials, opts.metric) }
}

function bestTrial(trials: readonly Trial[], metric: MetricName): Trial {
  const sign = LOWER_IS_BETTER.has(metric) ? -1 : 1
  let best: Trial | undefined
  for (const t of trials) if (!Number.isNaN(t.score) && (!best || sign * t.score > sign * best.score)) best = t
  if (!best) throw new SegueError('E_BAD_ARGUMENT', `no trial produced a value for metric '${metric}'`)
  return best
}

/** Every combination, the last parameter varying fastest. */
export function gridPoints(space: ParamSpace): Params[] {
  return Array.from({ length: gridSize(space) }, (_, i) => pointAt(space, i))
}

/**
 * `trials` distinct combinations chosen uniformly from the grid, in draw order. Drawing grid indices without
 * replacement (rather than each parameter independently) never repeats a combination.
 */
export function randomPoints(space: ParamSpace, trials: number, seed: number): Params[] {
  const size = gridSize(space)
  const rng = new Rng(seed)
  const chosen = new Set<number>()
  while (chosen.size < Math.min(trials, size)) chosen.add(rng.int(size))
  return [...chosen].map((i) => pointAt(space, i))
}

function gridSize(space: ParamSpace): number {
  const names = Object.keys(space)
  if (names.length === 0) throw new SegueError('E_BAD_ARGUMENT', 'the parameter space is empty')
  for (const name of names) {
    if (space[name].length === 0) throw new SegueError('E_BAD_ARGUMENT', `parameter '${name}' has no values to try`)
  }
  return names.reduce((n, name) => n * space[name].length, 1)
}

/** The i-th grid combination, reading i as a mixed-radix number (one digit per parameter). */
function pointAt(space: ParamSpace, index: number): Params {
  const params: Params = {}
  const names = Object.keys(space)
  for (let j = names.length - 1; j >= 0; j--) {
    const values = space[names[j]]
    params[names[j]] = values[index % values.length]
    index = Math.floor(index / values.length)
  }
  return params
}
