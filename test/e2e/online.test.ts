import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Page } from 'playwright-core'
import { CHROMIUM, launchBrowser } from '../helpers/browser.js'
import { fixturesDir, repoRoot } from '../helpers/paths.js'
import { startServer } from '../helpers/server-process.js'

const SCREENSHOT_DIR = join(repoRoot, 'test-results')
const WIDTHS = [1366, 390] as const
/** The impression recorder writes every 2 s (src/ops/impressions.ts); figures are stable well within this. */
const SETTLE_TIMEOUT_MS = 15_000

const skip = !existsSync(CHROMIUM)
  ? `Debian's chromium is not installed at ${CHROMIUM} (apt-get install -y chromium)`
  : !existsSync(join(repoRoot, 'dist', 'web', 'index.html'))
    ? 'the web app is not built (npm run build:web)'
    : false

interface Figures { model: string; shown: number; liked: number; rates: Record<string, number> }

/**
 * The server's figures for today once the like has landed and two reads 2.5 s apart (more than one flush of the
 * impression recorder) agree: the For you list may be fetched again after the like.
 */
async function settledStats(url: string): Promise<Figures[]> {
  const read = async () => ((await (await fetch(`${url}/api/stats/online?days=1`)).json()) as { models: Figures[] }).models
  const deadline = Date.now() + SETTLE_TIMEOUT_MS
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))
  let last = await read()
  while (!last.some((m) => m.liked >= 1)) {
    if (Date.now() > deadline) throw new Error(`the like never reached the online figures: ${JSON.stringify(last)}`)
    await pause(500)
    last = await read()
  }
  for (;;) {
    await pause(2_500)
    const now = await read()
    if (JSON.stringify(now) === JSON.stringify(last)) return now
    if (Date.now() > deadline) throw new Error(`online figures did not settle: ${JSON.stringify(now)}`)
    last = now
  }
}

/** The page's own percentage rule (OnlinePage.percent). */
const percent = (rate: number) => `${rate * 100 < 10 && rate > 0 ? (rate * 100).toFixed(1) : Math.round(rate * 100)}%`

async function pageFitsWidth(page: Page, width: number, t: { diagnostic(m: string): void }): Promise<void> {
  const scrollWidth = (await page.evaluate('document.documentElement.scrollWidth')) as number
  if (scrollWidth > width) {
    const wide = await page.evaluate(`[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > ${width} + 1).slice(0, 12).map((e) => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join(' | ')`)
    t.diagnostic(`wider than the screen: ${wide}`)
  }
  assert.ok(scrollWidth <= width, `the page is ${scrollWidth} px wide at a ${width} px viewport`)
  const card = await page.getByTestId('online-model').first().boundingBox()
  assert.ok(card && card.x >= 0 && card.x + card.width <= width, `a model card leaves the screen at ${width} px: ${JSON.stringify(card)}`)
  assert.ok(await page.getByTestId('nav-online').isVisible(), `the Results link is hidden at ${width} px`)
}

test('online evaluation page: the For you list the browser was shown and the like given in it appear as shares per model; 1366 and 390 px', { skip, timeout: 90_000 }, async (t) => {
  const started = performance.now()
  const mark = (phase: string) => t.diagnostic(`${phase}: ${((performance.now() - started) / 1000).toFixed(1)} s`)
  const home = mkdtempSync(join(tmpdir(), 'segue-e2e-online-'))
  const server = await startServer(home, ['--catalogue', join(fixturesDir, 'engine', 'catalogue.csv'), '--no-collaborative', '--log-level', 'warn'], { timeoutMs: 60_000 })
  const profile = mkdtempSync(join(tmpdir(), 'segue-chromium-'))
  const context = await launchBrowser(profile)
  const pageErrors: string[] = []
  try {
    await context.route('https://open.spotify.com/**', (route) => route.abort('internetdisconnected'))
    const page = context.pages()[0] ?? (await context.newPage())
    page.on('pageerror', (e) => pageErrors.push(e.message))
    mark('server and browser up')
    await page.goto(server.url)
    await page.locator('[data-testid="foryou-list"][data-state="ready"]').waitFor({ timeout: 30_000 })
    await page.getByTestId('foryou-item').first().getByTestId('like-button').click()
    const stats = await settledStats(server.url)
    mark('shown, liked, figures settled')
    assert.ok(stats.some((m) => m.shown > 0 && m.liked >= 1), `the like on a shown track is counted: ${JSON.stringify(stats)}`)

    await page.getByTestId('nav-online').click()
    await page.getByTestId('online-model').first().waitFor({ timeout: 15_000 })
    await page.getByRole('button', { name: 'Today' }).click()
    for (const m of stats) {
      const card = page.locator(`[data-testid="online-model"][data-model="${m.model}"]`)
      await card.getByTestId('online-shown').filter({ hasText: `${m.shown} shown` }).waitFor({ timeout: 10_000 })
      assert.equal(await card.getByTestId('rate-liked').innerText(), percent(m.rates.liked))
      assert.equal(await card.getByTestId('rate-played').innerText(), percent(m.rates.played))
    }
    assert.ok((await page.getByTestId('online-daily').locator('tbody tr').count()) >= 1)
    mark('page matches the server')

    mkdirSync(SCREENSHOT_DIR, { recursive: true })
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: width > 800 ? 900 : 844 })
      await page.waitForTimeout(300) // Let the layout settle after the resize.
      await pageFitsWidth(page, width, t)
      await page.screenshot({ path: join(SCREENSHOT_DIR, `online-${width}.png`), fullPage: true })
    }
    mark('screenshots')
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page')
  } finally {
    await context.close()
    await server.stop()
    rmSync(profile, { recursive: true, force: true })
    rmSync(home, { recursive: true, force: true })
  }
})
