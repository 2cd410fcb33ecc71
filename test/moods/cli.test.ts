import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot } from '../helpers/paths.js'
import { quadrantCatalogue } from './helpers.js'

const CLI = join(repoRoot, 'dist', 'src', 'cli', 'main.js')
const HEADER = ',track_id,artists,album_name,track_name,popularity,duration_ms,explicit,danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,time_signature,track_genre'

/** A 114k-layout catalogue of 160 tracks around the four quadrant corners. */
function catalogueCsv(): string {
  const rows = quadrantCatalogue(40).map((t, i) => {
    const f = Array.from(t.features)
    return [i, t.id, t.artists[0], 'album', t.name, 50, 200000, 'False', ...f, 'pop'].join(',')
  })
  return [HEADER, ...rows].join('\n') + '\n'
}

test('segue moods: list, train on labels (a bad file changes nothing), report --out', { skip: existsSync(CLI) ? false : 'dist/ is not built (npx tsc -p tsconfig.json)' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'segue-moods-cli-'))
  const home = join(dir, 'home')
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, '--home', home, '--no-progress', ...args], { encoding: 'utf8' })
  try {
    writeFileSync(join(dir, 'cat.csv'), catalogueCsv())
    assert.equal(run('import', join(dir, 'cat.csv')).status, 0)
    const list = run('--json', 'moods', 'list', 'Calm', '--n', '3')
    assert.equal(list.status, 0, list.stderr)
    const out = JSON.parse(list.stdout)
    assert.equal(out.source, 'kmeans')
    assert.deepEqual(out.moods.map((m: { name: string; tracks: number }) => [m.name, m.tracks]), [['Happy', 40], ['Energetic', 40], ['Calm', 40], ['Sad', 40]])
    for (const t of out.tracks) assert.match(t.name, /^Calm song/)
    const art = join(home, 'artifacts', 'moods.art')
    const before = readFileSync(art)

    writeFileSync(join(dir, 'bad.csv'), 'track_id,mood\nHappy-1,Happy\nSad-2,Gloomy\n')
    const bad = run('moods', 'train', '--labels', join(dir, 'bad.csv'))
    assert.equal(bad.status, 1)
    assert.match(bad.stderr.trim(), /^segue: .*bad\.csv:3 column 'mood' value 'Gloomy': unknown mood/)
    assert.equal(bad.stderr.trim().split('\n').length, 1, 'one line')
    assert.ok(readFileSync(art).equals(before), 'a bad labelled file leaves the saved moods as they were')

    writeFileSync(join(dir, 'good.csv'), ['track_id,feeling', ...quadrantCatalogue(40).filter((_, i) => i % 2 === 0).map((t) => `${t.id},${t.id.split('-')[0] === 'Energetic' ? 'Angry' : t.id.split('-')[0]}`)].join('\n'))
    const good = run('--json', 'moods', 'train', '--labels', join(dir, 'good.csv'), '--mood-column', 'feeling')
    assert.equal(good.status, 0, good.stderr)
    const report = JSON.parse(good.stdout)
    assert.equal(report.cv.model.accuracy, 1)
    assert.equal(report.labels.perMood.Energetic, 20, 'Angry is read as Energetic')
    assert.equal(JSON.parse(run('--json', 'moods', 'list').stdout).source, 'labels')

    const charts = join(dir, 'charts')
    const rep = run('--json', 'moods', 'report', '--labels', join(dir, 'good.csv'), '--mood-column', 'feeling', '--out', charts)
    assert.equal(rep.status, 0, rep.stderr)
    const summary = JSON.parse(rep.stdout)
    assert.equal(summary.labels.agreement.accuracy, 1, 'the k-means moods of the quadrant blobs agree with their labels')
    const data = JSON.parse(readFileSync(join(charts, 'moods-charts.json'), 'utf8'))
    assert.equal(data.scatter.points.length, 160)
    assert.deepEqual(data.elbow.map((e: { k: number }) => e.k), [2, 3, 4, 5, 6, 7, 8, 9, 10])
    assert.equal(data.silhouette.length, 9)
    assert.equal(data.chosenK, 4)
    assert.deepEqual(data.confusions[0].counts.map((r: number[]) => r.reduce((a, b) => a + b, 0)), [20, 20, 20, 20])
    assert.equal(data.distributions.length, 12 * 4, "the labelled model's twelve features x four moods")
    for (const name of ['moods-scatter', 'moods-elbow', 'moods-silhouette', 'moods-distributions', 'moods-confusion-song-model-5-fold-cv-on-labels']) {
      assert.ok(summary.pictures.includes(join(charts, `${name}.svg`)) && summary.pictures.includes(join(charts, `${name}.png`)), name)
      assert.ok(readFileSync(join(charts, `${name}.png`)).subarray(1, 4).equals(Buffer.from('PNG')), `${name}.png is a PNG`)
    }
    const scatter = readFileSync(join(charts, 'moods-scatter.svg'), 'utf8')
    for (const colour of ['#E69F00', '#D55E00', '#009E73', '#0072B2']) assert.ok(scatter.toLowerCase().includes(colour.toLowerCase()), `the scatter draws ${colour}, a mood's colour from moods.ts`)

    const noSurvey = run('moods', 'report', '--labels', join(dir, 'good.csv'), '--mood-column', 'feeling', '--survey', join(dir, 'none.csv'))
    assert.equal(noSurvey.status, 1)
    assert.match(noSurvey.stderr, /^segue: .*none\.csv/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
