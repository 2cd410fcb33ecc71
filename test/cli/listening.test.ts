import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot } from '../helpers/paths.js'

const CLI = join(repoRoot, 'dist', 'src', 'cli', 'main.js')
const home = mkdtempSync(join(tmpdir(), 'segue-cli-cf-'))

function segue(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, '--home', home, '--no-progress', ...args], { encoding: 'utf8' })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

/** Listeners per artist, and user 2's artists, counted straight from the bundled file (not through segue). */
function rawCounts() {
  const text = gunzipSync(readFileSync(join(repoRoot, 'data', 'hetrec2011-lastfm-2k', 'user_artists.dat.gz'))).toString('utf8')
  const listeners = new Map<string, number>()
  const mine = new Set<string>()
  for (const line of text.split(/\r?\n/).slice(1)) {
    const [user, artist] = line.split('\t')
    if (!artist) continue
    listeners.set(artist, (listeners.get(artist) ?? 0) + 1)
    if (user === '2') mine.add(artist)
  }
  return { listeners, mine }
}

test('popularity recommends the most-listened artists the listener has not played', () => {
  const { listeners, mine } = rawCounts()
  const expected = [...listeners]
    .filter(([a]) => !mine.has(a))
    .sort((a, b) => b[1] - a[1] || Number(a[0]) - Number(b[0]))
    .slice(0, 3)
  const r = segue('--json', 'recommend', '--user', '2', '--model', 'popularity', '--n', '3')
  assert.equal(r.code, 0, r.err)
  const items = JSON.parse(r.out).items as { item: string; name: string; score: number }[]
  assert.deepEqual(items.map((i) => i.item), expected.map(([a]) => a))
  assert.deepEqual(items.map((i) => i.score), expected.map(([, n]) => n))
  assert.equal(items[0].name, 'Britney Spears')
})

test('a new listener from seed artists gets recommendations without the seeds', () => {
  const r = segue('--json', 'recommend', '--seeds', 'Britney Spears', 'Christina Aguilera', '--model', 'item-knn', '--n', '5')
  assert.equal(r.code, 0, r.err)
  const names = (JSON.parse(r.out).items as { name: string }[]).map((i) => i.name)
  assert.equal(names.length, 5)
  assert.ok(!names.includes('Britney Spears') && !names.includes('Christina Aguilera'))
})

test('train saves a model and evaluate compares models on one split', () => {
  const t = segue('train', '--model', 'item-knn', '--param', 'k=50')
  assert.equal(t.code, 0, t.err)
  assert.ok(existsSync(join(home, 'models', 'item-knn.art')))
  const reuse = segue('--json', 'recommend', '--user', '2', '--model', 'item-knn', '--param', 'k=50', '--n', '3')
  assert.equal(reuse.code, 0, reuse.err)
  assert.equal(JSON.parse(reuse.out).origin, 'loaded', 'the saved model is reused, not refitted')
  writeFileSync(join(home, 'models', 'item-knn.art'), 'damaged')
  const again = segue('--json', 'recommend', '--user', '2', '--model', 'item-knn', '--param', 'k=50', '--n', '3')
  assert.equal(again.code, 0, again.err)
  assert.equal(JSON.parse(again.out).origin, 'fitted')
  assert.match(again.err, /item-knn\.art.*retraining/)
  assert.deepEqual(JSON.parse(again.out).items, JSON.parse(reuse.out).items)

  const e = segue('--json', 'evaluate', '--models', 'popularity', 'item-knn', '--k', '10', '--metrics', 'precision', 'ndcg', 'coverage')
  assert.equal(e.code, 0, e.err)
  const [pop, knn] = JSON.parse(e.out) as { model: string; overall: { metrics: Record<string, number> } }[]
  assert.deepEqual([pop.model, knn.model], ['popularity', 'item-knn'])
  assert.ok(knn.overall.metrics.precision > 1.5 * pop.overall.metrics.precision, JSON.stringify([pop, knn]))
  assert.ok(existsSync(join(home, 'reports', 'evaluate.json')))
})

test('listening-command errors are one clear line', () => {
  const cases: [string[], RegExp][] = [
    [['recommend', '--user', '2', '--seeds', 'x'], /exactly one of --user or --seeds/],
    [['recommend', '--user', 'nobody', '--model', 'popularity'], /unknown user 'nobody'/],
    [['recommend', '--seeds', 'No Such Artist Anywhere', '--model', 'popularity'], /no item has the id or name/],
    [['train', '--model', 'item-knn', '--param', 'colour=blue'], /colour/],
    [['evaluate', '--metrics', 'happiness'], /unknown metric 'happiness'/],
    [['recommend', '--user', '2', '--listens', '/nonexistent/plays.csv'], /file or folder not found/],
  ]
  for (const [args, message] of cases) {
    const r = segue(...args)
    assert.notEqual(r.code, 0, args.join(' '))
    assert.match(r.err, message)
    assert.doesNotMatch(r.err, /\n\s+at /)
  }
})
