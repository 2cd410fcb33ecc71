// Next-item prediction, leave-last-out (last item test, second-to-last validation), on MovieLens 100K (ratings
// in time order) and the MPD sample (playlist order, items in >= 5 playlists): SASRec (src/deep/sequence)
// against item-kNN and ALS (src/models, their registry defaults) on the same split. Full-ranking HR@10 and
// NDCG@10 over every unplayed item, and the SASRec paper's sampled protocol (target + 100 uniform negatives
// the listener never played). SASRec's settings are picked on the validation items (full NDCG@10) among
// CANDIDATES; the baselines keep their defaults. Last.fm 1K is read by the same code (src/deep/sequence/
// sources.ts) but is not available on this machine.
//   SEQ_DATASETS=movielens,playlists  SEQ_EPOCHS=<cap>  SEQ_CANDIDATES=<how many of CANDIDATES to try>
//   SEQ_RESULT=<name of bench/results/<name>.json> (default sequence)
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { sharedDataDir } from '../src/core/paths.js'
import { describeBackend, initBackend } from '../src/deep/backend.js'
import { leaveLastOutSequences, type LeaveLastOut } from '../src/deep/sequence/data.js'
import { buildQueries, evaluateRecommender, evaluateSasRec, fitOnHistories, type NextItemReport, type Phase } from '../src/deep/sequence/evaluate.js'
import { readSequences } from '../src/deep/sequence/sources.js'
import type { SasRec } from '../src/deep/sequence/model.js'
import { trainSasRec, type SequenceTrainOptions } from '../src/deep/sequence/train.js'
import type { FitResult } from '../src/deep/trainer.js'
import { createModel } from '../src/models/registry.js'
import { report, type Row } from './lib/report.js'

const DATASETS: Record<string, { path: string; opts: SequenceTrainOptions }> = {
  movielens: { path: join(sharedDataDir(), 'movielens-100k'), opts: { maxLen: 50 } },
  /** Playlists are read from their last 20 tracks: 7x MovieLens' sequences, and an epoch must fit the time box. */
  playlists: { path: join(sharedDataDir(), 'spotify-mpd-sample'), opts: { maxLen: 20 } },
}
const EPOCH_CAP = Number(process.env.SEQ_EPOCHS ?? 40)
/** Tried in order on validation; the first is the default. */
const CANDIDATES: SequenceTrainOptions[] = [
  { dropout: 0.2, learningRate: 2e-3 },
  { dropout: 0.5, learningRate: 2e-3 },
]
const TRY = Number(process.env.SEQ_CANDIDATES ?? CANDIDATES.length)
/** Short patience: the cap on a loaded 2-core machine is time, and validation loss flattens early. */
const TRAIN = { patience: 3, plateau: { factor: 0.5, patience: 2 } as const, progress: true }

const backend = await initBackend()
const rows: Row[] = []
const notes: Record<string, unknown> = { backend: describeBackend(backend), epochCap: EPOCH_CAP }

for (const name of (process.env.SEQ_DATASETS ?? 'movielens,playlists').split(',')) {
  if (!existsSync(DATASETS[name].path)) {
    console.error(`skipping ${name}: ${DATASETS[name].path} is absent`)
    continue
  }
  const { kind, data } = await readSequences(DATASETS[name].path)
  const split = leaveLastOutSequences(data)
  notes[name] = { kind, items: data.items.length, sequences: data.sequences.length, events: data.sequences.reduce((a, s) => a + s.length, 0) }
  const valid = buildQueries(split, 'valid')
  const test = buildQueries(split, 'test')
  const chosen = await pickSasRec(name, split, valid, DATASETS[name].opts)
  const { model, fit, seconds } = chosen
  rows.push(row(name, 'sequence (SASRec)', evaluateSasRec(model, valid), evaluateSasRec(model, test), seconds, `${JSON.stringify(chosen.opts)}, ${fit.history.length} epochs, best ${fit.best.epoch}`))
  model.dispose()
  for (const baseline of ['item-knn', 'als']) rows.push(await baselineRow(name, baseline, split, valid, test))
  report(process.env.SEQ_RESULT ?? 'sequence', rows, notes)
}

/** Trains each candidate and keeps the one with the best validation NDCG@10 (full ranking). */
async function pickSasRec(name: string, split: LeaveLastOut, valid: ReturnType<typeof buildQueries>, base: SequenceTrainOptions) {
  let best: { opts: SequenceTrainOptions; ndcg: number; model: SasRec; fit: FitResult; seconds: number } | undefined
  const tried: Record<string, number> = {}
  for (const opts of CANDIDATES.slice(0, Math.max(1, TRY))) {
    const t0 = performance.now()
    const { model, fit } = await trainSasRec(split, { ...base, ...opts, epochs: EPOCH_CAP, train: TRAIN })
    const seconds = (performance.now() - t0) / 1000
    const ndcg = evaluateSasRec(model, valid).full.ndcg
    tried[JSON.stringify({ ...base, ...opts })] = +ndcg.toFixed(4)
    if (!best || ndcg > best.ndcg) {
      best?.model.dispose()
      best = { opts: { ...base, ...opts }, ndcg, model, fit, seconds }
    } else model.dispose()
  }
  notes[`${name}:validation`] = tried
  return best!
}

async function baselineRow(name: string, model: string, split: LeaveLastOut, valid: ReturnType<typeof buildQueries>, test: ReturnType<typeof buildQueries>): Promise<Row> {
  const t0 = performance.now()
  const reports: Partial<Record<Phase, NextItemReport>> = {}
  for (const [phase, queries] of [['valid', valid], ['test', test]] as const) {
    const rec = createModel(model)
    const data = await fitOnHistories(rec, split, phase)
    reports[phase] = evaluateRecommender(rec, data, queries)
  }
  return row(name, model, reports.valid!, reports.test!, (performance.now() - t0) / 1000, 'registry defaults; refitted for validation and for test')
}

function row(dataset: string, model: string, valid: NextItemReport, test: NextItemReport, seconds: number, note: string): Row {
  const f = (x: number) => +x.toFixed(4)
  return {
    dataset, model,
    'val NDCG@10': f(valid.full.ndcg),
    'HR@10': f(test.full.hr), 'NDCG@10': f(test.full.ndcg),
    'sampled HR@10': f(test.sampled.hr), 'sampled NDCG@10': f(test.sampled.ndcg),
    queries: test.full.queries, 'train s': +seconds.toFixed(1), note,
  }
}
