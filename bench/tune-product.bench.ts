// The product's recommenders ("For you" content, collaborative, hybrid; seed playlists) tuned on the playlist
// continuation task's VALIDATION split, then hand-set against tuned on the test split.
//
// Data: ../shared/data/spotify-mpd-sample (skipped, and said so, when absent). Split: splitContinuation with its
// defaults (seed 42: 1,000 test and 1,000 validation playlists, 100 per seed category each). The search scores
// each trial on BENCH_TUNE_PLAYLISTS validation playlists (default 300: the first of each category, in the
// split's order) with models fitted on the training side only; the test part is never looked at until the
// final pair (hand-set, tuned) of each model is fitted on train + validation and scored on the test split.
//
// Search (the budget): coordinate search in a fixed order, one parameter group at a time, the best value kept
// before the next group; every trial is listed. The target is NDCG (ties: R-precision) of the model the group
// shapes: co-occurrence alpha, recency decay and floor, the per-artist share of a long list and the playlist
// neighbours (share, count) on the collaborative model; fusion weights, the RRF
// constant, the per-artist cap and the content anchors on the hybrid (the product's default model); the
// playlist per-artist cap on seed playlists. Negative pull, kind weights and the artist-level fold-in weights
// cannot be measured here (playlists have no skips or dislikes, every seed is a like, the artist bridge is
// HetRec's): they stay hand-set. BENCH_TUNE_MINUTES (default 40) stops the search early, keeping what it has.
//
// The final pair per model: on the tuning playlists (validation), then fitted on train + validation and scored on
// BENCH_TEST_PLAYLISTS test playlists (default all 1,000; fewer are the first of each category). On a busy
// machine the content-based models take about a second a playlist, so the final can be run apart:
// BENCH_TUNED='<setting JSON printed by a search>' skips the search, BENCH_KINDS=hybrid,collaborative picks
// models, and the results file is then tune-product-<kinds>.json.
//
// Candidates without a search: BENCH_CANDIDATES='[["label", {ForYouParams over the defaults}, alpha?], ...]' scores
// each on BENCH_KINDS (default hybrid) and user-kNN, on the tuning playlists (BENCH_MODE=validation, the default)
// or on BENCH_TEST_PLAYLISTS test playlists (BENCH_MODE=test, after the choice), into
// bench/results/tune-product-candidates-<mode>.json. The issue-9 round's candidates were scored this way.
//
// Results: bench/results/tune-product.json (every trial, and the final table).
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { bundledCatalogue, sharedDataDir } from '../src/core/paths.js'
import { readPlaylists } from '../src/data/playlists/read.js'
import { Engine } from '../src/engine.js'
import { evaluateContinuation, type ContinuationScores } from '../src/eval/continuation/evaluate.js'
import { ProductContinuation, type ProductModelKind } from '../src/eval/continuation/product.js'
import { splitContinuation, trainingData, type ContinuationSplit, type HeldOutPlaylist } from '../src/eval/continuation/split.js'
import type { ContinuationModel } from '../src/eval/continuation/types.js'
import { createContinuationModel } from '../src/eval/continuation/models.js'
import { HAND_SET_PARAMS, type ForYouParams } from '../src/service/for-you-params.js'
import { DEFAULT_COOCCURRENCE_ALPHA } from '../src/service/track-cooccurrence.js'
import { report, type Row } from './lib/report.js'

const TUNE_PLAYLISTS = Number(process.env.BENCH_TUNE_PLAYLISTS ?? 300)
const TEST_PLAYLISTS = Number(process.env.BENCH_TEST_PLAYLISTS ?? 1000)
const BUDGET_MS = Number(process.env.BENCH_TUNE_MINUTES ?? 40) * 60_000
const ALL_KINDS: readonly ProductModelKind[] = ['content', 'collaborative', 'hybrid', 'playlist']
const KINDS = (process.env.BENCH_KINDS?.split(',') as ProductModelKind[] | undefined) ?? ALL_KINDS
const GIVEN: Setting | null = process.env.BENCH_TUNED ? JSON.parse(process.env.BENCH_TUNED) : null
/** TrackCooccurrence's normalisation before tuning (cosine). */
const HAND_ALPHA = 0.5

interface Setting {
  params: ForYouParams
  alpha: number
}

interface Trial {
  group: string
  kind: ProductModelKind
  value: string
  scores: ContinuationScores
}

/** One parameter group: the values tried, and how each changes a setting. */
interface Group {
  name: string
  kind: ProductModelKind
  values: { label: string; apply: (s: Setting) => Setting }[]
}

const withParams = (over: Partial<ForYouParams>) => (s: Setting): Setting => ({ ...s, params: { ...s.params, ...over } })

const GROUPS: Group[] = [
  { name: 'co-occurrence alpha', kind: 'collaborative', values: [0.3, 0.5, 0.7, 0.9].map((a) => ({ label: String(a), apply: (s) => ({ ...s, alpha: a }) })) },
  {
    name: 'recency decay, floor',
    kind: 'collaborative',
    values: [
      [0.93, 0.25],
      [0.8, 0.1],
      [0.97, 0.25],
      [1, 1],
    ].map(([d, f]) => ({ label: `${d}, ${f}`, apply: withParams({ recencyDecay: d, recencyFloor: f }) })),
  },
  // Issue 9's last bar: the per-artist cap of a 20-track screen cut recall in 500-track continuations, and
  // user-kNN over playlists beat item co-occurrence; both joined the product (artistCap, TrackCooccurrence.recommend).
  { name: 'perArtistShare', kind: 'collaborative', values: [0, 0.05, 0.1, 1].map((v) => ({ label: String(v), apply: withParams({ perArtistShare: v }) })) },
  { name: 'playlistNeighbourShare', kind: 'collaborative', values: [0, 0.3, 0.5, 0.7].map((v) => ({ label: String(v), apply: withParams({ playlistNeighbourShare: v }) })) },
  { name: 'playlistNeighbours', kind: 'collaborative', values: [50, 25, 100].map((v) => ({ label: String(v), apply: withParams({ playlistNeighbours: v }) })) },
  {
    name: 'hybrid weights (content, collaborative)',
    kind: 'hybrid',
    values: [0.55, 0.35, 0.2, 0.1].map((c) => ({ label: `${c}, ${+(1 - c).toFixed(2)}`, apply: withParams({ playlistHybridWeights: { content: c, collaborative: +(1 - c).toFixed(2) } }) })),
  },
  { name: 'rrfK', kind: 'hybrid', values: [20, 5, 60].map((k) => ({ label: String(k), apply: withParams({ rrfK: k }) })) },
  { name: 'perArtist', kind: 'hybrid', values: [2, 4, 10].map((k) => ({ label: String(k), apply: withParams({ perArtist: k }) })) },
  {
    name: 'maxAnchors, anchorAgreement',
    kind: 'hybrid',
    values: [
      [6, 0.05],
      [3, 0.05],
      [12, 0.05],
      [6, 0.3],
    ].map(([m, a]) => ({ label: `${m}, ${a}`, apply: withParams({ maxAnchors: m, anchorAgreement: a }) })),
  },
  { name: 'playlistPerArtist', kind: 'playlist', values: [2, 4, 10].map((k) => ({ label: String(k), apply: withParams({ playlistPerArtist: k }) })) },
]

/** A fitted model answering with a setting; fit() is a no-op so evaluateContinuation does not fit it again. */
function frozen(base: ProductContinuation, s: Setting): ContinuationModel {
  const m = base.withParams(s.params, s.alpha)
  return { name: m.name, fit: async () => {}, continue: (q, n) => m.continue(q, n) }
}

/** The first `count` / 10 held-out playlists of each category. */
function firstOfEach(list: readonly HeldOutPlaylist[], count: number): HeldOutPlaylist[] {
  const per = Math.ceil(count / 10)
  const taken = new Map<number, number>()
  return list.filter((h) => {
    const k = taken.get(h.category) ?? 0
    taken.set(h.category, k + 1)
    return k < per
  })
}

async function fitAll(engine: Engine, split: ContinuationSplit, mode: 'validation' | 'test', kinds: readonly ProductModelKind[]): Promise<Map<ProductModelKind, ProductContinuation>> {
  const train = trainingData(split, mode)
  const out = new Map<ProductModelKind, ProductContinuation>()
  for (const kind of kinds) {
    const m = new ProductContinuation(kind, engine)
    await m.fit(train)
    out.set(kind, m)
  }
  return out
}

async function score(base: ProductContinuation, s: Setting, split: ContinuationSplit, mode: 'validation' | 'test'): Promise<ContinuationScores> {
  const r = await evaluateContinuation([frozen(base, s)], split, { mode })
  return r.models[0].overall
}

const better = (a: ContinuationScores, b: ContinuationScores) => a.ndcg > b.ndcg || (a.ndcg === b.ndcg && a.rPrecision > b.rPrecision)

async function search(models: Map<ProductModelKind, ProductContinuation>, split: ContinuationSplit, trials: Trial[]): Promise<Setting> {
  const started = performance.now()
  let best: Setting = { params: structuredClone(HAND_SET_PARAMS) as ForYouParams, alpha: HAND_ALPHA }
  for (const g of GROUPS) {
    let bestScores: ContinuationScores | null = null
    let winner = best
    for (const v of g.values) {
      if (performance.now() - started > BUDGET_MS) {
        console.log(`budget spent: stopping before ${g.name} = ${v.label}`)
        return winner
      }
      const s = v.apply(best)
      const scores = await score(models.get(g.kind)!, s, split, 'validation')
      trials.push({ group: g.name, kind: g.kind, value: v.label, scores })
      console.log(`${g.kind} ${g.name} = ${v.label}: R-prec ${scores.rPrecision.toFixed(4)} NDCG ${scores.ndcg.toFixed(4)} clicks ${scores.clicks.toFixed(2)}`)
      if (!bestScores || better(scores, bestScores)) [bestScores, winner] = [scores, s]
    }
    best = winner
  }
  return best
}

/** The ForYouParams each model reads (and whether it reads the co-occurrence alpha). */
const READS: Record<ProductModelKind, { keys: (keyof ForYouParams)[]; alpha: boolean }> = {
  content: { keys: ['maxAnchors', 'perArtist', 'perArtistShare', 'rrfK', 'anchorAgreement', 'kindWeight', 'recencyDecay', 'recencyFloor'], alpha: false },
  collaborative: { keys: ['perArtist', 'perArtistShare', 'playlistNeighbours', 'playlistNeighbourShare', 'rrfK', 'kindWeight', 'recencyDecay', 'recencyFloor'], alpha: true },
  hybrid: { keys: ['maxAnchors', 'perArtist', 'perArtistShare', 'playlistNeighbours', 'playlistNeighbourShare', 'rrfK', 'anchorAgreement', 'kindWeight', 'recencyDecay', 'recencyFloor', 'playlistHybridWeights'], alpha: true },
  playlist: { keys: ['playlistPerSeed', 'playlistPerArtist'], alpha: false },
}

/** True when two settings give a model the same values: its scores are then measured once. */
function sameFor(kind: ProductModelKind, a: Setting, b: Setting): boolean {
  const r = READS[kind]
  return (!r.alpha || a.alpha === b.alpha) && r.keys.every((k) => JSON.stringify(a.params[k]) === JSON.stringify(b.params[k]))
}

/** Hand-set and tuned scores of one model; one run when the tuned values are the hand-set ones for it. */
async function pair(kind: ProductModelKind, base: ProductContinuation, hand: Setting, tuned: Setting, split: ContinuationSplit, mode: 'validation' | 'test'): Promise<Row[]> {
  const h = await score(base, hand, split, mode)
  const t = sameFor(kind, hand, tuned) ? h : await score(base, tuned, split, mode)
  return [row(kind, mode, 'hand-set', h), row(kind, mode, sameFor(kind, hand, tuned) ? 'tuned (same values)' : 'tuned', t)]
}

function row(kind: string, part: string, setting: string, s: ContinuationScores): Row {
  return { model: kind, part, setting, playlists: s.playlists, rPrecision: +s.rPrecision.toFixed(4), ndcg: +s.ndcg.toFixed(4), clicks: +s.clicks.toFixed(2) }
}

/** BENCH_CANDIDATES: each setting (over the current defaults) and user-kNN, scored on one part of the split. */
async function candidates(engine: Engine | null, split: ContinuationSplit, tune: ContinuationSplit, testSplit: ContinuationSplit): Promise<void> {
  const list: [string, Partial<ForYouParams>, number?][] = JSON.parse(process.env.BENCH_CANDIDATES!)
  const mode = process.env.BENCH_MODE === 'test' ? 'test' : 'validation'
  const part = mode === 'test' ? testSplit : tune
  const kinds = (process.env.BENCH_KINDS?.split(',') as ProductModelKind[] | undefined) ?? ['hybrid']
  const train = trainingData(split, mode)
  const userKnn = createContinuationModel('user-knn')
  await userKnn.fit(train)
  const rows: Row[] = []
  const run = async (label: string, model: ContinuationModel) => {
    const r = await evaluateContinuation([{ name: label, fit: async () => {}, continue: (q, n) => model.continue(q, n) }], part, { mode })
    rows.push(row(label, mode, '', r.models[0].overall))
    console.log(`${mode} ${label}: R-prec ${r.models[0].overall.rPrecision.toFixed(4)} NDCG ${r.models[0].overall.ndcg.toFixed(4)}`)
  }
  await run('user-knn', userKnn)
  for (const kind of kinds) {
    const base = new ProductContinuation(kind, kind === 'collaborative' ? null : engine)
    await base.fit(train)
    for (const [label, params, alpha] of list) await run(`${kind} ${label}`, base.withParams(params, alpha))
  }
  report(`tune-product-candidates-${mode}`, rows, { seed: 42, playlists: mode === 'test' ? testSplit.test.length : tune.validation.length, candidates: list })
}

async function main(): Promise<void> {
  const dir = join(sharedDataDir(), 'spotify-mpd-sample')
  if (!existsSync(dir)) {
    console.log(`skipped: ${dir} is absent (the MPD sample may not be copied into the repository)`)
    return
  }
  const engine = await Engine.open({ home: process.env.SEGUE_HOME ?? mkdtempSync(join(tmpdir(), 'segue-tune-product-')) })
  if (await engine.isEmpty()) await engine.importCatalogue(bundledCatalogue())
  await engine.catalogue()
  const { set } = await readPlaylists(dir)
  const split = splitContinuation(set, { seed: 42 })
  const tune = { ...split, validation: firstOfEach(split.validation, TUNE_PLAYLISTS) }
  const testSplit = { ...split, test: firstOfEach(split.test, TEST_PLAYLISTS) }
  if (process.env.BENCH_CANDIDATES) return candidates(engine, split, tune, testSplit).finally(() => engine.close())
  const trials: Trial[] = []
  const started = performance.now()
  const onValidation = await fitAll(engine, split, 'validation', GIVEN ? KINDS : ALL_KINDS)
  const tuned = GIVEN ?? (await search(onValidation, tune, trials))
  const searchMinutes = (performance.now() - started) / 60_000
  console.log('tuned:', JSON.stringify(tuned))
  const hand: Setting = { params: structuredClone(HAND_SET_PARAMS) as ForYouParams, alpha: HAND_ALPHA }
  const rows: Row[] = []
  for (const kind of KINDS) rows.push(...(await pair(kind, onValidation.get(kind)!, hand, tuned, tune, 'validation')))
  const onTest = await fitAll(engine, split, 'test', KINDS)
  for (const kind of KINDS) rows.push(...(await pair(kind, onTest.get(kind)!, hand, tuned, testSplit, 'test')))
  await engine.close()
  report(KINDS === ALL_KINDS ? 'tune-product' : `tune-product-${KINDS.join('-')}`, rows, {
    split: { seed: 42, test: split.test.length, validation: split.validation.length, tuningPlaylists: tune.validation.length, testPlaylists: testSplit.test.length, train: split.train.length },
    searched: GIVEN === null,
    searchMinutes: +searchMinutes.toFixed(1),
    target: 'NDCG (ties: R-precision) of the model each group shapes, on the tuning playlists of the validation split',
    handSet: { params: HAND_SET_PARAMS, alpha: HAND_ALPHA },
    tuned,
    defaultAlphaWhenRun: DEFAULT_COOCCURRENCE_ALPHA,
    trials: trials.map((t) => ({ group: t.group, kind: t.kind, value: t.value, rPrecision: +t.scores.rPrecision.toFixed(4), ndcg: +t.scores.ndcg.toFixed(4), clicks: +t.scores.clicks.toFixed(2) })),
  })
}

await main()
