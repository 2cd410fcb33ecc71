import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fixturesDir, repoRoot } from '../../helpers/paths.js'

// Runs the built CLI (dist/): refresh it with `npx tsc -p tsconfig.json` first.
const CLI = join(repoRoot, 'dist', 'src', 'cli', 'main.js')
const dir = join(fixturesDir, 'playlists')

function segue(...args: string[]) {
  const home = mkdtempSync(join(tmpdir(), 'segue-playlists-cli-'))
  try {
    return spawnSync(process.execPath, [CLI, '--home', home, '--no-progress', ...args], { encoding: 'utf8' })
  } finally {
    rmSync(home, { recursive: true, force: true })
  }
}

test('segue playlists stats --json: counts, repeats, lengths and coverage by id and by name', () => {
  const r = segue('playlists', 'stats', join(dir, 'tsv'), '--catalogue', join(dir, 'catalogue.csv'), '--json')
  assert.equal(r.status, 0, r.stderr)
  const out = JSON.parse(r.stdout)
  // Playlist 7 lists track 1 twice (a repeat); track 1 is in the catalogue by id (2 rows), track 2 by its
  // artist and folded title (2 rows); Slow Tide is by another artist there, so it stays unlinked.
  assert.deepEqual(out.stats, {
    playlists: 3, rows: 9, tracks: 6, repeats: 1, length: { min: 2, median: 3, max: 4 },
    catalogue: { byId: 1, byName: 1, rowsById: 2, rowsByName: 2 },
  })
  assert.deepEqual(out.catalogue, { file: join(dir, 'catalogue.csv'), tracks: 3 })
  assert.equal(out.report.layout, 'tsv')
  assert.ok(out.readSeconds >= 0)
})

test('segue playlists stats prints a short summary', () => {
  const r = segue('playlists', 'stats', join(dir, 'mpd'), '--no-catalogue')
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /^read .*mpd \(mpd, 2 files\) in \d+\.\d s\n4 playlists, 8 rows, 5 distinct tracks, 1 repeats .*\ntracks per playlist: min 1, median 2, max 3\n$/)
})

test('segue playlists stats: errors are one line and a non-zero exit', () => {
  const cases: [string[], RegExp][] = [
    [[join(dir, 'absent')], /^segue: .*absent: no such file or folder$/],
    [[fixturesDir], /^segue: .*fixtures: no playlist data found \(looked for playlists\.tsv/],
    [[join(dir, 'catalogue.csv')], /^segue: .*catalogue\.csv: not a playlist file segue knows/],
  ]
  for (const [args, expected] of cases) {
    const r = segue('playlists', 'stats', ...args, '--no-catalogue')
    assert.notEqual(r.status, 0)
    assert.equal(r.stdout, '')
    const lines = r.stderr.trimEnd().split('\n')
    assert.equal(lines.length, 1, r.stderr)
    assert.match(lines[0], expected)
  }
})
