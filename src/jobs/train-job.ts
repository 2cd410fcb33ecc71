import { join } from 'node:path'
import type pg from 'pg'
import type { ProgressFn } from '../core/progress.js'
import { readAutoWinner } from '../eval/auto-tune.js'
import { loadListeningSaved } from '../listening/saved.js'
import { BUNDLED_LISTENING, type ListeningData } from '../listening/source.js'
import { dataKey, encodeTrained, trainModel } from '../listening/trained.js'
import { publishVersion } from './publish.js'
import type { TrainJobData } from './queue.js'

/** Where a worker finds the data a server would train on. */
export interface TrainContext {
  /** The home whose saved listening data and tune --auto winner the servers use. */
  home: string
  /** Listening data source, as `serve --listening` (default: the bundled HetRec Last.fm 2K). */
  listening?: string
  /** The database the version is published to. */
  pool: pg.Pool
}

/** What a finished job reports (stored as the job's output, shown by `segue jobs list`). */
export interface TrainOutcome {
  model: string
  params: Record<string, unknown>
  version: number | string
  users: number
  items: number
  interactions: number
  fitSeconds: number
}

/**
 * One training job, as a server would train its collaborative model on start: the home's listening data (the
 * saved artifact while its source is unchanged), the parameters tune --auto chose for it when the job names that
 * model without parameters, then the fitted artifact published as a new version every server loads.
 */
export async function trainAndPublish(ctx: TrainContext, job: TrainJobData, opts: { signal?: AbortSignal; onProgress?: ProgressFn; warn?: (m: string) => void } = {}): Promise<TrainOutcome> {
  const source = ctx.listening ?? BUNDLED_LISTENING
  const artifact = join(ctx.home, 'artifacts', 'listening.art')
  const { listening } = await loadListeningSaved(source, artifact, { onProgress: opts.onProgress, signal: opts.signal, warn: opts.warn })
  const params = paramsFor(ctx.home, job, listening)
  const onProgress = opts.onProgress
  const t = await trainModel(job.model, params, listening, {
    signal: opts.signal,
    onProgress: onProgress && ((p) => onProgress({ phase: `fit ${job.model}`, done: p.iteration, total: p.total })),
  })
  opts.signal?.throwIfAborted()
  const d = listening.data
  const outcome = { model: job.model, params, users: d.users.size, items: d.items.size, interactions: d.matrix.indices.length, fitSeconds: t.fit?.seconds ?? 0 }
  const meta = { ...outcome, dataKey: dataKey(d), listening: listening.source, trainedBy: 'segue worker' }
  const version = await publishVersion(ctx.pool, job.model, encodeTrained(t), meta)
  return { ...outcome, version }
}

/** The job's parameters, or (none given) those tune --auto saved for this model and data, as serve would use. */
function paramsFor(home: string, job: TrainJobData, listening: ListeningData): Record<string, unknown> {
  if (Object.keys(job.params).length > 0) return job.params
  const winner = readAutoWinner(home, dataKey(listening.data))
  return winner?.model === job.model ? winner.params : {}
}
