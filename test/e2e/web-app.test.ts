import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BrowserContext, type Locator, type Page } from 'playwright-core'
import { CHROMIUM, launchBrowser } from '../helpers/browser.js'
import { repoRoot } from '../helpers/paths.js'
import { startServer } from '../helpers/server-process.js'

/** Where the screenshots of the finished scenario are saved, one per width (test-results/ is git-ignored). */
export const SCREENSHOT_DIR = join(repoRoot, 'test-results')
const screenshot = (width: number) => join(SCREENSHOT_DIR, `web-app-${width}.png`)

/** A laptop and a phone: the widths the issue reported titles cut to a few letters at. */
const WIDTHS = [1366, 390] as const
/** Titles up to this many characters are typical ("Chasing Pavements", "The Day That Never Comes") and must show whole. */
const TYPICAL_TITLE = 32
/** The narrowest a title may be drawn, by viewport width: the old rows gave it 80-90 px, about ten letters. */
const MIN_TITLE_PX: Record<(typeof WIDTHS)[number], number> = { 1366: 280, 390: 160 }
/** Everything that shows one line of text and may clip it. */
const ONE_LINE_TEXT = ['[data-testid="from-seed"]', '.from-seed-text', '.track-artists', '.chip', '.seed-name', '.seed-artists']

// Browser globals for the functions that run in the page (this Node project compiles without the DOM library).
interface PageElement {
  className: string
  textContent: string | null
  scrollWidth: number
  clientWidth: number
  scrollHeight: number
  clientHeight: number
  getAttribute(name: string): string | null
  getBoundingClientRect(): { width: number }
  getClientRects(): { length: number }
  querySelector(selector: string): PageElement | null
}
interface Style {
  display: string
  textOverflow: string
  webkitLineClamp: string
}
declare const window: { __setOnline(online: boolean): void }
declare const document: { querySelectorAll(selector: string): Iterable<PageElement> }
declare function getComputedStyle(el: PageElement): Style

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

/**
 * The browser test runs offline: navigator.onLine starts false (the app must not try Spotify's embed) and
 * `__setOnline(true)` says the network is back. Requests to Spotify are recorded and refused, as they would fail
 * on a machine without internet, so the test never reaches the real site.
 */
async function emulateOffline(context: BrowserContext): Promise<string[]> {
  // A string, not a function: tsx would wrap a function's inner functions in a `__name` helper the page lacks.
  await context.addInitScript(`{
    let online = false
    Object.defineProperty(Navigator.prototype, 'onLine', { configurable: true, get: () => online })
    window.__setOnline = (value) => {
      online = value
      window.dispatchEvent(new Event(value ? 'online' : 'offline'))
    }
  }`)
  const spotify: string[] = []
  await context.route('https://open.spotify.com/**', (route) => {
    spotify.push(route.request().url())
    return route.abort('internetdisconnected')
  })
  return spotify
}

interface TitleBox {
  text: string
  width: number
  clipped: boolean
  ellipsis: boolean
}

/** How each track title in the lists is drawn: its width, whether any of it is hidden, and whether that shows. */
function titleBoxes(page: Page): Promise<TitleBox[]> {
  return page.locator('.track-list .track-name').evaluateAll((els) =>
    els.map((el) => {
      const inner = el.querySelector('[data-testid="track-title"]') ?? el
      const cs = getComputedStyle(inner)
      const blockish = !/flex|grid/.test(cs.display)
      return {
        text: (el.textContent ?? '').trim(),
        width: el.getBoundingClientRect().width,
        clipped: el.scrollWidth > el.clientWidth + 1 || inner.scrollHeight > inner.clientHeight + 1 || inner.scrollWidth > inner.clientWidth + 1,
        ellipsis: (cs.webkitLineClamp !== 'none' && cs.webkitLineClamp !== '') || (cs.textOverflow === 'ellipsis' && blockish),
      }
    }),
  )
}

async function assertTitlesReadable(page: Page, width: (typeof WIDTHS)[number]): Promise<void> {
  const boxes = await titleBoxes(page)
  assert.ok(boxes.length >= 10, `track titles are on the page at ${width} px`)
  for (const b of boxes) {
    assert.ok(b.width >= MIN_TITLE_PX[width], `at ${width} px "${b.text}" is drawn ${Math.round(b.width)} px wide (>= ${MIN_TITLE_PX[width]})`)
    if (b.text.length <= TYPICAL_TITLE) assert.ok(!b.clipped, `at ${width} px "${b.text}" is shown whole`)
    if (b.clipped) assert.ok(b.ellipsis, `at ${width} px the cut title "${b.text}" ends in an ellipsis`)
  }
}

/**
 * Texts cut off without an ellipsis. `text-overflow: ellipsis` only draws on a block container: set on a flex
 * box (the old "from <seed>" line) it clips silently. Returns the clipped ones too, to show the check ran.
 */
function oneLineClipping(page: Page): Promise<{ clipped: string[]; bare: string[] }> {
  return page.evaluate((selectors) => {
    const clipped: string[] = []
    const bare: string[] = []
    for (const el of document.querySelectorAll(selectors.join(','))) {
      if (el.getClientRects().length === 0 || el.scrollWidth <= el.clientWidth + 1) continue
      const cs = getComputedStyle(el)
      const text = (el.textContent ?? '').trim()
      clipped.push(text)
      if (cs.textOverflow !== 'ellipsis' || /flex|grid/.test(cs.display)) bare.push(`${el.className}: ${text}`)
    }
    return { clipped, bare }
  }, ONE_LINE_TEXT)
}

async function checkWidth(page: Page, width: (typeof WIDTHS)[number]): Promise<string[]> {
  await page.setViewportSize({ width, height: width > 800 ? 900 : 844 })
  await page.waitForTimeout(300) // Let the layout settle after the resize.
  await assertTitlesReadable(page, width)
  const { clipped, bare } = await oneLineClipping(page)
  assert.deepEqual(bare, [], `at ${width} px every clipped line shows an ellipsis`)
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  await page.screenshot({ path: screenshot(width), fullPage: true })
  assert.ok(statSync(screenshot(width)).size > 10_000, 'a real screenshot was written')
  await page.locator('section.playlist').screenshot({ path: screenshot(width).replace('.png', '-playlist.png') })
  return clipped
}

async function counts(page: Page): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for (const kind of ['play', 'like', 'skip', 'dislike']) out[kind] = Number(await page.getByTestId(`count-${kind}`).locator('dd').innerText())
  return out
}

async function forYouReady(page: Page, after?: string): Promise<void> {
  const version = after === undefined ? '' : `:not([data-version="${after}"])`
  await page.locator(`[data-testid="foryou-list"][data-state="ready"]${version}`).waitFor({ timeout: 30_000 })
}

async function coldStartReasonsReadAsWords(page: Page): Promise<void> {
  const popular = await page.locator('.reason-popular').allInnerTexts()
  assert.ok(popular.length > 0, 'a new listener sees popular picks')
  for (const text of popular) {
    assert.match(text, /^Popular in [A-Z0-9]/, 'genre display names, not dataset slugs')
    assert.doesNotMatch(text, /\b[a-z]+-[a-z]+\b/, text)
  }
}

async function spotifyLinksOnEveryTrack(page: Page): Promise<void> {
  const rows = await page.locator('.track-list [data-track-id]').evaluateAll((els) =>
    els.map((e) => ({ id: e.getAttribute('data-track-id'), href: e.querySelector('[data-testid="spotify-link"]')?.getAttribute('href') })),
  )
  assert.ok(rows.length >= 10)
  for (const r of rows) assert.equal(r.href, `https://open.spotify.com/track/${r.id}`, 'every track opens in Spotify')
}

async function humanErrorForBadNumber(page: Page): Promise<void> {
  await page.getByTestId('per-seed-input').fill('0')
  await page.getByTestId('make-playlist').click()
  const toast = page.getByTestId('toast').first()
  await toast.waitFor({ timeout: 15_000 })
  const text = await toast.innerText()
  assert.match(text, /Tracks per seed must be a whole number from 1 to 20\./)
  assert.doesNotMatch(text, /E_[A-Z]|body\.|expected number/, 'no codes or schema paths for people')
  await toast.getByTestId('toast-dismiss').click()
}

/** Play offline: the bar works without the embed and nothing goes to Spotify; online, the embed is tried. */
async function playWithAndWithoutNetwork(page: Page, spotifyRequests: string[]): Promise<void> {
  const row = page.getByTestId('playlist-item').first()
  const id = await row.getAttribute('data-track-id')
  await row.getByTestId('play-button').click()
  const bar = page.getByTestId('now-playing')
  await bar.waitFor()
  await bar.getByTestId('preview-offline').waitFor()
  assert.equal(await page.getByTestId('spotify-embed').count(), 0, 'offline, no embed')
  assert.equal(await bar.getByTestId('spotify-link').getAttribute('href'), `https://open.spotify.com/track/${id}`)
  assert.deepEqual(spotifyRequests, [], 'offline, nothing is requested from Spotify')

  await page.evaluate(() => window.__setOnline(true))
  const embed = page.getByTestId('spotify-embed')
  await embed.waitFor()
  assert.equal(await embed.getAttribute('src'), `https://open.spotify.com/embed/track/${id}`)
  await page.waitForTimeout(500) // the embed's request is refused: the page must carry on
  await page.evaluate(() => window.__setOnline(false))
  await bar.getByTestId('preview-offline').waitFor()
  await bar.getByTestId('np-stop').click()
  await bar.waitFor({ state: 'detached' })
}

async function skipAndDislikeCountApart(page: Page): Promise<void> {
  const before = await counts(page)
  const version = await page.getByTestId('foryou-list').getAttribute('data-version')
  await page.getByTestId('foryou-item').nth(0).getByTestId('skip-button').click()
  await forYouReady(page, version ?? undefined)
  const version2 = await page.getByTestId('foryou-list').getAttribute('data-version')
  await page.getByTestId('foryou-item').nth(0).getByTestId('dislike-button').click()
  await forYouReady(page, version2 ?? undefined)
  const after = await counts(page)
  assert.equal(after.skip, before.skip + 1, 'one skip')
  assert.equal(after.dislike, before.dislike + 1, 'one dislike, counted apart from skips')
}

async function forgetAsksThenSays(page: Page): Promise<void> {
  const name = await page.getByTestId('listener-name').innerText()
  await page.getByTestId('forget-me').click()
  await page.getByTestId('forget-confirm').waitFor()
  assert.equal(await page.getByTestId('listener-name').innerText(), name, 'nothing deleted before confirming')
  await page.getByTestId('forget-no').click()
  await page.getByTestId('forget-me').waitFor()
  assert.equal(await page.getByTestId('listener-name').innerText(), name, 'cancel keeps the listener')

  await page.getByTestId('forget-me').click()
  await page.getByTestId('forget-yes').click()
  const result = page.getByTestId('forget-result')
  await result.waitFor({ timeout: 15_000 })
  assert.match(await result.innerText(), /deleted/)
  await page.locator('[data-testid="listener-name"]', { hasNotText: name }).waitFor({ timeout: 15_000 })
  assert.deepEqual(await counts(page), { play: 0, like: 0, skip: 0, dislike: 0 }, 'a fresh listener')
}

test('the web app: readable titles at 1366 and 390 px, Spotify links and an offline-safe preview, plain-word errors, a confirmed "Forget me"', { skip, timeout: 600_000 }, async () => {
  const home = mkdtempSync(join(tmpdir(), 'segue-e2e-'))
  const server = await startServer(home, [], { timeoutMs: 400_000 })
  const profile = mkdtempSync(join(tmpdir(), 'segue-chromium-'))
  const context = await launchBrowser(profile)
  const pageErrors: string[] = []
  try {
    const spotifyRequests = await emulateOffline(context)
    const page = context.pages()[0] ?? (await context.newPage())
    page.on('pageerror', (e) => pageErrors.push(e.message))
    await page.goto(server.url)

    const forYou = page.getByTestId('foryou-list')
    await forYouReady(page)
    assert.ok((await trackIds(page.getByTestId('foryou-item'))).length > 0, 'a new listener sees recommendations at once')
    await coldStartReasonsReadAsWords(page)

    await pickSuggestion(page, 'helo adele', /Hello/)
    await pickSuggestion(page, 'the trooper iron maiden', /The Trooper/)
    await assert.doesNotReject(page.getByTestId('seed-chip').nth(1).waitFor())
    assert.equal(await page.getByTestId('seed-chip').count(), 2)

    await humanErrorForBadNumber(page)

    await page.getByTestId('per-seed-input').fill('5')
    await page.getByTestId('make-playlist').click()
    const rows = page.getByTestId('playlist-item')
    await rows.nth(9).waitFor({ timeout: 30_000 })
    assert.equal(await rows.count(), 10, 'two seeds x five tracks')
    const playlistIds = await trackIds(rows)
    assert.equal(new Set(playlistIds).size, 10, 'no duplicates')
    await spotifyLinksOnEveryTrack(page)

    await forYouReady(page)
    const before = await trackIds(page.getByTestId('foryou-item'))
    const version = await forYou.getAttribute('data-version')
    const liked = playlistIds[0]
    await rows.first().getByTestId('like-button').click()
    await forYouReady(page, version ?? undefined)
    const after = await trackIds(page.getByTestId('foryou-item'))
    assert.notDeepEqual(after, before, 'the "for you" list changed after the like')
    assert.ok(!after.includes(liked), 'the liked track is not offered as new')
    const reasons = await page.getByTestId('reason').allInnerTexts()
    assert.ok(reasons.some((r) => r.includes('liked')), `a reason names the like: ${reasons.slice(0, 5).join(' | ')}`)

    await playWithAndWithoutNetwork(page, spotifyRequests)
    assert.ok(spotifyRequests.some((u) => u.startsWith('https://open.spotify.com/embed/track/')), 'online, the embed was tried')
    await skipAndDislikeCountApart(page)

    const clipped: string[] = []
    for (const width of WIDTHS) clipped.push(...(await checkWidth(page, width)))
    assert.ok(clipped.length > 0, 'some one-line text was long enough to clip, so the ellipsis check ran')

    await page.setViewportSize({ width: 1366, height: 900 })
    await forgetAsksThenSays(page)
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page')
  } finally {
    await context.close()
    await server.stop()
    rmSync(profile, { recursive: true, force: true })
    rmSync(home, { recursive: true, force: true })
  }
})
