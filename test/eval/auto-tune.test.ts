import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isSegueError } from '../../src/core/errors.js'
import { AUTO_MODELS, autoTune, autoWinnerPath, readAutoWinner } from '../../src/eval/auto-tune.js'
import { randomHoldout } from '../../src/eval/splits.js'
import { loadListening } from '../../src/listening/source.js'
import { dataKey } from '../../src/listening/trained.js'
import { SegueService } from '../../src/service/service.js'
import { fixturesDir, realFile, repoRoot } from '../helpers/paths.js'

// Worker threads need the compiled .js files; from source (tsx) fits run on the calling thread.
const THREADS = import.meta.url.endsWith('.ts') ? 1 : undefined
const hetrec = (await loadListening(realFile('hetrec2011-lastfm-2k')!)).data
const { train } = randomHoldout(hetrec, { fraction: 0.2, seed: 42 })

test('tune --auto (library): defaults of every model first, cheapest first, then random points; the best trial wins', async () => {
  // 90 s leaves room for every model's defaults on HetRec even on a loaded machine (about 12 s of CPU in all).
  const r = await autoTune(train, { budgetSeconds: 90, seed: 3, threads: THREADS })
  const defaults = r.trials.filter((t) => Object.keys(t.params).length === 0).map((t) => t.model)
  assert.deepEqual(defaults, AUTO_MODELS.slice(0, defaults.length), 'defaults in the cheap-first order')
  assert.ok(defaults.length >= 3, `at least the three cheap models ran: ${defaults.join(', ')}`)
  for (const t of r.trials) assert.ok(Number.isNaN(t.score) || t.score <= r.best.score, `${t.model} ${JSON.stringify(t.params)} ${t.score} beats the best`)
  assert.notEqual(r.best.model, 'popularity')
  const pop = r.trials.find((t) => t.model === 'popularity')!
  assert.ok(r.best.score > 2 * pop.score, `best ${r.best.score} vs popularity ${pop.score} on validation`)
  // Ends within the budget, give or take the scoring of the trial that met the deadline.
  assert.ok(r.seconds < 90 + 30, `${r.seconds} s`)
})

test('tune --auto (library): a tiny budget stops early and says how much was left untried; a zero budget is refused', async () => {
  const r = await autoTune(train, { budgetSeconds: 0.01, seed: 3, threads: THREADS })
  assert.deepEqual(r.trials.map((t) => t.model), ['popularity'], 'the first trial always completes, so there is a winner')
  assert.equal(r.best.model, 'popularity')
  assert.ok(r.untried > 100, `${r.untried} candidates left untried`)
  await assert.rejects(autoTune(train, { budgetSeconds: 0 }), (e) => isSegueError(e) && e.code === 'E_BAD_ARGUMENT')
})

test('tune --auto (library): an abort is E_INTERRUPTED', async () => {
  await assert.rejects(autoTune(train, { budgetSeconds: 60, signal: AbortSignal.abort(), threads: THREADS }), (e) => isSegueError(e) && e.code === 'E_INTERRUPTED')
})

// ---- the CLI and serve (compiled: dist/) ----

const CLI = join(repoRoot, 'dist', 'src', 'cli', 'main.js')
const homes: string[] = []
const newHome = () => {
  const h = mkdtempSync(join(tmpdir(), 'segue-auto-'))
  homes.push(h)
  return h
}
let service: SegueService | undefined
after(() => service?.close())

test('segue tune --auto --budget saves the winner, and serve loads it as its collaborative model', { timeout: 600_000 }, async () => {
  const home = newHome()
  const r = spawnSync(process.execPath, [CLI, '--home', home, '--no-progress', '--json', 'tune', '--auto', '--budget', '0.5'], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  const out = JSON.parse(r.stdout)
  assert.ok(out.trials.length >= 2, 'trials are reported')
  const winner = readAutoWinner(home, dataKey(hetrec))
  assert.ok(winner, 'the winner is recorded for the bundled HetRec data')
  assert.deepEqual([winner.model, winner.params, winner.score], [out.best.model, out.best.params, out.best.score])
  assert.ok(existsSync(join(home, 'models', `${winner.model}-service.art`)))
  const notes: string[] = []
  service = await SegueService.start({ home, catalogue: join(fixturesDir, 'engine', 'catalogue.csv'), log: (m) => notes.push(m) })
  assert.equal(service.collaborative?.name, winner.model)
  assert.deepEqual(service.collaborative?.params, winner.params)
  assert.equal(service.collaborative?.origin, 'loaded', 'the saved winner is loaded, not refitted')
  assert.ok(notes.some((m) => /chosen by tune --auto/.test(m)), notes.join('\n'))
})

test('serve ignores a winner saved for other listening data, and warns about an unreadable one', () => {
  const home = newHome()
  assert.equal(readAutoWinner(home, dataKey(hetrec)), null)
  const path = autoWinnerPath(home)
  const other = { model: 'ease', params: {}, metric: 'ndcg', k: 10, score: 0.3, dataKey: 'not-this-data', source: 'x', trials: 1, savedAt: '' }
  mkdirSync(join(home, 'models'), { recursive: true })
  writeFileSync(path, JSON.stringify(other))
  assert.equal(readAutoWinner(home, dataKey(hetrec)), null)
  writeFileSync(path, '{ not json')
  const warnings: string[] = []
  assert.equal(readAutoWinner(home, dataKey(hetrec), (m) => warnings.push(m)), null)
  assert.match(warnings[0], /not a readable tune --auto result/)
})

test('Ctrl-C during tune --auto stops it with nothing written', { timeout: 300_000 }, async () => {
  const home = newHome()
  const child = spawn(process.execPath, [CLI, '--home', home, 'tune', '--auto', '--budget', '2'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let err = ''
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  // The first progress line comes a quarter into the budget, i.e. mid-search.
  await new Promise<void>((resolve) => child.stderr.on('data', (d: Buffer) => {
    err += d.toString()
    if (/tune --auto/.test(err)) resolve()
  }))
  child.kill('SIGINT')
  const code = await exited
  assert.notEqual(code, 0, err)
  assert.match(err, /interrupted/)
  const models = join(home, 'models')
  assert.deepEqual(existsSync(models) ? readdirSync(models) : [], [], 'no winner, no model artifact, no temporary file')
  assert.equal(existsSync(autoWinnerPath(home)), false)
})
