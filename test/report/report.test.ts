// segue report and segue chart: the HTML report holds every chart with its caption and tables, inline and with
// no scripts; the per-k metrics match evaluate()'s; the CLI writes files whole, shows progress and lists charts.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadListening } from '../../src/listening/source.js'
import { evaluate } from '../../src/eval/evaluate.js'
import { randomHoldout } from '../../src/eval/splits.js'
import { createModel } from '../../src/models/registry.js'
import { runModels } from '../../src/report/model-runs.js'
import { loadChartContext, splitCsvLine } from '../../src/report/context.js'
import { reportCharts, scopeSvgIds } from '../../src/report/html-report.js'
import { CHARTS } from '../../src/viz/charts.js'
import { fixturesDir, repoRoot, sharedFile } from '../helpers/paths.js'
import { makeTrack } from '../helpers/make-track.js'

const CLI = join(repoRoot, 'dist', 'src', 'cli', 'main.js')
const CATALOGUE = join(fixturesDir, 'catalogue', 'spotify-170k', 'data.csv')
const LISTENS = join(fixturesDir, 'listens', 'hetrec-mini')

function cli(home: string, ...args: string[]) {
  return spawnSync(process.execPath, [CLI, '--home', home, ...args], { encoding: 'utf8' })
}

test('runModels: metrics cut at k = 10 from one top-50 list equal what evaluate() reports at k = 10', async () => {
  const { data } = await loadListening(LISTENS)
  const run = await runModels(data, { models: ['popularity', 'item-knn'], seed: 3, ks: [1, 10, 50] })
  for (const name of ['popularity', 'item-knn']) {
    const ours = run.curves.find((c) => c.model === name)!.points.find((p) => p.k === 10)!.metrics
    const theirs = (await evaluate(createModel(name), randomHoldout(data, { fraction: 0.2, seed: 3 }), { k: 10, metrics: ['precision', 'recall', 'ndcg', 'map', 'hitRate', 'coverage', 'novelty'], fit: { seed: 3 } })).overall.metrics
    for (const m of ['precision', 'recall', 'ndcg', 'map', 'hitRate', 'coverage', 'novelty'] as const) {
      assert.ok(Math.abs(ours[m]! - theirs[m]!) < 1e-9, `${name} ${m}: ${ours[m]} vs evaluate ${theirs[m]}`)
    }
  }
  assert.deepEqual(run.recommended.map((r) => r.model), ['popularity', 'item-knn'])
  assert.ok(run.recommended[0].items.length <= 10 * data.users.size, 'top-10 lists')
})

test('scopeSvgIds keeps one SVG\'s clip paths its own; splitCsvLine honours quotes', () => {
  const svg = '<svg><clipPath id="clip1"/><g clip-path="url(#clip1)"><use href="#clip1"/></g></svg>'
  assert.equal(scopeSvgIds(svg, 'keys'), '<svg><clipPath id="keys-clip1"/><g clip-path="url(#keys-clip1)"><use href="#keys-clip1"/></g></svg>')
  assert.deepEqual(splitCsvLine('1,"children\'s, music",2.5,"say ""hi"""'), ['1', "children's, music", '2.5', 'say "hi"'])
})

test('the year and genre aggregates are read from ../shared when present', { skip: sharedFile('spotify-aggregates', 'data_by_year.csv') ? false : 'no ../shared/data' }, async () => {
  const { ctx } = await loadChartContext(new Set(['aggregates']))
  assert.equal(ctx.yearAggregates!.length, 100)
  assert.deepEqual([ctx.yearAggregates![0].year, ctx.yearAggregates![99].year], [1921, 2020])
  assert.ok(ctx.genreAggregates!.length > 2900)
  assert.ok(ctx.yearAggregates![99].features.energy > ctx.yearAggregates![0].features.energy, 'energy rose over the century')
})

test('segue chart --list names every chart; chart <name> --out writes SVG or PNG; an unknown name is a clear error', () => {
  const home = mkdtempSync(join(tmpdir(), 'segue-chart-'))
  const list = cli(home, '--json', 'chart', '--list')
  assert.equal(list.status, 0, list.stderr)
  const listed = JSON.parse(list.stdout) as { name: string; title: string; description: string }[]
  for (const name of ['feature-correlation', 'popularity-by-year', 'artist-network', 'plays-long-tail', 'metrics-at-k']) assert.ok(listed.some((c) => c.name === name), name)
  assert.ok(listed.every((c) => Object.hasOwn(CHARTS, c.name) && c.title && c.description.length > 40))
  const svg = join(home, 'keys.svg')
  const r = cli(home, '--no-progress', 'chart', 'keys', '--out', svg, '--catalogue', CATALOGUE)
  assert.equal(r.status, 0, r.stderr)
  assert.ok(readFileSync(svg, 'utf8').includes('>Keys and modes</text>'))
  const png = join(home, 'net.png')
  assert.equal(cli(home, '--no-progress', 'chart', 'artist-network', '--out', png, '--catalogue', CATALOGUE).status, 0)
  assert.equal(readFileSync(png).toString('latin1', 1, 4), 'PNG')
  const stdout = cli(home, '--no-progress', 'chart', 'modes', '--catalogue', CATALOGUE)
  assert.match(stdout.stdout, /^<svg/)
  const bad = cli(home, 'chart', 'nope')
  assert.equal(bad.status, 1)
  assert.match(bad.stderr, /no chart 'nope'; charts: feature-distributions/)
})

test('segue report writes one HTML file (and --png a PNG per chart) with progress on stderr, and leaves the old file when it cannot finish', () => {
  const home = mkdtempSync(join(tmpdir(), 'segue-report-cli-'))
  const out = join(home, 'report.html')
  const r = cli(home, 'report', '--out', out, '--png', join(home, 'png'), '--catalogue', CATALOGUE, '--listens', LISTENS)
  assert.equal(r.status, 0, r.stderr)
  const pngs = readdirSync(join(home, 'png'))
  assert.ok(pngs.includes('artist-network.png') && pngs.every((f) => f.endsWith('.png')), pngs.join(' '))
  assert.match(r.stderr, /draw charts: 100%/)
  assert.match(r.stdout, /report written to .*report\.html: \d+ charts/)
  const html = readFileSync(out, 'utf8')
  const drawn = reportCharts()
  for (const name of drawn) {
    assert.ok(html.includes(`<figure id="${name}">`), `${name} in the report`)
    assert.ok(html.includes(`segue chart ${name}`), `${name}: its command`)
  }
  assert.equal((html.match(/<svg/g) ?? []).length, drawn.length, 'every chart inline')
  assert.doesNotMatch(html, /<script|<link|src="http/, 'self-contained')
  assert.match(html, /<h2>Models<\/h2>/)
  assert.match(html, /<th>collaborations \(edges\)<\/th>/)
  assert.ok(readdirSync(home).every((f) => !f.endsWith('.tmp')))
  const bad = cli(home, '--no-progress', 'report', '--out', join(home, 'no', 'such', 'dir', 'r.html'), '--catalogue', CATALOGUE, '--listens', LISTENS)
  assert.equal(bad.status, 1)
  assert.match(bad.stderr, /could not write/)
  assert.ok(!existsSync(join(home, 'no')))
})

test('loadChartContext keeps the tracks it is given even when no chart asked for them', async () => {
  const tracks = [makeTrack({ artists: ['A', 'B'] })]
  const { ctx, sources } = await loadChartContext(new Set(), { tracks })
  assert.equal(ctx.tracks, tracks)
  assert.equal(sources.catalogue, undefined)
})
