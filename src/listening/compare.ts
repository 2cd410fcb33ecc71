import { SegueError, assertUnreachable } from '../core/errors.js'
import type { Interactions } from '../data/interactions.js'
import { evaluate, type EvaluateOptions, type EvaluationResult } from '../eval/evaluate.js'
import { kFold, leaveLastOut, randomHoldout, temporalSplit, type Split } from '../eval/splits.js'
import { createModel } from '../models/registry.js'

export type SplitKind = 'random' | 'last' | 'temporal' | 'kfold'
export const SPLIT_KINDS: readonly SplitKind[] = ['random', 'last', 'temporal', 'kfold']

export interface SplitSpec {
  kind: SplitKind
  /** random: share of each user's interactions held out (default 0.2); temporal: quantile of time (default 0.8). */
  fraction?: number
  /** kfold: number of folds (default 5). */
  folds?: number
  seed?: number
}

export interface ModelSpec {
  name: string
  params?: Record<string, unknown>
}

export function makeSplits(data: Interactions, spec: SplitSpec): Split[] {
  const seed = spec.seed ?? 42
  switch (spec.kind) {
    case 'random':
      return [randomHoldout(data, { fraction: spec.fraction ?? 0.2, seed })]
    case 'last':
      return [leaveLastOut(data)]
    case 'temporal':
      return [temporalSplit(data, { quantile: spec.fraction ?? 0.8 })]
    case 'kfold':
      return kFold(data, spec.folds ?? 5, { seed })
    default:
      return assertUnreachable(spec.kind)
  }
}

/**
 * Evaluates each model on the same split(s). With several folds a model's figures are the mean over folds
 * (fit seconds summed), so models are compared on identical data.
 */
export async function compareModels(
  data: Interactions,
  models: readonly ModelSpec[],
  split: SplitSpec,
  opts: EvaluateOptions & { onModel?: (name: string, fold: number, folds: number) => void },
): Promise<EvaluationResult[]> {
  if (models.length === 0) throw new SegueError('E_BAD_ARGUMENT', 'name at least one model to evaluate')
  const splits = makeSplits(data, split)
  const out: EvaluationResult[] = []
  for (const spec of models) {
    const perFold: EvaluationResult[] = []
    for (const [i, s] of splits.entries()) {
      opts.onModel?.(spec.name, i + 1, splits.length)
      perFold.push(await evaluate(createModel(spec.name, spec.params ?? {}), s, opts))
    }
    out.push(meanOverFolds(perFold))
  }
  return out
}

function meanOverFolds(results: EvaluationResult[]): EvaluationResult {
  if (results.length === 1) return results[0]
  const metrics: Record<string, number> = {}
  const names = Object.keys(results[0].overall.metrics)
  for (const name of names) {
    const values = results.map((r) => (r.overall.metrics as Record<string, number>)[name]).filter(Number.isFinite)
    metrics[name] = values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN
  }
  const users = results.reduce((a, r) => a + r.overall.users, 0)
  return {
    ...results[0],
    overall: { users, metrics },
    segments: undefined,
    seconds: results.reduce((a, r) => a + r.seconds, 0),
    fit: { ...results[0].fit, seconds: results.reduce((a, r) => a + r.fit.seconds, 0) },
  }
}
