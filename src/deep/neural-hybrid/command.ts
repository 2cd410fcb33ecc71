import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { SegueError } from '../../core/errors.js'
import { BUNDLED_LISTENING, detectFormat, loadListening, type ListeningData } from '../../listening/source.js'
import { saveTrained } from '../../listening/trained.js'
import { describeBackend, initBackend } from '../backend.js'
import type { DeepTrainContext, DeepTrainResult } from '../registry.js'
import { hetrecHybrid, movieLensHybrid, type HybridDataset } from './datasets.js'
import { NeuralHybridRecommender } from './rerank-model.js'
import { RERANK_DEFAULTS, type RerankOptions } from './rerank-options.js'

/**
 * `segue train --model neural-hybrid [--listens path]`: MovieLens 100K folders bring demographics, genres and
 * release years; HetRec folders bring tags; other listening data trains on plays alone. Checkpoints, resume and
 * Ctrl-C through the shared loop; the fitted model is saved where `recommend --model neural-hybrid` finds it.
 */
export async function trainNeuralHybridCommand(ctx: DeepTrainContext): Promise<DeepTrainResult> {
  const backend = await initBackend()
  const path = ctx.listens ?? BUNDLED_LISTENING
  const ds = await hybridDataset(path)
  const model = new NeuralHybridRecommender({ ...paramsOf(ctx.params), ...(ctx.epochs ? { epochs: ctx.epochs } : {}) }, ds.side)
  model.trainRun = { checkpointDir: ctx.checkpointDir, resume: ctx.resume, progress: ctx.progress }
  await model.fit(ds.data, { seed: ctx.seed, signal: ctx.signal })
  const listening: ListeningData = { data: ds.data, source: path, format: detectFormat(path), itemNames: new Map(), itemKind: 'item', report: {} }
  const saved = join(ctx.engine.home, 'models', 'neural-hybrid.art')
  saveTrained(saved, { name: 'neural-hybrid', params: ctx.params, model, listening, origin: 'fitted' })
  const history = model.history
  if (history.length === 0) throw new SegueError('E_BAD_ARGUMENT', `neural-hybrid: ${path} has no listener with enough plays to hold some out for the re-ranker`)
  const best = history.reduce((a, h) => (h.valLoss < a.valLoss ? h : a))
  return {
    history, best, stoppedBy: model.stoppedBy as DeepTrainResult['stoppedBy'], resumedFrom: 0,
    model: 'neural-hybrid', backend: describeBackend(backend), saved: [saved],
    summary: { dataset: ds.name, users: ds.data.users.size, items: ds.data.items.size, validationNdcg: best.metric, usesNetwork: model.usesNetwork, candidateModel: model.config.candidateModel, sideFields: ds.side.users?.fields.map((f) => f.name) ?? [] },
  }
}

async function hybridDataset(path: string): Promise<HybridDataset> {
  if (!existsSync(path)) throw new SegueError('E_INPUT_FILE', `${path}: file or folder not found`, { location: { file: path } })
  const format = detectFormat(path)
  if (format === 'movielens-100k' && statSync(path).isDirectory()) return movieLensHybrid(path)
  if (format === 'hetrec-2k') return hetrecHybrid(path)
  const l = await loadListening(path)
  return { name: l.source, data: l.data, side: {} }
}

function paramsOf(params: Record<string, number | string | boolean>): Partial<RerankOptions> {
  for (const [key, value] of Object.entries(params)) {
    if (!(key in RERANK_DEFAULTS)) throw new SegueError('E_BAD_ARGUMENT', `neural-hybrid: unknown parameter '${key}' (known: ${Object.keys(RERANK_DEFAULTS).join(', ')})`)
    if (typeof value !== typeof RERANK_DEFAULTS[key as keyof RerankOptions]) throw new SegueError('E_BAD_ARGUMENT', `neural-hybrid: ${key} must be a ${typeof RERANK_DEFAULTS[key as keyof RerankOptions]}, got '${value}'`)
  }
  return params as Partial<RerankOptions>
}
