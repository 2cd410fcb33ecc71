import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gunzipSync } from 'node:zlib'
import { type Page } from 'playwright-core'
import { CHROMIUM, launchBrowser } from '../helpers/browser.js'
import { realFile, repoRoot } from '../helpers/paths.js'
import { startServer } from '../helpers/server-process.js'

const SCREENSHOT_DIR = join(repoRoot, 'test-results')
const WIDTHS = [1366, 390] as const
/** Every 40th track of the bundled 114k catalogue (1,000 rows per genre, so every genre is in): about 2,800 tracks. */
const SAMPLE_STRIDE = 40
/** Autoencoder epochs for the "Sounds like by" check: enough to save embeddings, few enough to stay a few seconds. */
const AUTOENCODER_EPOCHS = 2
/** An Up next row narrower than this cuts most track names to a word or two. */
const MIN_ROW_PX = 240
/** Up next floats over the page: open, it may cover at most this share of the screen's height (a third hid the page on phones). */
const MAX_COVER = 0.3
/** Phones, as web/src/upnext.css has them. */
const PHONE_PX = 760

// Browser globals for the functions that run in the page (this Node project compiles without the DOM library).
declare const window: { innerWidth: number; innerHeight: number }
declare function getComputedStyle(el: unknown): { backgroundColor: string }
declare const document: { querySelector(selector: string): { getBoundingClientRect(): { top: number } } | null }

const catalogue = realFile('spotify-tracks-114k', 'dataset.csv')
const skip = !existsSync(CHROMIUM)
  ? `Debian's chromium is not installed at ${CHROMIUM} (apt-get install -y chromium)`
  : !existsSync(join(repoRoot, 'dist', 'web', 'index.html'))
    ? 'the web app is not built (npm run build:web)'
    : catalogue === null
      ? 'the bundled 114k catalogue is missing'
      : false

/** Writes a stride sample of the 114k catalogue (header kept; no record of it spans lines) and returns its path. */
function sampleCatalogue(dir: string): string {
  const raw = readFileSync(catalogue!)
  const text = (catalogue!.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8')
  const lines = text.split('\n').filter((l) => l.length > 0)
  const kept = [lines[0], ...lines.slice(1).filter((_, i) => i % SAMPLE_STRIDE === 0)]
  const path = join(dir, 'catalogue.csv')
  writeFileSync(path, kept.join('\n') + '\n')
  return path
}

/** `segue train --model autoencoder` on the server's home (the CLI, as a listener's admin would run it). */
async function trainAutoencoder(home: string): Promise<void> {
  const cli = join(repoRoot, 'dist', 'src', 'cli', 'main.js')
  await promisify(execFile)(process.execPath, [cli, '--no-progress', '--home', home, 'train', '--model', 'autoencoder', '--epochs', String(AUTOENCODER_EPOCHS), '--seed', '1'])
}

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  const path = join(SCREENSHOT_DIR, name)
  await page.screenshot({ path })
  assert.ok(statSync(path).size > 10_000, `a real screenshot was written: ${name}`)
}

/** Plays the first For you track; returns its id once the now-playing bar shows it. */
async function playFirst(page: Page): Promise<string> {
  await page.locator('[data-testid="foryou-list"][data-state="ready"]').waitFor({ timeout: 30_000 })
  const row = page.getByTestId('foryou-item').first()
  await row.getByTestId('play-button').click()
  const id = await page.getByTestId('now-playing').getAttribute('data-track-id')
  assert.ok(id, 'the now-playing bar names the track')
  return id
}

/** Up next lists tracks after `id` (similar tracks, saying why, as no sequence model is trained); returns their ids. */
async function upNextAfter(page: Page, id: string): Promise<string[]> {
  const panel = page.getByTestId('up-next')
  await panel.getByTestId('up-next-item').first().waitFor({ timeout: 30_000 })
  assert.equal(await panel.getByTestId('up-next-source').innerText(), 'similar tracks', 'with no sequence model, Up next is similar tracks')
  assert.match(await panel.getByTestId('up-next-note').innerText(), /No next-track model/, 'and says why, in words a listener reads')
  const ids = await panel.getByTestId('up-next-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-track-id') ?? ''))
  assert.ok(ids.length >= 3, `Up next lists tracks (${ids.length})`)
  assert.ok(!ids.includes(id), 'Up next does not offer the track being played')
  return ids
}

/** At each width the panel fits the screen, sits above the player bar and keeps its rows readable; on phones it is opaque and small. */
async function fitsScreen(page: Page, width: number): Promise<void> {
  const box = await page.getByTestId('up-next').evaluate((el) => {
    const r = el.getBoundingClientRect()
    const bar = document.querySelector('[data-testid="now-playing"]')!.getBoundingClientRect()
    const names = [...el.querySelectorAll('.un-item')].filter((n) => n.getClientRects().length > 0).map((n) => n.getBoundingClientRect().width)
    return { left: r.left, right: r.right, bottom: r.bottom, barTop: bar.top, innerWidth: window.innerWidth, innerHeight: window.innerHeight, top: r.top, height: r.height, names, background: getComputedStyle(el).backgroundColor }
  })
  assert.ok(box.left >= 0 && box.right <= box.innerWidth, `at ${width} px Up next fits across (${box.left}..${box.right} of ${box.innerWidth})`)
  assert.ok(box.bottom <= box.barTop + 1, `at ${width} px Up next sits above the player bar`)
  assert.ok(box.top >= 0, `at ${width} px Up next is on screen (top ${box.top})`)
  if (width > PHONE_PX) return // On a wide screen the panel keeps to a corner.
  assert.match(box.background, /^rgb\(/, `at ${width} px Up next is opaque (${box.background}): the page must not show through its rows`)
  assert.ok(box.height <= MAX_COVER * box.innerHeight, `at ${width} px Up next covers at most ${MAX_COVER * 100}% of the screen (${Math.round(box.height)} of ${box.innerHeight} px)`)
  assert.ok(Math.min(...box.names) >= MIN_ROW_PX, `at ${width} px each row has room for a name (${box.names.map(Math.round).join(', ')} px)`)
}

/** The drawer offers "Sounds like by" once an autoencoder is trained, and the learned choice lists other tracks. */
async function similarByLearned(page: Page): Promise<void> {
  await page.reload()
  await page.locator('[data-testid="foryou-list"][data-state="ready"]').waitFor({ timeout: 30_000 })
  await page.getByTestId('foryou-item').first().locator('.track-name').click()
  const drawer = page.getByTestId('track-drawer')
  const choice = drawer.getByTestId('similar-by')
  await choice.waitFor({ timeout: 15_000 })
  assert.match(await choice.innerText(), /Sounds like by:\s*audio & genre\s*learned \(autoencoder\)/)
  const byFeatures = drawer.locator('[data-testid="similar-list"][data-model="features"]')
  await byFeatures.getByTestId('similar-item').nth(2).waitFor({ timeout: 30_000 })
  const featureIds = await byFeatures.getByTestId('similar-item').evaluateAll((els) => els.map((e) => e.textContent))
  await choice.locator('[data-model="autoencoder"]').click()
  const learned = drawer.locator('[data-testid="similar-list"][data-model="autoencoder"]')
  await learned.getByTestId('similar-item').nth(2).waitFor({ timeout: 30_000 }) // The learned model lists similar tracks.
  assert.equal(await choice.locator('[data-model="autoencoder"]').getAttribute('aria-pressed'), 'true')
  const learnedIds = await learned.getByTestId('similar-item').evaluateAll((els) => els.map((e) => e.textContent))
  assert.notDeepEqual(learnedIds, featureIds, 'the learned model is asked, not the audio & genre one')
  await page.setViewportSize({ width: 390, height: 844 })
  await choice.evaluate((el) => el.previousElementSibling?.scrollIntoView({ block: 'start' })) // The drawer scrolls on its own.
  await page.waitForTimeout(300)
  await shoot(page, 'similar-by-390.png')
}

test('Up next in the web app: playing a track lists what comes next (similar tracks, saying why, with no sequence model), a click plays one; the drawer offers the trained autoencoder as "Sounds like by"; screenshots at 1366 and 390 px', { skip, timeout: 120_000 }, async (t) => {
  const started = performance.now()
  const mark = (phase: string) => t.diagnostic(`${phase}: ${((performance.now() - started) / 1000).toFixed(1)} s`)
  const home = mkdtempSync(join(tmpdir(), 'segue-e2e-upnext-'))
  const server = await startServer(home, ['--catalogue', sampleCatalogue(home), '--no-collaborative'], { timeoutMs: 120_000 })
  const profile = mkdtempSync(join(tmpdir(), 'segue-chromium-'))
  const context = await launchBrowser(profile)
  const pageErrors: string[] = []
  try {
    mark('server ready')
    await context.route('https://open.spotify.com/**', (route) => route.abort('internetdisconnected'))
    const training = trainAutoencoder(home) // Runs while the browser checks Up next.
    const page = context.pages()[0] ?? (await context.newPage())
    page.on('pageerror', (e) => pageErrors.push(e.message))
    await page.goto(server.url)
    const first = await playFirst(page)
    const next = await upNextAfter(page, first)
    mark('up next listed')
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: width > 800 ? 900 : 844 })
      await page.waitForTimeout(300) // Let the layout settle after the resize.
      await fitsScreen(page, width)
      await shoot(page, `up-next-${width}.png`)
    }
    await page.setViewportSize({ width: 1366, height: 900 })
    await page.getByTestId('up-next-item').first().click()
    await page.locator(`[data-testid="now-playing"][data-track-id="${next[0]}"]`).waitFor({ timeout: 10_000 })
    const after = await upNextAfter(page, next[0])
    assert.notDeepEqual(after, next, 'Up next follows the new track')
    mark('clicked one, it plays')
    await training
    mark('autoencoder trained')
    await similarByLearned(page)
    mark('similar by learned model')
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page')
  } finally {
    await context.close()
    await server.stop()
    rmSync(profile, { recursive: true, force: true })
    rmSync(home, { recursive: true, force: true })
  }
})
