import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SqliteStore } from '../../src/store/sqlite.js'
import { repoRoot } from '../helpers/paths.js'
import { csvId, quadrantCsv } from './helpers.js'

const CLI = join(repoRoot, 'dist', 'src', 'cli', 'main.js')

test('segue moods listener, moods list --listener and similar --mood, all with --json', { skip: existsSync(CLI) ? false : 'dist/ is not built (npx tsc -p tsconfig.json)' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'segue-moods-cli2-'))
  const home = join(dir, 'home')
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, '--home', home, '--no-progress', ...args], { encoding: 'utf8' })
  try {
    writeFileSync(join(dir, 'cat.csv'), quadrantCsv(40))
    assert.equal(run('import', join(dir, 'cat.csv')).status, 0)
    const store = new SqliteStore(join(home, 'segue.db'))
    await store.createListener({ id: 'ann', name: null, tokenHash: '0'.repeat(64), createdAt: new Date().toISOString() })
    await store.appendFeedback('ann', [0, 1, 2, 3].map((i) => ({ trackId: csvId('Sad', i), kind: 'play' as const })))
    await store.close()

    const mood = run('--json', 'moods', 'listener', 'ann', '--hour', '12')
    assert.equal(mood.status, 0, mood.stderr)
    const m = JSON.parse(mood.stdout)
    assert.deepEqual([m.mood, m.source], ['Sad', 'listening'])
    assert.equal(run('moods', 'listener', 'nobody').status, 1)
    assert.match(run('moods', 'listener', 'ann', '--hour', '25').stderr, /hour|25/)

    const list = run('--json', 'moods', 'list', 'Sad', '--listener', 'ann', '--n', '5')
    assert.equal(list.status, 0, list.stderr)
    const items = JSON.parse(list.stdout).items as { id: string }[]
    assert.equal(items.length, 5)
    for (const i of items) assert.ok(i.id.startsWith('Sad') && ![0, 1, 2, 3].some((k) => i.id === csvId('Sad', k)), i.id)

    const similar = run('--json', 'similar', csvId('Happy', 0), '--k', '6', '--mood', 'Calm')
    assert.equal(similar.status, 0, similar.stderr)
    const hits = JSON.parse(similar.stdout).items as { track: { id: string } }[]
    assert.equal(hits.length, 6)
    assert.ok(hits.every((h) => h.track.id.startsWith('Calm')), hits.map((h) => h.track.id).join(' '))
    assert.equal(run('similar', csvId('Happy', 0), '--mood', 'Furious').status, 1)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
