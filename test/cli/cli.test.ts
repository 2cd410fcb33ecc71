import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fixturesDir, repoRoot } from '../helpers/paths.js'

const CLI = join(repoRoot, 'dist', 'src', 'cli', 'main.js')
const FIXTURE = join(fixturesDir, 'engine', 'catalogue.csv')

function segue(home: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, '--home', home, ...args], { encoding: 'utf8' })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

const freshHome = () => mkdtempSync(join(tmpdir(), 'segue-cli-'))

test('import, then search, similar and stats, as text and as JSON', () => {
  const home = freshHome()
  const imp = segue(home, 'import', FIXTURE)
  assert.equal(imp.code, 0, imp.err)
  assert.match(imp.out, /9 rows -> 9 tracks/)
  assert.match(imp.out, /9 added, 0 updated, 0 unchanged/)

  const again = segue(home, '--json', 'import', FIXTURE)
  assert.equal(again.code, 0, again.err)
  const second = JSON.parse(again.out)
  assert.deepEqual([second.outcome.added, second.outcome.updated, second.outcome.unchanged], [0, 0, 9])

  const search = JSON.parse(segue(home, '--json', 'search', 'distnt', 'thundr').out)
  assert.equal(search[0].name, 'Distant Thunder')

  const sim = segue(home, '--json', 'similar', 'seed0000000000000000001', '--k', '2', '--metric', 'euclidean', '--exact')
  assert.equal(sim.code, 0, sim.err)
  const result = JSON.parse(sim.out)
  assert.equal(result.seed.name, 'Seed Song')
  assert.equal(result.items.length, 2)
  assert.equal(result.mode, 'exact')

  const text = segue(home, 'similar', 'Seed', 'Song', '--k', '2')
  assert.equal(text.code, 0, text.err)
  assert.match(text.out, /tracks like Seed Song — Alpha/)

  const stats = JSON.parse(segue(home, '--json', 'stats').out)
  assert.equal(stats.tracks, 9)
  assert.deepEqual(stats.genres.map((g: { name: string }) => g.name), ['pop', 'rock'])
  const energy = stats.features.find((f: { name: string }) => f.name === 'energy')
  assert.deepEqual([energy.min, energy.max], [0.5, 0.95])
})

test('errors are one line with a non-zero exit, never a stack trace', () => {
  const home = freshHome()
  const cases: [string[], RegExp][] = [
    [['import', '/nonexistent/file.csv'], /\/nonexistent\/file\.csv/],
    [['similar', 'anything'], /catalogue is empty/],
    [['similar', 'x', '--k', 'abc'], /whole number/],
    [['similar', 'x', '--metric', 'hamming'], /hamming/],
  ]
  for (const [args, message] of cases) {
    const r = segue(home, ...args)
    assert.notEqual(r.code, 0, args.join(' '))
    assert.match(r.err, message)
    assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace')
  }
})

test('a strict import of a bad file fails and keeps the previous catalogue', () => {
  const home = freshHome()
  assert.equal(segue(home, 'import', FIXTURE).code, 0)
  const bad = join(freshHome(), 'bad.csv')
  const lines = [
    ',track_id,artists,album_name,track_name,popularity,duration_ms,explicit,danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,time_signature,track_genre',
    '0,newtrack00000000000001,X,A,New,1,1000,False,0.5,0.5,1,-5,1,0.1,0.1,0,0.1,0.5,100,4,pop',
    '1,newtrack00000000000002,Y,A,Broken,1,1000,False,abc,0.5,1,-5,1,0.1,0.1,0,0.1,0.5,100,4,pop',
  ]
  writeFileSync(bad, lines.join('\n') + '\n')
  const r = segue(home, 'import', bad, '--strict')
  assert.equal(r.code, 1)
  assert.match(r.err, /bad\.csv:3 column 'danceability' value 'abc'/)
  assert.equal(JSON.parse(segue(home, '--json', 'stats').out).tracks, 9)

  const lenient = segue(home, 'import', bad)
  assert.equal(lenient.code, 0, lenient.err)
  assert.match(lenient.out, /skipped 1 malformed rows/)
  assert.equal(JSON.parse(segue(home, '--json', 'stats').out).tracks, 10)
})
