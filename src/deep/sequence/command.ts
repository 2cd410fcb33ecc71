import { existsSync, mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { createHash } from 'node:crypto'
import { SegueError } from '../../core/errors.js'
import { sharedDataDir } from '../../core/paths.js'
import { describeBackend, initBackend } from '../backend.js'
import type { DeepTrainContext, DeepTrainResult } from '../registry.js'
import { leaveLastOutSequences } from './data.js'
import { buildQueries, evaluateSasRec } from './evaluate.js'
import { saveSasRec, trainSasRec, type SequenceTrainOptions } from './train.js'
import { readSequences } from './sources.js'
import { sequenceModelPath } from './up-next.js'

export const SEQUENCE_MODEL = 'sequence'

/** Settings `--param key=value` may change. */
const TUNABLE = ['dModel', 'heads', 'layers', 'dropout', 'maxLen', 'negatives', 'learningRate', 'batchSize'] as const

/**
 * Without --listens the MPD sample trains it: playlist order over Spotify ids, which is what "Up next" needs
 * (its tracks are the catalogue's own ids); MovieLens or Last.fm 1K train a model for evaluation only.
 */
export function defaultSequenceSource(): string {
  return join(sharedDataDir(), 'spotify-mpd-sample')
}

/** `segue train --model sequence [--listens <MovieLens folder | playlists | Last.fm 1K file>]`. */
export async function trainSequenceCommand(ctx: DeepTrainContext): Promise<DeepTrainResult> {
  const backend = await initBackend()
  const source = resolve(ctx.listens ?? defaultSequenceSource())
  if (!existsSync(source)) {
    throw new SegueError('E_INPUT_FILE', `${source}: no ordered listening to learn from; pass --listens <MovieLens folder | playlists folder | Last.fm 1K plays file>`)
  }
  const { kind, data } = await readSequences(source)
  const split = leaveLastOutSequences(data)
  const opts = optionsFrom(ctx)
  const { model, fit } = await trainSasRec(split, {
    ...opts,
    train: { checkpointDir: ctx.checkpointDir, resume: ctx.resume, signal: ctx.signal, progress: ctx.progress },
  })
  try {
    const test = evaluateSasRec(model, buildQueries(split, 'test', { seed: ctx.seed }))
    const path = sequenceModelPath(ctx.engine.home)
    const interrupted = fit.stoppedBy === 'interrupted'
    const key = `${kind}:${createHash('sha256').update(JSON.stringify({ source, options: model.opts })).digest('hex').slice(0, 12)}`
    if (!interrupted) {
      mkdirSync(dirname(path), { recursive: true })
      saveSasRec(path, model, data.items, key, { source, kind, best: fit.best, history: fit.history, test })
    }
    return {
      ...fit,
      model: SEQUENCE_MODEL,
      backend: describeBackend(backend),
      saved: interrupted ? [] : [path],
      summary: {
        source, kind, items: data.items.length, sequences: data.sequences.length,
        testHR10: test.full.hr, testNDCG10: test.full.ndcg, sampledHR10: test.sampled.hr, sampledNDCG10: test.sampled.ndcg,
      },
    }
  } finally {
    model.dispose()
  }
}

function optionsFrom(ctx: DeepTrainContext): SequenceTrainOptions {
  const opts: SequenceTrainOptions = { seed: ctx.seed }
  if (ctx.epochs !== undefined) opts.epochs = ctx.epochs
  for (const [name, value] of Object.entries(ctx.params)) {
    if (!(TUNABLE as readonly string[]).includes(name)) {
      throw new SegueError('E_BAD_ARGUMENT', `sequence: unknown parameter '${name}'; expected one of ${TUNABLE.join(', ')}`)
    }
    if (typeof value !== 'number') throw new SegueError('E_BAD_ARGUMENT', `sequence: ${name} must be a number, got '${value}'`)
    opts[name as (typeof TUNABLE)[number]] = value
  }
  return opts
}
