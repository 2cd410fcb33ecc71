// SVG through vega's headless view and PNG through resvg with the bundled fonts, without a browser; files are
// written whole or not at all.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { barSpec } from '../../src/viz/bar.js'
import { clearPngCache, fontFiles, pngCacheStats, toPixels, toPng, toSvg, writeChart } from '../../src/viz/render.js'
import { palette } from '../../src/viz/theme.js'
import { isSegueError } from '../../src/core/errors.js'
import { repoRoot } from '../helpers/paths.js'

const TITLE = 'Tracks per key'
const spec = barSpec({ title: TITLE, xTitle: 'Key', yTitle: 'Tracks', bars: [{ category: 'C', value: 30 }, { category: 'D', value: 12 }, { category: 'E', value: 21 }] })

test('toSvg draws a standalone SVG with the title, the axis titles and the theme background', async () => {
  for (const theme of ['light', 'dark'] as const) {
    const warnings: string[] = []
    const svg = await toSvg(spec, { theme, onWarning: (w) => warnings.push(w) })
    assert.match(svg, /^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/)
    for (const text of [TITLE, 'Key', 'Tracks']) assert.ok(svg.includes(`>${text}</text>`), `${theme}: '${text}' drawn`)
    assert.ok(svg.includes(`fill="${palette(theme).background}"`), `${theme} background`)
    assert.ok(svg.includes('DejaVu Sans'), 'text set in the bundled font')
    assert.deepEqual(warnings, [])
  }
})

test('toSvg refuses a spec vega-lite cannot compile with E_BAD_ARGUMENT', async () => {
  await assert.rejects(toSvg({ mark: 'nonsense', data: { values: [] } } as never), (e) => isSegueError(e) && e.code === 'E_BAD_ARGUMENT')
})

test('toPng gives a PNG at the asked scale', async () => {
  const svg = await toSvg(spec)
  const width = Number(/width="(\d+)"/.exec(svg)![1])
  const png = await toPng(svg, { scale: 2 })
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  assert.equal(png.readUInt32BE(16), width * 2, 'IHDR width')
})

test('the PNG is not blank: many pixels differ from the background', async () => {
  const { pixels, width, height } = await toPixels(await toSvg(spec, { theme: 'dark' }), { scale: 1 })
  assert.equal(pixels.length, width * height * 4)
  const bg = [0x14, 0x18, 0x21] // the dark theme's background, #141821
  let other = 0
  for (let i = 0; i < pixels.length; i += 4) if (pixels[i] !== bg[0] || pixels[i + 1] !== bg[1] || pixels[i + 2] !== bg[2]) other++
  assert.ok(other > 0.05 * width * height, `${other} of ${width * height} pixels drawn`)
})

test('text is drawn with the bundled font: removing only the title text changes the pixels of the title', async () => {
  const svg = await toSvg(spec)
  assert.ok(svg.includes(`>${TITLE}</text>`))
  const withTitle = await toPixels(svg, { scale: 1 })
  const without = await toPixels(svg.replace(`>${TITLE}</text>`, '></text>'), { scale: 1 })
  assert.equal(withTitle.pixels.length, without.pixels.length, 'same layout')
  let differ = 0
  for (let i = 0; i < withTitle.pixels.length; i += 4) if (withTitle.pixels.readUInt32BE(i) !== without.pixels.readUInt32BE(i)) differ++
  // 14 glyphs at 15 px cover a few hundred pixels; no font would draw none
  assert.ok(differ > 200, `${differ} pixels differ`)
})

test('the bundled font files exist and the renderer uses no system fonts', () => {
  for (const f of fontFiles()) assert.ok(readFileSync(f).length > 100_000, f)
  assert.match(readFileSync(join(repoRoot, 'src', 'viz', 'render.ts'), 'utf8'), /loadSystemFonts: false/)
})

test('writeChart writes SVG, PNG or JSON by extension, and leaves no temporary file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'segue-viz-'))
  await writeChart(join(dir, 'keys.svg'), spec)
  await writeChart(join(dir, 'keys.png'), spec, { scale: 1 })
  await writeChart(join(dir, 'keys.json'), spec, { theme: 'dark' })
  assert.deepEqual(readdirSync(dir).sort(), ['keys.json', 'keys.png', 'keys.svg'])
  assert.ok(readFileSync(join(dir, 'keys.svg'), 'utf8').includes(TITLE))
  assert.equal(readFileSync(join(dir, 'keys.png')).toString('latin1', 1, 4), 'PNG')
  const json = JSON.parse(readFileSync(join(dir, 'keys.json'), 'utf8'))
  assert.equal(json.config.background, palette('dark').background)
  assert.deepEqual(json.data, (spec as { data: unknown }).data)
})

test('writeChart never leaves a partial file: a failed render keeps the old file; bad paths are clear errors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'segue-viz-'))
  const path = join(dir, 'chart.svg')
  writeFileSync(path, 'old')
  await assert.rejects(writeChart(path, { mark: 'nonsense', data: { values: [] } } as never), (e) => isSegueError(e) && e.code === 'E_BAD_ARGUMENT')
  assert.equal(readFileSync(path, 'utf8'), 'old')
  await assert.rejects(writeChart(join(dir, 'chart.gif'), spec), (e) => isSegueError(e) && e.code === 'E_BAD_ARGUMENT' && /\.svg, \.png or \.json/.test(e.message))
  await assert.rejects(writeChart(join(dir, 'missing', 'chart.svg'), spec), (e) => isSegueError(e) && e.code === 'E_INPUT_FILE')
  assert.deepEqual(readdirSync(dir), ['chart.svg'])
})

test('only render.ts loads vega, vega-lite and resvg, and only on first use (no top-level value imports)', () => {
  const dir = join(repoRoot, 'src', 'viz')
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
    const src = readFileSync(join(dir, f), 'utf8')
    const eager = /^import\s+(?!type\b)[^'"]*from\s+'(vega|vega-lite|@resvg\/resvg-js)'/m.exec(src)
    assert.equal(eager, null, `${f} imports ${eager?.[1]} at load time`)
  }
})

test('the same SVG at the same scale is drawn to PNG once; callers get their own copy', async () => {
  clearPngCache()
  const svg = await toSvg(spec)
  const first = await toPng(svg, { scale: 1 })
  const bytes = Buffer.from(first)
  first.fill(0)
  const again = await toPng(svg, { scale: 1 })
  assert.deepEqual(pngCacheStats(), { entries: 1, hits: 1 })
  assert.ok(again.equals(bytes), 'the cached PNG is unharmed by a caller writing over its copy')
  await toPng(svg, { scale: 2 })
  assert.deepEqual(pngCacheStats(), { entries: 2, hits: 1 }, 'another scale is another picture')
})
