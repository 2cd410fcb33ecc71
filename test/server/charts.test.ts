import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { PCA } from 'ml-pca'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp, OPENAPI_PATH } from '../../src/server/app.js'
import { SegueService } from '../../src/service/service.js'
import { loadChartContext } from '../../src/report/context.js'
import { CHARTS } from '../../src/viz/charts.js'
import { palette } from '../../src/viz/theme.js'
import { AUDIO_FEATURES, type Track } from '../../src/core/track.js'
import { fixturesDir } from '../helpers/paths.js'
import { bundledCatalogue } from '../../src/core/paths.js'
import { DEFAULT_MOOD_CONFIG } from '../../src/moods/model.js'

// The chart routes over the nine-track engine fixture (every track in a major key, none explicit), through
// app.inject(): the list, a spec whose numbers are known, SVG, PNG, caching headers and the 404.
let home: string
let service: SegueService
let app: FastifyInstance

before(async () => {
  home = mkdtempSync(join(tmpdir(), 'segue-charts-api-'))
  service = await SegueService.start({ home, catalogue: join(fixturesDir, 'engine', 'catalogue.csv'), listening: null })
  app = await createApp(service, { webRoot: null })
}, { timeout: 120_000 })

after(async () => {
  await app?.close()
  await service?.close()
  rmSync(home, { recursive: true, force: true })
})

const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers })
/** The fixture's first track, "Seed Song" (energy 0.5, valence 0.5). */
const SEED = 'seed0000000000000000001'
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

describe('chart routes', () => {
  test('GET /api/charts lists every chart of the registry with its title and description', async () => {
    const r = await get('/api/charts')
    assert.equal(r.statusCode, 200)
    const { charts } = r.json() as { charts: { name: string; title: string; description: string }[] }
    assert.deepEqual(charts.map((c) => c.name), Object.keys(CHARTS))
    const modes = charts.find((c) => c.name === 'modes')!
    assert.equal(modes.title, CHARTS.modes.title)
    assert.equal(modes.description, CHARTS.modes.description)
  })

  test('a spec is Vega-Lite drawn from the catalogue, with the theme asked for', async () => {
    const r = await get('/api/charts/modes')
    assert.equal(r.statusCode, 200)
    assert.match(String(r.headers['content-type']), /^application\/json/)
    const spec = r.json()
    assert.match(spec.$schema, /vega-lite/)
    // All nine fixture tracks are in a major key.
    assert.deepEqual(spec.data.values.map((v: { category: string; value: number }) => [v.category, v.value]), [['Major', 1], ['Minor', 0]])
    assert.equal(spec.config.background, palette('light').background, 'light unless asked')
    const dark = (await get('/api/charts/modes?theme=dark')).json()
    assert.equal(dark.config.background, palette('dark').background)
    assert.deepEqual(dark.data, spec.data)
  })

  test("catalogue charts, built on the chart thread from the store, equal the ones built from the service's tracks", async () => {
    for (const name of ['feature-correlation', 'top-collaborators']) {
      const { config: _config, ...spec } = (await get(`/api/charts/${name}`)).json()
      assert.deepEqual(spec, JSON.parse(JSON.stringify(CHARTS[name].build({ tracks: service.view.tracks }))), name)
    }
  })

  test('format=svg draws an SVG document with the chart title in it', async () => {
    const r = await get('/api/charts/modes?format=svg')
    assert.equal(r.statusCode, 200)
    assert.equal(r.headers['content-type'], 'image/svg+xml')
    assert.match(r.body, /^<svg[\s\S]*Major and minor[\s\S]*<\/svg>$/)
    assert.match(r.body, new RegExp(palette('light').background, 'i'))
    const dark = await get('/api/charts/modes?format=svg&theme=dark')
    assert.match(dark.body, new RegExp(palette('dark').background, 'i'))
  })

  test('format=png draws a PNG image', async () => {
    const r = await get('/api/charts/keys?format=png')
    assert.equal(r.statusCode, 200)
    assert.equal(r.headers['content-type'], 'image/png')
    const bytes = r.rawPayload
    assert.deepEqual(bytes.subarray(0, 8), PNG_SIGNATURE)
    assert.ok(bytes.readUInt32BE(16) > 200 && bytes.readUInt32BE(20) > 100, 'IHDR: a chart-sized image')
  })

  test('a drawing is made once: the second request is the same bytes with the same validator, and revalidates to 304', async () => {
    const a = await get('/api/charts/explicit-share?format=svg')
    const b = await get('/api/charts/explicit-share?format=svg')
    assert.equal(a.body, b.body)
    assert.ok(a.headers.etag)
    assert.equal(a.headers.etag, b.headers.etag)
    assert.notEqual((await get('/api/charts/explicit-share?format=png')).headers.etag, a.headers.etag, 'each format has its own validator')
    const again = await get('/api/charts/explicit-share?format=svg', { 'if-none-match': String(a.headers.etag) })
    assert.equal(again.statusCode, 304)
    assert.equal(again.body, '', 'no body')
  })

  test('an unknown chart is a 404 in the API error shape; a bad format a 400', async () => {
    const r = await get('/api/charts/no-such-chart?format=png')
    assert.equal(r.statusCode, 404)
    assert.equal(r.json().error.code, 'E_NOT_FOUND')
    assert.match(r.json().error.message, /no chart 'no-such-chart'/)
    assert.equal((await get('/api/charts/__proto__')).statusCode, 404, 'no prototype keys')
    const bad = await get('/api/charts/modes?format=gif')
    assert.equal(bad.statusCode, 400)
    assert.equal(bad.json().error.code, 'E_VALIDATION')
  })

  test('both routes are in the OpenAPI document', async () => {
    const doc = (await get(OPENAPI_PATH)).json()
    assert.ok(doc.paths['/api/charts'].get)
    const one = doc.paths['/api/charts/{name}'].get
    assert.ok(one)
    assert.deepEqual(one.parameters.filter((p: { in: string }) => p.in === 'query').map((p: { name: string }) => p.name).sort(), ['format', 'highlight', 'theme'])
  })
})

describe('charts of data other than the catalogue', () => {
  test('are built on the chart thread from their files, the same spec as built here', async () => {
    const name = 'aggregates-popularity-by-year'
    const list = (await get('/api/charts')).json().charts as { name: string; needs: string[] }[]
    assert.deepEqual(list.find((c) => c.name === name)?.needs, ['aggregates'])
    assert.deepEqual(list.find((c) => c.name === 'modes')?.needs, ['tracks'])
    const r = await get(`/api/charts/${name}`)
    assert.equal(r.statusCode, 200)
    const { config: _config, ...spec } = r.json()
    const { ctx } = await loadChartContext(new Set(['aggregates'] as const))
    assert.deepEqual(spec, JSON.parse(JSON.stringify(CHARTS[name].build(ctx))))
  })
})

describe('a track marked on a chart that can place it', () => {
  // A stand-in cluster map over the fixture: energy against valence, placing a track by its own features.
  const name = 'test-energy-valence'
  const feature = (t: Track, f: string) => t.features[AUDIO_FEATURES.indexOf(f as never)]
  before(() => {
    CHARTS[name] = {
      title: 'Energy and valence',
      description: 'Every track by its energy and valence (a test chart).',
      build: ({ tracks }) => ({
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        title: 'Energy and valence',
        data: { values: tracks.map((t) => ({ e: feature(t, 'energy'), v: feature(t, 'valence') })) },
        mark: 'point',
        encoding: { x: { field: 'e', type: 'quantitative' }, y: { field: 'v', type: 'quantitative' } },
      }),
      locate: ({ tracks }, id) => {
        const t = tracks.find((x) => x.id === id)
        return t ? { x: feature(t, 'energy'), y: feature(t, 'valence') } : null
      },
    }
  })
  after(() => {
    delete CHARTS[name]
  })

  test('?highlight= adds a ring and the track name at its place, over the chart as it was', async () => {
    const list = (await get('/api/charts')).json().charts as { name: string; highlightable: boolean }[]
    assert.equal(list.find((c) => c.name === name)?.highlightable, true)
    assert.equal(list.find((c) => c.name === 'modes')?.highlightable, false)
    const plain = (await get(`/api/charts/${name}`)).json()
    const r = await get(`/api/charts/${name}?highlight=${SEED}`)
    assert.equal(r.statusCode, 200)
    const spec = r.json()
    assert.equal(spec.title, 'Energy and valence')
    assert.deepEqual(spec.layer[0].data, plain.data, 'the chart itself is the first layer')
    assert.deepEqual(spec.layer[1].data.values, [{ e: 0.5, v: 0.5, label: 'Seed Song' }], "the seed's energy and valence (fixture row 0)")
    assert.equal(spec.layer[2].encoding.text.field, 'label')
    const svg = await get(`/api/charts/${name}?highlight=${SEED}&format=svg`)
    assert.match(svg.body, /Seed Song/, 'drawn with the name')
    assert.notEqual(svg.headers.etag, (await get(`/api/charts/${name}?format=svg`)).headers.etag)
  })

  test('a chart that cannot place tracks is a 400, an unknown track a 404', async () => {
    const r = await get(`/api/charts/modes?highlight=${SEED}`)
    assert.equal(r.statusCode, 400)
    assert.match(r.json().error.message, /cannot mark a track/)
    const missing = await get(`/api/charts/${name}?highlight=nope`)
    assert.equal(missing.statusCode, 404)
    assert.equal(missing.json().error.code, 'E_NOT_FOUND')
  })
})

// The mood charts and the artist network over a slice of the real bundled 114k catalogue: every 300th row (about
// 380 tracks across its genres), served the way the server serves any home (moods built on a worker, saved).
describe('charts of the saved song moods, over a real catalogue slice', () => {
  /** Every n-th row of the bundled catalogue: small enough to cluster in a second, spread over all its genres. */
  const STRIDE = 300
  let dir: string
  let moodService: SegueService
  let moodApp: FastifyInstance
  const getMood = (url: string) => moodApp.inject({ method: 'GET', url })

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'segue-charts-moods-'))
    const lines = gunzipSync(readFileSync(bundledCatalogue())).toString('utf8').split('\n').filter((l) => l.length > 0)
    writeFileSync(join(dir, 'catalogue.csv'), [lines[0], ...lines.slice(1).filter((_, i) => i % STRIDE === 0)].join('\n') + '\n')
    moodService = await SegueService.start({ home: join(dir, 'home'), catalogue: join(dir, 'catalogue.csv'), listening: null })
    moodApp = await createApp(moodService, { webRoot: null })
  }, { timeout: 120_000 })

  after(async () => {
    await moodApp?.close()
    await moodService?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  test('moods-scatter draws every track in its mood, from the moods the server built (on the chart thread)', async () => {
    const r = await getMood('/api/charts/moods-scatter') // asked before the classifier is ready: waits for it
    assert.equal(r.statusCode, 200)
    const spec = r.json()
    assert.doesNotMatch(JSON.stringify(spec), /No mood data/)
    const points = spec.data.values as { x: number; y: number; category: string }[]
    const tracks = moodService.view.tracks
    assert.equal(points.length, tracks.length, 'a slice this small is drawn whole')
    const served = new Map<string, number>()
    for (const t of tracks) served.set(moodService.moods.current.moodOf(t.id)!, (served.get(moodService.moods.current.moodOf(t.id)!) ?? 0) + 1)
    const drawn = new Map<string, number>()
    for (const p of points) drawn.set(p.category, (drawn.get(p.category) ?? 0) + 1)
    assert.deepEqual(drawn, served, "each point in the mood the server serves for it")
    assert.equal(moodService.moods.current.source, 'kmeans')
    const elbow = (await getMood('/api/charts/moods-elbow')).json()
    assert.deepEqual(elbow.data.values.map((v: { x: number }) => v.x), [2, 3, 4, 5, 6, 7, 8, 9, 10])
  })

  test('?highlight= marks a track at its PC1/PC2 place, as an independent PCA of the standardised features puts it', async () => {
    const tracks = moodService.view.tracks
    const feats = DEFAULT_MOOD_CONFIG.features.map((f) => AUDIO_FEATURES.indexOf(f))
    // independent: population standardisation, then ml-pca by SVD of the data (the chart uses the covariance)
    const cols = feats.map((j) => tracks.map((t) => t.features[j]))
    const mean = cols.map((c) => c.reduce((a, b) => a + b, 0) / c.length)
    const sd = cols.map((c, k) => Math.sqrt(c.reduce((a, b) => a + (b - mean[k]) ** 2, 0) / c.length))
    const z = tracks.map((t) => feats.map((j, k) => (t.features[j] - mean[k]) / sd[k]))
    const scores = new PCA(z, { center: false, scale: false }).predict(z, { nComponents: 2 })
    const signs: number[][] = []
    for (const row of [0, Math.floor(tracks.length / 2), tracks.length - 1]) {
      const t = tracks[row]
      const r = await getMood(`/api/charts/moods-scatter?highlight=${t.id}`)
      assert.equal(r.statusCode, 200, r.body)
      const [marker] = r.json().layer[1].data.values as { x: number; y: number; label: string }[]
      assert.equal(marker.label, t.name)
      const [pc1, pc2] = [scores.get(row, 0), scores.get(row, 1)]
      assert.ok(Math.abs(Math.abs(marker.x) - Math.abs(pc1)) < 1e-3, `PC1 ${marker.x} vs ${pc1}`)
      assert.ok(Math.abs(Math.abs(marker.y) - Math.abs(pc2)) < 1e-3, `PC2 ${marker.y} vs ${pc2}`)
      signs.push([Math.sign(marker.x * pc1), Math.sign(marker.y * pc2)])
    }
    assert.ok(signs.every((s) => s[0] === signs[0][0] && s[1] === signs[0][1]), 'one orientation of each axis for every track')
    const list = (await getMood('/api/charts')).json().charts as { name: string; highlightable: boolean; needs: string[] }[]
    assert.deepEqual(list.find((c) => c.name === 'moods-scatter'), { ...list.find((c) => c.name === 'moods-scatter')!, highlightable: true, needs: ['tracks', 'moods'] })
    const svg = await getMood(`/api/charts/moods-scatter?highlight=${tracks[0].id}&format=svg`)
    assert.match(svg.body, /<svg/)
  })

  test('network edges read on both themes: at least 3:1 contrast against the background (WCAG non-text)', async () => {
    for (const theme of ['dark', 'light'] as const) {
      const svg = (await getMood(`/api/charts/artist-network?format=svg&theme=${theme}`)).body
      const rules = [...svg.matchAll(/<g class="mark-rule[^"]*"[^>]*>([\s\S]*?)<\/g>/g)].map((m) => m[1])
      const line = /<line[^>]*>/.exec(rules.join(''))?.[0]
      assert.ok(line, `${theme}: the network has edges drawn as lines`)
      const stroke = NAMED[/stroke="([^"]+)"/.exec(line)?.[1] ?? 'black'] ?? /stroke="([^"]+)"/.exec(line)![1]
      const opacity = Number(/stroke-opacity="([\d.]+)"/.exec(line)?.[1] ?? /opacity="([\d.]+)"/.exec(line)?.[1] ?? 1)
      const bg = palette(theme).background
      const ratio = contrast(blend(stroke, bg, opacity), rgb(bg))
      assert.ok(ratio >= 3, `${theme}: edge ${stroke} at ${opacity} on ${bg} has contrast ${ratio.toFixed(2)}`)
    }
  })
})

/** Colour names vega writes for an unset stroke. */
const NAMED: Record<string, string> = { black: '#000000', white: '#ffffff' }
const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16))
const blend = (fg: string, bg: string, a: number) => rgb(fg).map((c, i) => a * c + (1 - a) * rgb(bg)[i])
/** WCAG 2 relative luminance and contrast ratio. */
function luminance(c: number[]): number {
  const [r, g, b] = c.map((v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4))
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}
function contrast(a: number[], b: number[]): number {
  const [lo, hi] = [luminance(a), luminance(b)].sort((x, y) => x - y)
  return (hi + 0.05) / (lo + 0.05)
}
