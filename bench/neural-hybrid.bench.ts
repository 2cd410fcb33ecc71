// The neural hybrid (a network re-ranking a classic model's candidates) beside the classic models; the two-tower
// network's ILS-weight ablation beside ALS + MMR; and the hybrid's serving time.
//
// 1. compare (one results file per dataset, bench/results/neural-hybrid-<dataset>.json): a seeded 80/20 per-user
//    holdout (seed 42, as the README's defaults table) is the TEST split. A VALIDATION split is carved from its
//    training part (80/20, seed 43). On the validation split: popularity, item-kNN, user-kNN, EASE and ALS with their
//    defaults, and the neural hybrid with the best validation model as its candidate model, the second best as
//    its second opinion, and each configuration of a small grid (BENCH_NH_GRID, a JSON list of option sets;
//    default: candidates 50 and 100). The configuration with the best validation NDCG@10 is then fitted on the
//    test split's training part and measured on its test part beside the same classic models. The test split is
//    never read while choosing. Epochs: early stopping on lists held out inside each fit.
//    Datasets: MovieLens 100K (binary; demographics, genres, release year) and the MPD playlist sample (audio
//    features of catalogue tracks) from ../shared (skipped when absent); HetRec Last.fm 2K (tags), bundled.
// 2. ablation (BENCH_NH_TASKS=ablation): the two-tower network alone (NeuralTwoTowerRecommender) with ilsWeight
//    0, 0.1, 0.3, 1 against ALS + MMR (top 50, cosine of the diversity vectors) at lambda 1 ... 0.3, on the first
//    dataset; results in neural-hybrid-ablation.json.
// 3. serve (BENCH_NH_TASKS=serve): median milliseconds per request of the fitted hybrid (candidates + re-rank).
// BENCH_NH_DATASETS=ml,hetrec,playlists chooses datasets (one process per dataset runs them side by side);
// SEGUE_NH_EPOCHS overrides the two-tower's epochs in the ablation.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { sharedDataDir, bundledDataDir, bundledCatalogue } from '../src/core/paths.js'
import { hetrecHybrid, movieLensHybrid, playlistHybrid, type HybridDataset } from '../src/deep/neural-hybrid/datasets.js'
import { NeuralTwoTowerRecommender } from '../src/deep/neural-hybrid/model.js'
import { NeuralHybridRecommender } from '../src/deep/neural-hybrid/rerank-model.js'
import type { RerankOptions, StageModel } from '../src/deep/neural-hybrid/rerank-options.js'
import { resolveSide } from '../src/deep/neural-hybrid/side.js'
import type { Interactions } from '../src/data/interactions.js'
import { evaluate, type EvaluateOptions } from '../src/eval/evaluate.js'
import { randomHoldout, type Split } from '../src/eval/splits.js'
import { createModel } from '../src/models/registry.js'
import type { FitReport, ModelArtifact, RecommendOptions, Recommender, Scored, UserRef } from '../src/models/types.js'
import { cosineRows, mmr, type Similarity } from '../src/rerank/mmr.js'
import { median, report, type Row } from './lib/report.js'

const SEED = 42
const CLASSIC = ['popularity', 'item-knn', 'user-knn', 'ease', 'als']
/** Models the hybrid may take candidates from, in the order tried when validation NDCG ties. */
const STAGES: StageModel[] = ['ease', 'als', 'user-knn', 'item-knn']
const VALIDATION_SEED = 43
const GRID: Partial<RerankOptions>[] = JSON.parse(process.env.BENCH_NH_GRID ?? '[{"candidates":50},{"candidates":100}]')
/** Worker threads need compiled files; from source (tsx) models run on the calling thread. */
const THREADS = import.meta.url.endsWith('.ts') ? 1 : undefined
const ILS_WEIGHTS = [0, 0.1, 0.3, 1]
const MMR_LAMBDAS = [1, 0.9, 0.8, 0.7, 0.5, 0.3]
/** Candidates MMR re-ranks: deep enough to hold unlike items, shallow enough to stay relevant. */
const MMR_CANDIDATES = 50
const SERVE_USERS = 300
const EPOCHS = process.env.SEGUE_NH_EPOCHS ? { epochs: Number(process.env.SEGUE_NH_EPOCHS) } : {}
const WANT = (process.env.BENCH_NH_DATASETS ?? 'ml,hetrec,playlists').split(',')
/** BENCH_NH_TASKS=ablation,serve runs the first dataset's ablation and serving only (results: neural-hybrid-ablation.json). */
const TASKS = (process.env.BENCH_NH_TASKS ?? 'compare').split(',')

async function main(): Promise<void> {
  const notes: Record<string, unknown> = { split: 'test: random 80/20 per user, seed 42; validation: 80/20 of its training part, seed 43; k = 10', threads: THREADS ?? 'default' }
  const datasets = await loadDatasets(notes)
  for (const ds of datasets) {
    const split = randomHoldout(ds.data, { fraction: 0.2, seed: SEED })
    const opts = evalOptions(ds)
    if (TASKS.includes('compare')) report(`neural-hybrid-${ds.key}`, await compare(ds, split, opts), { ...notes, dataset: ds.name })
    if (ds !== datasets[0]) continue
    const rows: Row[] = []
    if (TASKS.includes('ablation')) rows.push(...(await ablation(ds, split, opts)))
    if (TASKS.includes('serve')) rows.push(...(await serving(ds, split)))
    if (rows.length > 0) report('neural-hybrid-ablation', rows, { ...notes, epochs: EPOCHS.epochs ?? 'defaults (early stopping)' })
  }
}

/** Validation split: classic models and the grid; the best configuration then on the test split beside the classics. */
async function compare(ds: HybridDataset & { key: string }, split: Split, opts: EvaluateOptions): Promise<Row[]> {
  const rows: Row[] = []
  const valid = randomHoldout(split.train, { fraction: 0.2, seed: VALIDATION_SEED })
  const classic = new Map<string, number>()
  for (const name of CLASSIC) {
    const r = row(ds, 'validation', name, await evaluate(createModel(name), valid, opts))
    classic.set(name, r.ndcg as number)
    rows.push(r)
  }
  const ranked = STAGES.filter((m) => classic.has(m)).sort((a, b) => classic.get(b)! - classic.get(a)! || STAGES.indexOf(a) - STAGES.indexOf(b))
  let best: { config: Partial<RerankOptions>; ndcg: number } | undefined
  for (const grid of GRID) {
    const config: Partial<RerankOptions> = { candidateModel: ranked[0], secondModel: ranked[1], ...grid }
    const nh = new NeuralHybridRecommender(config, ds.side)
    nh.trainRun = { progress: true } // per-epoch lines on stderr: a fit takes minutes on the larger datasets
    const r = row(ds, 'validation', `neural-hybrid ${JSON.stringify(config)}`, await evaluate(nh, valid, opts), nh)
    rows.push(r)
    if (!best || (r.ndcg as number) > best.ndcg) best = { config, ndcg: r.ndcg as number }
  }
  for (const name of CLASSIC) rows.push(row(ds, 'test', name, await evaluate(createModel(name), split, opts)))
  const nh = new NeuralHybridRecommender(best!.config, ds.side)
  nh.trainRun = { progress: true }
  rows.push({ ...row(ds, 'test', 'neural-hybrid', await evaluate(nh, split, opts), nh), config: JSON.stringify(best!.config) })
  return rows
}

async function loadDatasets(notes: Record<string, unknown>): Promise<(HybridDataset & { key: string })[]> {
  const out: (HybridDataset & { key: string })[] = []
  const ml = join(sharedDataDir(), 'movielens-100k')
  const mpd = join(sharedDataDir(), 'spotify-mpd-sample')
  if (WANT.includes('ml')) {
    if (existsSync(join(ml, 'u.data'))) out.push({ ...(await movieLensHybrid(ml)), key: 'movielens' })
    else notes.movielens = 'skipped: ../shared/data/movielens-100k is absent (MovieLens is never bundled)'
  }
  if (WANT.includes('hetrec')) out.push({ ...(await hetrecHybrid(join(bundledDataDir(), 'hetrec2011-lastfm-2k'))), key: 'hetrec' })
  if (WANT.includes('playlists')) {
    if (existsSync(join(mpd, 'playlist_tracks.tsv'))) out.push({ ...(await playlistHybrid(mpd, bundledCatalogue())), key: 'playlists' })
    else notes.playlists = 'skipped: ../shared/data/spotify-mpd-sample is absent (the MPD sample may not be redistributed)'
  }
  return out
}

function evalOptions(ds: HybridDataset): EvaluateOptions {
  const d = resolveSide(ds.side, ds.data.users, ds.data.items)
  return {
    k: 10,
    metrics: ['ndcg', 'hitRate', 'precision', 'ils', 'genreDiversity'],
    itemInfo: { genres: ds.genres, features: { data: d.diversity, dims: d.diversityDims }, similarity: cosineRows(d.diversity, d.diversityDims) },
    fit: { seed: SEED, threads: THREADS },
  }
}

function row(ds: HybridDataset, task: string, model: string, r: Awaited<ReturnType<typeof evaluate>>, nh?: { history: { metric?: number }[]; usesNetwork?: boolean }): Row {
  const m = r.overall.metrics
  const fit: Row = nh ? { epochs: nh.history.length, bestValNdcg: +(Math.max(...nh.history.map((h) => h.metric ?? 0))).toFixed(4), ...('usesNetwork' in nh ? { usesNetwork: nh.usesNetwork as boolean } : {}) } : {}
  // One line per finished row on stderr: a long run under load can be read before it ends.
  process.stderr.write(`${ds.name} ${task} ${model}: NDCG@10 ${m.ndcg!.toFixed(4)} ILS ${m.ils!.toFixed(4)}\n`)
  return { dataset: ds.name, task, model, ndcg: +m.ndcg!.toFixed(4), hr: +m.hitRate!.toFixed(4), precision: +m.precision!.toFixed(4), ils: +m.ils!.toFixed(4), genreDiversity: +m.genreDiversity!.toFixed(4), fitSeconds: +r.fit.seconds.toFixed(1), ...fit }
}

async function ablation(ds: HybridDataset, split: Split, opts: EvaluateOptions): Promise<Row[]> {
  const rows: Row[] = []
  for (const ilsWeight of ILS_WEIGHTS) {
    const nh = new NeuralTwoTowerRecommender({ ...EPOCHS, ilsWeight }, ds.side)
    rows.push({ ...row(ds, 'ablation', `neural-hybrid ilsWeight ${ilsWeight}`, await evaluate(nh, split, opts), nh), knob: ilsWeight })
  }
  const als = createModel('als')
  await als.fit(split.train, opts.fit)
  const sim = opts.itemInfo!.similarity as Similarity
  for (const lambda of MMR_LAMBDAS) {
    const reranked = new MmrOver(als, sim, lambda)
    rows.push({ ...row(ds, 'ablation', `als + mmr lambda ${lambda}`, await evaluate(reranked, split, opts)), knob: lambda })
  }
  return rows
}

/** A fitted model's top candidates re-ranked by MMR, as a Recommender for evaluate (fit is a no-op). */
class MmrOver implements Recommender {
  readonly name: string
  constructor(
    private readonly inner: Recommender,
    private readonly similarity: Similarity,
    private readonly lambda: number,
  ) {
    this.name = `${inner.name}+mmr`
  }
  async fit(_data: Interactions): Promise<FitReport> {
    return { seconds: 0, iterations: 0 }
  }
  recommend(user: UserRef, opts: RecommendOptions = {}): Scored[] {
    const pool = this.inner.recommend(user, { ...opts, n: Math.max(MMR_CANDIDATES, opts.n ?? 10) })
    return mmr(pool, { n: opts.n ?? 10, lambda: this.lambda, similarity: this.similarity })
  }
  async recommendMany(users: readonly number[], opts?: RecommendOptions): Promise<Scored[][]> {
    return users.map((user) => this.recommend({ user }, opts))
  }
  similarItems(item: number, n?: number): Scored[] {
    return this.inner.similarItems(item, n)
  }
  save(): ModelArtifact {
    return this.inner.save()
  }
}

/** Median ms per request of the hybrid fitted on the split's training part: candidates, features and re-ranking to 10. */
async function serving(ds: HybridDataset, split: Split): Promise<Row[]> {
  const nh = new NeuralHybridRecommender({}, ds.side)
  await nh.fit(split.train, { seed: SEED, threads: THREADS })
  const users = Array.from({ length: Math.min(SERVE_USERS, ds.data.users.size) }, (_, u) => u)
  const times: number[] = []
  for (const user of users) {
    const t = performance.now()
    nh.recommend({ user }, { n: 10 })
    times.push(performance.now() - t)
  }
  const c = nh.config
  return [{ dataset: ds.name, task: 'serve', model: 'neural-hybrid', detail: `${c.candidateModel} top ${c.candidates} + ${c.contentCandidates} by content, ${c.secondModel} features, re-ranked to 10`, value: +median(times).toFixed(3), unit: 'ms/request' }]
}

await main()
