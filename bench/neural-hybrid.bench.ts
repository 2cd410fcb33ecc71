// The neural hybrid beside the classic models, its ILS-weight ablation beside ALS + MMR, and its serving time.
//
// 1. On each dataset, a seeded 80/20 per-user holdout (seed 42, as the README's defaults table): every classic
//    model with its defaults and the neural hybrid with its defaults and the dataset's side inputs, NDCG@10,
//    P@10, ILS (cosine of the diversity vectors: MovieLens genre flags, HetRec tag vectors) and genre diversity.
//    MovieLens 100K (binary, demographics + genres + release year) from ../shared (skipped when absent);
//    HetRec Last.fm 2K (tags as content), bundled. ILS by artist is not defined on either: MovieLens has no
//    artists and HetRec's items are artists.
// 2. Ablation on MovieLens 100K (HetRec when absent): neural hybrid with ilsWeight 0, 0.1, 0.3, 1; ALS (defaults)
//    re-ranked by MMR (top 50 candidates, cosine of the same diversity vectors) at lambda 1, 0.9, 0.8, 0.7, 0.5, 0.3.
// 3. Serving: median milliseconds per request of the fitted neural hybrid: a full top-10 (every item scored),
//    and re-ranking 200 candidates (the ALS top 200) by the hybrid's scores then MMR to 10.
// SEGUE_NH_EPOCHS overrides the epochs (for a quick look); BENCH_NH_DATASETS=ml,hetrec chooses datasets;
// BENCH_NH_TASKS (compare, ablation, serve) chooses the parts.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { sharedDataDir, bundledDataDir } from '../src/core/paths.js'
import { hetrecHybrid, movieLensHybrid, type HybridDataset } from '../src/deep/neural-hybrid/datasets.js'
import { NeuralHybridRecommender } from '../src/deep/neural-hybrid/model.js'
import { resolveSide } from '../src/deep/neural-hybrid/side.js'
import type { Interactions } from '../src/data/interactions.js'
import { evaluate, type EvaluateOptions } from '../src/eval/evaluate.js'
import { randomHoldout, type Split } from '../src/eval/splits.js'
import { createModel } from '../src/models/registry.js'
import type { FitReport, ModelArtifact, RecommendOptions, Recommender, Scored, UserRef } from '../src/models/types.js'
import { cosineRows, mmr, type Similarity } from '../src/rerank/mmr.js'
import { median, report, type Row } from './lib/report.js'

const SEED = 42
const CLASSIC = ['popularity', 'item-knn', 'user-knn', 'ease', 'als', 'bpr']
/** Worker threads need compiled files; from source (tsx) models run on the calling thread. */
const THREADS = import.meta.url.endsWith('.ts') ? 1 : undefined
const ILS_WEIGHTS = [0, 0.1, 0.3, 1]
const MMR_LAMBDAS = [1, 0.9, 0.8, 0.7, 0.5, 0.3]
/** Candidates MMR re-ranks: deep enough to hold unlike items, shallow enough to stay relevant. */
const MMR_CANDIDATES = 50
const SERVE_CANDIDATES = 200
const SERVE_USERS = 300
const EPOCHS = process.env.SEGUE_NH_EPOCHS ? { epochs: Number(process.env.SEGUE_NH_EPOCHS) } : {}
const WANT = (process.env.BENCH_NH_DATASETS ?? 'ml,hetrec').split(',')
/** BENCH_NH_TASKS=ablation,serve runs the first dataset's ablation and serving only (results: neural-hybrid-ablation.json). */
const TASKS = (process.env.BENCH_NH_TASKS ?? 'compare,ablation,serve').split(',')

async function main(): Promise<void> {
  const rows: Row[] = []
  const notes: Record<string, unknown> = { split: 'random 80/20 per user, seed 42; k = 10', threads: THREADS ?? 'default' }
  const datasets = await loadDatasets(notes)
  for (const ds of datasets) {
    const split = randomHoldout(ds.data, { fraction: 0.2, seed: SEED })
    const opts = evalOptions(ds)
    if (TASKS.includes('compare')) for (const name of CLASSIC) rows.push(row(ds, 'compare', name, await evaluate(createModel(name), split, opts)))
    const nh = new NeuralHybridRecommender(EPOCHS, ds.side)
    const plain = row(ds, 'compare', 'neural-hybrid', await evaluate(nh, split, opts), nh)
    rows.push(plain)
    if (ds === datasets[0]) {
      rows.push({ ...plain, task: 'ablation', model: 'neural-hybrid ilsWeight 0', knob: 0 })
      if (TASKS.includes('ablation')) rows.push(...(await ablation(ds, split, opts)))
      if (TASKS.includes('serve')) rows.push(...(await serving(ds, split, nh)))
    }
  }
  notes.epochs = EPOCHS.epochs ?? 'defaults (early stopping)'
  report(TASKS.includes('compare') ? 'neural-hybrid' : 'neural-hybrid-ablation', rows, notes)
}

async function loadDatasets(notes: Record<string, unknown>): Promise<HybridDataset[]> {
  const out: HybridDataset[] = []
  const ml = join(sharedDataDir(), 'movielens-100k')
  if (WANT.includes('ml')) {
    if (existsSync(join(ml, 'u.data'))) out.push(await movieLensHybrid(ml))
    else notes.movielens = 'skipped: ../shared/data/movielens-100k is absent (MovieLens is never bundled)'
  }
  if (WANT.includes('hetrec')) out.push(await hetrecHybrid(join(bundledDataDir(), 'hetrec2011-lastfm-2k')))
  notes.playlists = 'not run: the playlist sample (audio features for catalogue tracks) is not wired into this bench yet'
  return out
}

function evalOptions(ds: HybridDataset): EvaluateOptions {
  const d = resolveSide(ds.side, ds.data.users, ds.data.items)
  return {
    k: 10,
    metrics: ['ndcg', 'precision', 'ils', 'genreDiversity'],
    itemInfo: { genres: ds.genres, features: { data: d.diversity, dims: d.diversityDims }, similarity: cosineRows(d.diversity, d.diversityDims) },
    fit: { seed: SEED, threads: THREADS },
  }
}

function row(ds: HybridDataset, task: string, model: string, r: Awaited<ReturnType<typeof evaluate>>, nh?: NeuralHybridRecommender): Row {
  const m = r.overall.metrics
  const fit: Row = nh ? { epochs: nh.history.length, bestValNdcg: +(Math.max(...nh.history.map((h) => h.metric ?? 0))).toFixed(4) } : {}
  // One line per finished row on stderr: a long run under load can be read before it ends.
  process.stderr.write(`${ds.name} ${task} ${model}: NDCG@10 ${m.ndcg!.toFixed(4)} ILS ${m.ils!.toFixed(4)}\n`)
  return { dataset: ds.name, task, model, ndcg: +m.ndcg!.toFixed(4), precision: +m.precision!.toFixed(4), ils: +m.ils!.toFixed(4), genreDiversity: +m.genreDiversity!.toFixed(4), fitSeconds: +r.fit.seconds.toFixed(1), ...fit }
}

async function ablation(ds: HybridDataset, split: Split, opts: EvaluateOptions): Promise<Row[]> {
  const rows: Row[] = []
  for (const ilsWeight of ILS_WEIGHTS.filter((w) => w > 0)) {
    const nh = new NeuralHybridRecommender({ ...EPOCHS, ilsWeight }, ds.side)
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

/** Median ms per request: a full top-10, and re-ranking the ALS top 200 (hybrid scores, then MMR to 10). */
async function serving(ds: HybridDataset, split: Split, nh: NeuralHybridRecommender): Promise<Row[]> {
  const als = createModel('als')
  await als.fit(split.train, { seed: SEED, threads: THREADS })
  const d = resolveSide(ds.side, ds.data.users, ds.data.items)
  const sim = cosineRows(d.diversity, d.diversityDims)
  const users = Array.from({ length: Math.min(SERVE_USERS, ds.data.users.size) }, (_, u) => u)
  const full: number[] = []
  const rerank: number[] = []
  for (const user of users) {
    const pool = als.recommend({ user }, { n: SERVE_CANDIDATES }).map((s) => s.item)
    let t = performance.now()
    nh.recommend({ user }, { n: 10 })
    full.push(performance.now() - t)
    t = performance.now()
    const scores = nh.scoreCandidates({ user }, pool)
    const ranked = pool.map((item, c) => ({ item, score: scores[c] })).sort((a, b) => b.score - a.score)
    mmr(ranked, { n: 10, lambda: 0.7, similarity: sim })
    rerank.push(performance.now() - t)
  }
  const items = ds.data.items.size
  return [
    { dataset: ds.name, task: 'serve', model: 'neural-hybrid', detail: `full top-10 (${items} items scored)`, value: +median(full).toFixed(3), unit: 'ms/request' },
    { dataset: ds.name, task: 'serve', model: 'neural-hybrid', detail: `re-rank ${SERVE_CANDIDATES} candidates + MMR to 10`, value: +median(rerank).toFixed(3), unit: 'ms/request' },
  ]
}

await main()
