import { join } from 'node:path'
import type { Engine } from '../engine.js'
import { autoTune, autoWinnerPath, saveAutoWinner, type AutoTrial, type AutoTuneResult } from '../eval/auto-tune.js'
import type { MetricName } from '../eval/metric-names.js'
import { makeSplits } from '../listening/compare.js'
import { loadListening } from '../listening/source.js'
import { dataKey, saveTrained, trainModel } from '../listening/trained.js'
import { interruptSignal } from './shared.js'
import type { ProgressView } from './progress.js'

export interface AutoTuneCliOptions {
  listens?: string
  budgetMinutes: number
  metric: MetricName
  k: number
  seed: number
}

export interface AutoTuneCliOutput {
  result: AutoTuneResult
  /** The winner's artifact, fitted on all the listening data, where `serve` loads it. */
  saved: string
  winnerFile: string
}

/**
 * `segue tune --auto --budget <minutes>`: autoTune on the training part of a held-out split (the test part
 * stays unseen), then the winner is fitted on all the listening data and saved where `serve` looks for its
 * collaborative model, followed by the record that tells `serve` to use it. Ctrl-C stops at the next safe point
 * with nothing written: both files are written atomically, after all the work, the record last.
 */
export async function autoTuneCommand(e: Engine, progress: ProgressView, o: AutoTuneCliOptions): Promise<AutoTuneCliOutput> {
  const signal = interruptSignal()
  const listening = await loadListening(o.listens, { onProgress: progress.update, signal })
  const [{ train }] = makeSplits(listening.data, { kind: 'random', seed: o.seed })
  const budgetSeconds = o.budgetMinutes * 60
  const result = await autoTune(train, {
    budgetSeconds, metric: o.metric, k: o.k, seed: o.seed, signal,
    onTrial: (_t, elapsed) => progress.update({ phase: 'tune --auto (seconds of the budget)', done: Math.min(Math.round(elapsed), budgetSeconds), total: budgetSeconds }),
  })
  const { model, params } = result.best
  const t = await trainModel(model, params, listening, { seed: o.seed, signal, onProgress: (p) => progress.update({ phase: `fit ${model} on all data`, done: p.iteration, total: p.total }) })
  progress.stop()
  // The path SegueService gives its collaborative model (src/service/service.ts, startCollaborative).
  const saved = join(e.home, 'models', `${model}-service.art`)
  saveTrained(saved, t)
  saveAutoWinner(e.home, {
    model, params, metric: o.metric, k: o.k, score: result.best.score, dataKey: dataKey(listening.data),
    source: listening.source, trials: result.trials.length, savedAt: new Date().toISOString(),
  })
  return { result, saved, winnerFile: autoWinnerPath(e.home) }
}

export function formatAutoTune(out: AutoTuneCliOutput): string {
  const r = out.result
  const at = `${r.metric}@${r.k}`
  const line = (t: AutoTrial) => `${t.model.padEnd(10)} ${(JSON.stringify(t.params) || '{}').padEnd(60)} ${t.error ? `failed: ${t.error}` : `${at} ${t.score.toFixed(4)}`}  ${t.seconds.toFixed(1)} s`
  return [
    ...r.trials.map(line),
    `${r.trials.length} trials in ${r.seconds.toFixed(0)} s of a ${r.budgetSeconds.toFixed(0)} s budget (${r.untried} candidates left untried)`,
    `best: ${r.best.model} ${JSON.stringify(r.best.params)} (${at} ${r.best.score.toFixed(4)} on validation; {} = its defaults)`,
    `fitted on all the listening data and saved to ${out.saved}; serve uses it from now on (${out.winnerFile})`,
  ].join('\n')
}
