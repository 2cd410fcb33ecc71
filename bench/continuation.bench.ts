// Playlist continuation as the RecSys Challenge 2018 measured it, every registered continuation model on the
// shared MPD sample (../shared/data/spotify-mpd-sample, 7,102 playlists; skipped, and said so, when absent).
//
// Split: splitContinuation, seed 42, BENCH_TEST test playlists (default 1,000: 100 per seed category) and as many
// validation ones; models are fitted on train + validation (6,102 playlists) and asked for 500 tracks for each
// test playlist. Scores: R-precision with the 0.25 artist credit, NDCG and clicks (src/eval/continuation/metrics.ts),
// overall and R-precision per category; fit seconds and mean milliseconds per playlist answered (wall clock on a
// shared 2-core machine: compare within one run). "x pop" is the model's R-precision over popularity's, overall
// and over the nine categories with seed tracks (title-only left out: popularity never reads titles).
// BENCH_MODELS=a,b runs some models only. Content models import the bundled 114k catalogue into a temp home.
//
// Results: bench/results/continuation.json and the markdown table in bench/results/continuation.md.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bundledCatalogue, packageRoot, sharedDataDir } from '../src/core/paths.js'
import { readPlaylists } from '../src/data/playlists/read.js'
import { Engine } from '../src/engine.js'
import { evaluateContinuation, type ContinuationModelResult } from '../src/eval/continuation/evaluate.js'
import { continuationModelNames, createContinuationModel, needsCatalogue } from '../src/eval/continuation/models.js'
import { SEED_CATEGORIES, splitContinuation } from '../src/eval/continuation/split.js'
import { report, type Row } from './lib/report.js'

const TEST = Number(process.env.BENCH_TEST ?? 1000)
const SEED = 42
/** The bar: each collaborative model at least this multiple of popularity's R-precision. */
const BAR = 1.5

function seededRPrec(r: ContinuationModelResult): number {
  const seeded = r.byCategory.filter((c) => c.category !== 1)
  return seeded.reduce((a, c) => a + c.rPrecision * c.playlists, 0) / seeded.reduce((a, c) => a + c.playlists, 0)
}

function row(r: ContinuationModelResult, pop: ContinuationModelResult | undefined): Row {
  const cats = Object.fromEntries(SEED_CATEGORIES.map((c) => [`c${c.id}`, Number((r.byCategory.find((b) => b.category === c.id)?.rPrecision ?? NaN).toFixed(4))]))
  return {
    model: r.model,
    rPrecision: Number(r.overall.rPrecision.toFixed(4)),
    ndcg: Number(r.overall.ndcg.toFixed(4)),
    clicks: Number(r.overall.clicks.toFixed(2)),
    ...cats,
    xPop: pop ? Number((r.overall.rPrecision / pop.overall.rPrecision).toFixed(2)) : null,
    xPopSeeded: pop ? Number((seededRPrec(r) / seededRPrec(pop)).toFixed(2)) : null,
    fitSeconds: Number(r.fitSeconds.toFixed(1)),
    msPerPlaylist: Number(r.answerMs.toFixed(1)),
  }
}

function markdown(rows: Row[]): string {
  const cats = SEED_CATEGORIES.map((c) => `c${c.id}`)
  const head = ['model', 'R-prec', 'NDCG', 'clicks', ...cats, 'x pop (seeded)', 'fit s', 'ms/playlist']
  const cell = (v: Row[string]) => (v === null || (typeof v === 'number' && Number.isNaN(v)) ? '–' : String(v))
  const lines = rows.map((r) =>
    r.failed
      ? [r.model, ...head.slice(1, -1).map(() => '–'), String(r.failed)]
      : [r.model, r.rPrecision, r.ndcg, r.clicks, ...cats.map((c) => r[c]), `${cell(r.xPop)} (${cell(r.xPopSeeded)})`, r.fitSeconds, r.msPerPlaylist].map(cell),
  )
  return [head, head.map(() => '---'), ...lines].map((l) => `| ${l.join(' | ')} |`).join('\n')
}

async function main(): Promise<void> {
  const sample = join(sharedDataDir(), 'spotify-mpd-sample')
  if (!existsSync(sample)) {
    console.log(`continuation: skipped, ${sample} is absent (the MPD sample is never copied into the repository)`)
    return
  }
  const names = process.env.BENCH_MODELS?.split(',') ?? continuationModelNames()
  const { set } = await readPlaylists(sample)
  const split = splitContinuation(set, { test: TEST, seed: SEED })
  const engine = await Engine.open({ home: mkdtempSync(join(tmpdir(), 'segue-bench-continuation-')) })
  if (names.some(needsCatalogue)) await engine.importCatalogue(bundledCatalogue())
  const results: ContinuationModelResult[] = []
  const rows: Row[] = []
  let trainPlaylists = 0
  for (const name of names) {
    const t0 = performance.now()
    try {
      const r = await evaluateContinuation([createContinuationModel(name, { engine })], split, { fit: { seed: SEED } })
      trainPlaylists = r.trainPlaylists
      results.push(r.models[0])
      rows.push(row(r.models[0], results.find((m) => m.model === 'popularity')))
    } catch (err) {
      rows.push({ model: name, failed: `failed: ${(err as Error).message}` })
    }
    console.error(`${name}: ${((performance.now() - t0) / 1000).toFixed(0)} s`)
  }
  await engine.close()
  const table = markdown(rows)
  console.log(`\n${table}\n`)
  const notes = {
    sample, seed: SEED, test: split.test.length, validation: split.validation.length, trainPlaylists, listLength: 500,
    shortfall: split.shortfall, bar: `${BAR}x popularity's R-precision`,
    categories: SEED_CATEGORIES.map((c) => `c${c.id}: ${c.label}`),
  }
  report('continuation', rows, notes)
  writeFileSync(join(packageRoot(), 'bench', 'results', 'continuation.md'), `${table}\n`)
}

await main()
