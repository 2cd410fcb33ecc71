import { join } from 'node:path'
import { SegueError } from '../core/errors.js'
import { deepTrainer, type DeepTrainResult } from '../deep/registry.js'
import { parseParams } from './params.js'
import { interruptSignal, type Globals, type Print, type WithEngine } from './shared.js'

/** Options of `segue train` that deep models read. */
export interface DeepTrainOptions {
  model: string
  listens?: string
  param?: string[]
  epochs?: number
  resume?: boolean
  out?: string
  seed?: number
}

/** Seed when none is given: any fixed number makes runs repeatable; 42 is what the models' defaults use. */
const DEFAULT_SEED = 42

/**
 * `segue train --model <deep model>`: runs the model's trainer with a checkpoint folder in the home, Ctrl-C
 * after the current batch (the last checkpoint stays; --resume continues), and the loss curve written to --out.
 */
export async function deepTrainCommand(o: DeepTrainOptions, g: Globals, withEngine: WithEngine, print: Print): Promise<void> {
  const train = await deepTrainer(o.model)
  if (!train) throw new SegueError('E_BAD_ARGUMENT', `'${o.model}' is not a deep model`)
  await withEngine(g, async (engine, progress) => {
    const result = await train({
      engine,
      listens: o.listens,
      epochs: o.epochs,
      resume: o.resume ?? false,
      seed: o.seed ?? DEFAULT_SEED,
      checkpointDir: join(engine.home, 'deep', o.model, 'checkpoints'),
      signal: interruptSignal(),
      progress: g.progress,
      params: parseParams(o.param),
    })
    progress.stop()
    if (o.out) await writeCurve(o.out, result)
    print(g, { ...result, curve: o.out }, () => formatDeepTrain(result, o.out))
  })
}

async function writeCurve(path: string, r: DeepTrainResult): Promise<void> {
  const { trainingCurveChart } = await import('../viz/training.js')
  const { writeChart } = await import('../viz/render.js')
  await writeChart(path, trainingCurveChart(r.history, `${r.model}: loss per epoch`))
}

export function formatDeepTrain(r: DeepTrainResult, curve?: string): string {
  const b = r.best
  const why = { epochs: 'all epochs ran', 'early-stop': 'stopped early (no better validation loss)', interrupted: 'interrupted; the last checkpoint is kept, --resume continues' }[r.stoppedBy]
  const metric = b.metric === undefined ? '' : `, metric ${b.metric.toFixed(4)}`
  const lines = [
    `trained ${r.model} on ${r.backend}: ${r.history.length} epoch(s)${r.resumedFrom ? ` (resumed after epoch ${r.resumedFrom})` : ''}, ${why}`,
    `best epoch ${b.epoch}: validation loss ${b.valLoss.toPrecision(4)}${metric}`,
    ...Object.entries(r.summary).map(([k, v]) => `  ${k}: ${typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(4) : String(v)}`),
    r.saved.length ? `saved ${r.saved.join(', ')}` : 'nothing saved',
  ]
  if (curve) lines.push(`loss curve: ${curve}`)
  return lines.join('\n')
}
