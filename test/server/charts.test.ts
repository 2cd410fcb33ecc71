import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp, OPENAPI_PATH } from '../../src/server/app.js'
import { SegueService } from '../../src/service/service.js'
import { loadChartContext } from '../../src/report/context.js'
import { CHARTS } from '../../src/viz/charts.js'
import { palette } from '../../src/viz/theme.js'
import { AUDIO_FEATURES, type Track } from '../../src/core/track.js'
import { fixturesDir } from '../helpers/paths.js'

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
