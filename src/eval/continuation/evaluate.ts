import { SegueError } from '../../core/errors.js'
import { throwIfAborted, type LongWorkOptions } from '../../core/progress.js'
import type { PlaylistSet } from '../../data/playlists/types.js'
import { CHALLENGE_LIST_LENGTH, clicks, ndcg, rPrecision, type ArtistOf } from './metrics.js'
import { SEED_CATEGORIES, trainingData, type ContinuationSplit, type HeldOutPlaylist } from './split.js'
import type { ContinuationFitOptions, ContinuationModel } from './types.js'

/** Mean scores over a group of held-out playlists. */
export interface ContinuationScores {
  playlists: number
  rPrecision: number
  ndcg: number
  clicks: number
}

export interface CategoryScores extends ContinuationScores {
  category: number
  label: string
}

export interface ContinuationModelResult {
  model: string
  fitSeconds: number
  /** Mean wall-clock milliseconds per playlist answered. */
  answerMs: number
  overall: ContinuationScores
  byCategory: CategoryScores[]
}

export interface ContinuationReport {
  /** 'validation': fit on train, scored on validation (for tuning). 'test': fit on train + validation, scored on test. */
  mode: 'test' | 'validation'
  trainPlaylists: number
  heldOut: number
  listLength: number
  models: ContinuationModelResult[]
}

export interface EvaluateContinuationOptions extends LongWorkOptions {
  mode?: 'test' | 'validation'
  /** Tracks asked of each model per playlist (default 500, the challenge's). */
  n?: number
  fit?: Omit<ContinuationFitOptions, 'signal'>
  /** Called before each model's fit. */
  onModel?: (name: string, index: number, total: number) => void
}

/** Playlists answered between progress reports and abort checks. */
const PROGRESS_EVERY = 25

/** Artists compared case- and space-insensitively, as the same artist is spelt across releases. */
export function artistKeys(set: PlaylistSet): ArtistOf {
  const keys = set.tracks.map((t) => t.artist.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim())
  return (track) => keys[track]
}

/**
 * Fits each model on the split's training side and asks it to continue every held-out playlist of the mode,
 * scoring R-precision (with artist credit), NDCG and clicks per playlist, averaged per seed category and over
 * all playlists, as the challenge did. A model that returns a seed, a repeat or more than n tracks breaks the
 * task's contract and is refused (E_BAD_ARGUMENT) rather than scored.
 */
export async function evaluateContinuation(
  models: readonly ContinuationModel[],
  split: ContinuationSplit,
  opts: EvaluateContinuationOptions = {},
): Promise<ContinuationReport> {
  const mode = opts.mode ?? 'test'
  const n = opts.n ?? CHALLENGE_LIST_LENGTH
  const heldOut = mode === 'test' ? split.test : split.validation
  if (heldOut.length === 0) throw new SegueError('E_BAD_ARGUMENT', `the split has no ${mode} playlists`)
  const train = trainingData(split, mode)
  const artistOf = artistKeys(split.set)
  const results: ContinuationModelResult[] = []
  for (const [i, model] of models.entries()) {
    throwIfAborted(opts.signal, 'continuation evaluation')
    opts.onModel?.(model.name, i, models.length)
    const t0 = performance.now()
    await model.fit(train, { ...opts.fit, signal: opts.signal })
    const fitSeconds = (performance.now() - t0) / 1000
    results.push({ model: model.name, fitSeconds, ...(await answerAll(model, heldOut, n, artistOf, opts)) })
  }
  return { mode, trainPlaylists: train.playlists.length, heldOut: heldOut.length, listLength: n, models: results }
}

interface PlaylistScore {
  category: number
  rPrecision: number
  ndcg: number
  clicks: number
}

async function answerAll(
  model: ContinuationModel,
  heldOut: readonly HeldOutPlaylist[],
  n: number,
  artistOf: ArtistOf,
  opts: EvaluateContinuationOptions,
): Promise<Omit<ContinuationModelResult, 'model' | 'fitSeconds'>> {
  const scores: PlaylistScore[] = []
  let answerMs = 0
  for (const [i, h] of heldOut.entries()) {
    if (i % PROGRESS_EVERY === 0) {
      throwIfAborted(opts.signal, 'continuation evaluation')
      opts.onProgress?.({ phase: `continue ${model.name}`, done: i, total: heldOut.length })
    }
    const t0 = performance.now()
    const list = await model.continue({ title: h.query.title, seeds: [...h.query.seeds] }, n)
    answerMs += performance.now() - t0
    checkAnswer(model.name, list, h, n)
    scores.push({ category: h.category, rPrecision: rPrecision(list, h.heldOut, artistOf), ndcg: ndcg(list, h.heldOut), clicks: clicks(list, h.heldOut) })
  }
  opts.onProgress?.({ phase: `continue ${model.name}`, done: heldOut.length, total: heldOut.length })
  const byCategory = SEED_CATEGORIES.flatMap((c) => {
    const group = scores.filter((s) => s.category === c.id)
    return group.length === 0 ? [] : [{ category: c.id, label: c.label, ...mean(group) }]
  })
  return { answerMs: answerMs / heldOut.length, overall: mean(scores), byCategory }
}

function checkAnswer(name: string, list: readonly number[], h: HeldOutPlaylist, n: number): void {
  if (list.length > n) throw new SegueError('E_BAD_ARGUMENT', `${name} returned ${list.length} tracks for playlist ${h.pid}, more than the ${n} asked`)
  const seeds = new Set(h.query.seeds)
  const seen = new Set<number>()
  for (const t of list) {
    if (seeds.has(t)) throw new SegueError('E_BAD_ARGUMENT', `${name} returned seed track ${t} for playlist ${h.pid}`)
    if (seen.has(t)) throw new SegueError('E_BAD_ARGUMENT', `${name} returned track ${t} twice for playlist ${h.pid}`)
    seen.add(t)
  }
}

function mean(scores: readonly PlaylistScore[]): ContinuationScores {
  const k = scores.length
  const sum = (f: (s: PlaylistScore) => number) => scores.reduce((a, s) => a + f(s), 0) / k
  return { playlists: k, rPrecision: sum((s) => s.rPrecision), ndcg: sum((s) => s.ndcg), clicks: sum((s) => s.clicks) }
}

/** A markdown table: one row per model, overall figures, R-precision per category, fit and answer time. */
export function continuationTable(report: ContinuationReport): string {
  const cats = SEED_CATEGORIES.map((c) => c.id)
  const head = ['model', 'R-prec', 'NDCG', 'clicks', ...cats.map((c) => `R-prec ${c}`), 'fit s', 'ms/playlist']
  const rows = report.models.map((m) => [
    m.model,
    m.overall.rPrecision.toFixed(4),
    m.overall.ndcg.toFixed(4),
    m.overall.clicks.toFixed(2),
    ...cats.map((c) => m.byCategory.find((b) => b.category === c)?.rPrecision.toFixed(3) ?? '–'),
    m.fitSeconds.toFixed(1),
    m.answerMs.toFixed(1),
  ])
  return [head, head.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n')
}
