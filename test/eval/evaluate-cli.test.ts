import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot } from '../helpers/paths.js'

const CLI = join(repoRoot, 'dist', 'src', 'cli', 'main.js')

// Off a terminal the progress view prints a line per quarter on stderr; before, evaluate printed
// "evaluate popularity: 0%" and nothing more until the table.
test('segue evaluate: progress moves while test users are scored, AUC included', { timeout: 300_000 }, () => {
  const home = mkdtempSync(join(tmpdir(), 'segue-eval-cli-'))
  const r = spawnSync(process.execPath, [CLI, '--home', home, 'evaluate', '--models', 'popularity', '--metrics', 'auc', 'precision', '--out', join(home, 'r.json')], {
    encoding: 'utf8',
  })
  assert.equal(r.status, 0, r.stderr)
  const lines = r.stderr.split('\n').filter((l) => /^evaluate popularity: \d+%$/.test(l))
  assert.deepEqual(lines, ['evaluate popularity: 0%', 'evaluate popularity: 25%', 'evaluate popularity: 50%', 'evaluate popularity: 75%', 'evaluate popularity: 100%'])
  const [result] = JSON.parse(readFileSync(join(home, 'r.json'), 'utf8')).results as { overall: { metrics: { auc: number } } }[]
  assert.ok(result.overall.metrics.auc > 0.8 && result.overall.metrics.auc < 0.85, `auc ${result.overall.metrics.auc}`)
})

// Before, every evaluate parsed HetRec's five files again (about 2 s of CPU of a 3-4 s command): now the home's
// saved listening data (the artifact `serve` also uses) is read, and the source parsed only when it changed.
test('segue evaluate parses HetRec once per home and then loads the saved listening data, same report', { timeout: 300_000 }, () => {
  const home = mkdtempSync(join(tmpdir(), 'segue-eval-saved-'))
  const run = (out: string) => {
    const r = spawnSync(process.execPath, [CLI, '--home', home, 'evaluate', '--models', 'popularity', '--metrics', 'precision', 'ndcg', '--out', join(home, out)], { encoding: 'utf8' })
    assert.equal(r.status, 0, r.stderr)
    return { reads: r.stderr.split('\n').filter((l) => /^read (plays|artists|tags|taggings|friends): 100%$/.test(l)), results: JSON.parse(readFileSync(join(home, out), 'utf8')).results }
  }
  const first = run('a.json')
  assert.deepEqual(first.reads, ['read plays: 100%', 'read artists: 100%'], 'plays and artist names only: tags, taggings and friends are not read')
  assert.ok(existsSync(join(home, 'artifacts', 'listening.art')))
  const second = run('b.json')
  assert.deepEqual(second.reads, [], 'the second run reads no source file')
  const metrics = (rs: { overall: unknown; segments?: unknown }[]) => rs.map((r) => [r.overall, r.segments])
  assert.deepEqual(metrics(second.results), metrics(first.results))
})
