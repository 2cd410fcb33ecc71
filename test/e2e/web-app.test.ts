import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Locator, type Page } from 'playwright-core'
import { repoRoot } from '../helpers/paths.js'
import { startServer } from '../helpers/server-process.js'

const CHROMIUM = '/usr/bin/chromium'
/** Where the screenshot of the finished scenario is saved (kept out of git). */
export const SCREENSHOT = join(repoRoot, 'test-results', 'web-app.png')

const skip = !existsSync(CHROMIUM)
  ? `Debian's chromium is not installed at ${CHROMIUM} (apt-get install -y chromium)`
  : !existsSync(join(repoRoot, 'dist', 'web', 'index.html'))
    ? 'the web app is not built (npm run build:web)'
    : false

async function pickSuggestion(page: Page, words: string, expect: RegExp): Promise<void> {
  const input = page.getByTestId('search-input')
  await input.fill(words)
  const hit = page.getByTestId('suggestion').filter({ hasText: expect }).first()
  await hit.waitFor({ timeout: 15_000 })
  await hit.click()
}

async function trackIds(rows: Locator): Promise<string[]> {
  return rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-track-id') ?? ''))
}

test('the web app: search, two seeds, a playlist, a like, and "for you" changes', { skip, timeout: 300_000 }, async () => {
  const home = mkdtempSync(join(tmpdir(), 'segue-e2e-'))
  const server = await startServer(home)
  const profile = mkdtempSync(join(tmpdir(), 'segue-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    viewport: { width: 1400, height: 1000 },
  })
  const pageErrors: string[] = []
  try {
    const page = context.pages()[0] ?? (await context.newPage())
    page.on('pageerror', (e) => pageErrors.push(e.message))
    await page.goto(server.url)

    const forYou = page.getByTestId('foryou-list')
    await forYou.and(page.locator('[data-state="ready"]')).waitFor({ timeout: 30_000 })
    const coldIds = await trackIds(page.getByTestId('foryou-item'))
    assert.ok(coldIds.length > 0, 'a new listener sees recommendations at once')

    await pickSuggestion(page, 'helo adele', /Hello/)
    await pickSuggestion(page, 'clair de lune debussy', /Clair de lune/i)
    await assert.doesNotReject(page.getByTestId('seed-chip').nth(1).waitFor())
    assert.equal(await page.getByTestId('seed-chip').count(), 2)

    await page.getByTestId('per-seed-input').fill('4')
    await page.getByTestId('make-playlist').click()
    const rows = page.getByTestId('playlist-item')
    await rows.nth(7).waitFor({ timeout: 30_000 })
    assert.equal(await rows.count(), 8, 'two seeds x four tracks')
    const playlistIds = await trackIds(rows)
    assert.equal(new Set(playlistIds).size, 8, 'no duplicates')

    await forYou.and(page.locator('[data-state="ready"]')).waitFor()
    const before = await trackIds(page.getByTestId('foryou-item'))
    const version = Number(await forYou.getAttribute('data-version'))
    const liked = playlistIds[0]
    await rows.first().getByTestId('like-button').click()
    await page
      .locator(`[data-testid="foryou-list"][data-state="ready"]:not([data-version="${version}"])`)
      .waitFor({ timeout: 30_000 })
    const after = await trackIds(page.getByTestId('foryou-item'))
    assert.notDeepEqual(after, before, 'the "for you" list changed after the like')
    assert.ok(!after.includes(liked), 'the liked track is not offered as new')
    const reasons = await page.getByTestId('reason').allInnerTexts()
    assert.ok(reasons.some((r) => r.includes('liked')), `a reason names the like: ${reasons.slice(0, 5).join(' | ')}`)

    mkdirSync(join(repoRoot, 'test-results'), { recursive: true })
    await page.screenshot({ path: SCREENSHOT, fullPage: true })
    assert.ok(statSync(SCREENSHOT).size > 10_000, 'a real screenshot was written')
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page')
  } finally {
    await context.close()
    await server.stop()
    rmSync(profile, { recursive: true, force: true })
    rmSync(home, { recursive: true, force: true })
  }
})
