import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { type Locator, type Page } from 'playwright-core'
import { CHROMIUM, launchBrowser } from '../helpers/browser.js'
import { realFile, repoRoot } from '../helpers/paths.js'
import { startServer } from '../helpers/server-process.js'

const SCREENSHOT_DIR = join(repoRoot, 'test-results')
const WIDTHS = [1366, 390] as const
/**
 * Every 40th track of the bundled 114k catalogue (its rows come 1,000 per genre, so every genre is in): about
 * 2,800 tracks, enough for each mood and a 10-step journey, small enough that the server starts in seconds.
 */
const SAMPLE_STRIDE = 40
/** The journey the test builds. */
const JOURNEY = { from: 'Calm', to: 'Energetic', n: 10 } as const
/**
 * "Monotonically-ish": Calm is low energy and Energetic high, so energy must climb across the journey. A step
 * may dip by this much (two tracks aimed at neighbouring targets can swap by a hair) but no more.
 */
const ENERGY_DIP = 0.08
/** Answers given in the onboarding form: question (the survey's column) and answer, as the API lists them. */
const ONBOARDING_ANSWERS = [
  ['music_lis_frequency', 'Before bed'],
  ['music_time_slot', 'Night'],
] as const
/** Energy must rise at least this much from the first step to the last (the two moods' anchors lie further apart). */
const ENERGY_RISE = 0.3

// Browser globals for the function that runs in the page (this Node project compiles without the DOM library).
declare const scrollX: number
declare const scrollY: number

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

async function moodsOf(rows: Locator): Promise<string[]> {
  return rows.evaluateAll((els) => els.map((e) => e.querySelector('[data-testid="mood-chip"]')?.getAttribute('data-mood') ?? ''))
}

async function forYouReady(page: Page, after?: string | null): Promise<void> {
  const version = after ? `:not([data-version="${after}"])` : ''
  await page.locator(`[data-testid="foryou-list"][data-state="ready"]${version}`).waitFor({ timeout: 30_000 })
}

async function shoot(page: Page, name: string, target?: Locator, fullPage = true): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  const path = join(SCREENSHOT_DIR, name)
  // A panel is cut from the full page: shot on its own, scrolled into view, the sticky search bar would cover its top.
  const clip = target ? await target.evaluate((el) => { const r = el.getBoundingClientRect(); return { x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height } }) : undefined
  await page.screenshot({ path, fullPage, clip })
  assert.ok(statSync(path).size > 10_000, `a real screenshot was written: ${name}`)
}

/** Mood chips stay whole and readable (at least 40 px wide, name visible) at each width. */
async function chipsReadable(page: Page, width: number): Promise<void> {
  const chips = await page.locator('.track-list [data-testid="mood-chip"]').evaluateAll((els) =>
    els.filter((e) => e.getClientRects().length > 0).map((e) => ({ text: (e.textContent ?? '').trim(), w: e.getBoundingClientRect().width, clipped: e.scrollWidth > e.clientWidth + 1 })),
  )
  assert.ok(chips.length >= 5, `mood chips are shown on the track rows at ${width} px`)
  for (const c of chips) {
    assert.match(c.text, /^(Happy|Energetic|Calm|Sad)$/, 'each chip says its mood in words')
    assert.ok(!c.clipped && c.w >= 40, `at ${width} px the "${c.text}" chip is whole (${Math.round(c.w)} px)`)
  }
}

async function pickCalm(page: Page): Promise<void> {
  const version = await page.getByTestId('foryou-list').getAttribute('data-version')
  await page.getByTestId('mood-option-Calm').click()
  await forYouReady(page, version)
  assert.equal(await page.getByTestId('mood-option-Calm').getAttribute('aria-pressed'), 'true')
  await page.getByTestId('mood-source').filter({ hasText: 'You picked Calm' }).waitFor({ timeout: 15_000 })
  const moods = await moodsOf(page.getByTestId('foryou-item'))
  assert.ok(moods.length > 0, 'For you still has tracks once filtered')
  assert.deepEqual(new Set(moods), new Set(['Calm']), `For you shows only Calm tracks: ${moods.join(', ')}`)
  await page.getByTestId('foryou-mood').waitFor()
}

async function moodMusicIsCalm(page: Page): Promise<void> {
  await page.locator('[data-testid="mood-music-list"][data-state="ready"][data-mood="Calm"]').waitFor({ timeout: 30_000 })
  const first = await page.getByTestId('mood-track').count()
  await page.getByTestId('mood-more').click()
  const moods = await moodsOf(page.getByTestId('mood-track'))
  assert.ok(first >= 5 && moods.length > first, `music for this mood lists tracks, more on request (${first}, then ${moods.length})`)
  assert.deepEqual(new Set(moods), new Set(['Calm']))
}

/** Builds Calm -> Energetic from the listener's likes; returns each step's energy. */
async function buildJourney(page: Page): Promise<number[]> {
  const builder = page.getByTestId('journey-builder')
  await builder.getByTestId('journey-from').selectOption(JOURNEY.from)
  await builder.getByTestId('journey-to').selectOption(JOURNEY.to)
  await builder.getByTestId('journey-length').fill(String(JOURNEY.n))
  await builder.getByTestId('journey-seeds-liked').click()
  assert.equal(await builder.getByTestId('journey-seeds-liked').getAttribute('aria-pressed'), 'true', 'the liked track seeds the journey')
  await builder.getByTestId('journey-build').click()
  await builder.getByTestId('journey-item').nth(JOURNEY.n - 1).waitFor({ timeout: 30_000 })
  assert.equal(await builder.getByTestId('journey-item').count(), JOURNEY.n, 'the journey has the length asked for')
  assert.match(await builder.getByTestId('journey-summary').innerText(), new RegExp(`${JOURNEY.from} → ${JOURNEY.to} · ${JOURNEY.n} tracks`))
  const moods = await moodsOf(builder.getByTestId('journey-item'))
  assert.equal(moods[0], JOURNEY.from, `the journey starts ${JOURNEY.from}: ${moods.join(', ')}`)
  assert.equal(moods[moods.length - 1], JOURNEY.to, `and ends ${JOURNEY.to}`)
  await builder.getByTestId('journey-plane').waitFor()
  return builder.getByTestId('journey-step').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-energy'))))
}

/**
 * Answers "Tell us how you listen" (opened from the source line) at phone width, as a listener with no pick and
 * no listening: afterwards the source line says the mood came from the answers.
 */
async function answerOnboarding(page: Page): Promise<void> {
  await page.setViewportSize({ width: 390, height: 844 })
  await page.getByTestId('mood-source').getByTestId('onboarding-open').click()
  const form = page.getByTestId('onboarding')
  for (const [question, answer] of ONBOARDING_ANSWERS) {
    const button = form.getByTestId(`onboarding-q-${question}`).locator(`[data-answer="${answer}"]`)
    await button.click()
    assert.equal(await button.getAttribute('aria-pressed'), 'true', `the answer "${answer}" is ticked`)
  }
  await page.waitForTimeout(300) // Let the sheet's entrance settle before the screenshot.
  await shoot(page, 'onboarding-390.png', undefined, false) // The form is a sheet over the page: the screen is what shows.
  const overflow = await form.evaluate((el) => el.scrollWidth - el.clientWidth)
  assert.ok(overflow <= 1, `the form fits 390 px without sideways scrolling (${overflow} px over)`)
  await form.getByTestId('onboarding-save').click()
  await form.waitFor({ state: 'detached' })
  const source = page.locator('[data-testid="mood-source"][data-source="onboarding"]')
  await source.waitFor({ timeout: 15_000 })
  assert.match(await source.innerText(), /^(Happy|Energetic|Calm|Sad), from your answers\. Change your answers$/, 'the source line says the mood came from the answers')
  await page.setViewportSize({ width: 1366, height: 900 })
}

/** With Calm picked, a track's similar tracks are all Calm and say so; "show all" lifts the filter. Leaves the track as a seed. */
async function similarIsCalm(page: Page): Promise<void> {
  await page.getByTestId('foryou-item').first().locator('.track-name').click()
  const drawer = page.getByTestId('track-drawer')
  const list = drawer.locator('[data-testid="similar-list"][data-mood="Calm"]')
  await list.waitFor({ timeout: 30_000 })
  const moods = await moodsOf(list.getByTestId('similar-item'))
  assert.ok(moods.length >= 3, `similar tracks are found within Calm (${moods.length})`)
  assert.deepEqual(new Set(moods), new Set(['Calm']), `similar tracks are all Calm: ${moods.join(', ')}`)
  assert.match(await drawer.getByTestId('similar-mood').textContent() ?? '', /Only Calm tracks · show all/)
  // The drawer scrolls on its own: bring its "Similar tracks" heading to the top so the shot shows the list.
  await drawer.getByTestId('similar-mood').evaluate((el) => el.previousElementSibling?.scrollIntoView({ block: 'start' }))
  await shoot(page, 'similar-mood-1366.png', undefined, false)
  await drawer.getByTestId('similar-mood-toggle').click()
  await drawer.locator('[data-testid="similar-list"][data-mood=""]').waitFor({ timeout: 30_000 })
  assert.match(await drawer.getByTestId('similar-mood').textContent() ?? '', /All moods · only Calm/)
  await drawer.getByTestId('add-seed').click()
  await page.keyboard.press('Escape')
  await drawer.waitFor({ state: 'detached' })
}

/** With Calm picked, a playlist from the seed just added keeps to Calm and says so. */
async function playlistIsCalm(page: Page): Promise<void> {
  await page.getByTestId('make-playlist').click()
  const list = page.locator('[data-testid="playlist-list"][data-mood="Calm"]')
  await list.waitFor({ timeout: 30_000 })
  const moods = await moodsOf(list.getByTestId('playlist-item'))
  assert.ok(moods.length >= 3, `the playlist has tracks within Calm (${moods.length})`)
  assert.deepEqual(new Set(moods), new Set(['Calm']), `the playlist is all Calm: ${moods.join(', ')}`)
  assert.match(await page.getByTestId('playlist-mood').textContent() ?? '', /Only Calm tracks · show all/)
}

function assertClimbs(energy: number[]): void {
  const dips = energy.slice(1).map((e, i) => energy[i] - e)
  assert.ok(Math.max(...dips) <= ENERGY_DIP, `no step drops energy by more than ${ENERGY_DIP}: ${energy.map((e) => e.toFixed(2)).join(' ')}`)
  assert.ok(energy[energy.length - 1] - energy[0] >= ENERGY_RISE, `energy climbs by at least ${ENERGY_RISE}: ${energy.map((e) => e.toFixed(2)).join(' ')}`)
}

test('moods in the web app: onboarding answers set the mood and the source line says so; a picked mood filters For you, similar tracks and playlists and says so; a Calm-to-Energetic journey climbs in energy; screenshots at 1366 and 390 px', { skip, timeout: 180_000 }, async (t) => {
  const started = performance.now()
  /** Phase timings in the TAP output, to see where a slow run spent its time. */
  const mark = (phase: string) => t.diagnostic(`${phase}: ${((performance.now() - started) / 1000).toFixed(1)} s`)
  const home = mkdtempSync(join(tmpdir(), 'segue-e2e-moods-'))
  const server = await startServer(home, ['--catalogue', sampleCatalogue(home), '--no-collaborative'], { timeoutMs: 120_000 })
  const profile = mkdtempSync(join(tmpdir(), 'segue-chromium-'))
  const context = await launchBrowser(profile)
  const pageErrors: string[] = []
  try {
    await context.route('https://open.spotify.com/**', (route) => route.abort('internetdisconnected'))
    const page = context.pages()[0] ?? (await context.newPage())
    page.on('pageerror', (e) => pageErrors.push(e.message))
    mark('server ready')
    await page.goto(server.url)
    await forYouReady(page)
    await page.locator('[data-testid="mood-source"]:not([data-source=""])').waitFor({ timeout: 15_000 })
    assert.doesNotMatch(await page.getByTestId('mood-source').innerText(), /You picked/, 'a new listener has not picked a mood')
    assert.equal(await page.getByTestId('mood-option-any').getAttribute('aria-pressed'), 'true')

    mark('app ready')
    await answerOnboarding(page)
    mark('onboarding answered')
    await pickCalm(page)
    mark('Calm picked')
    await page.locator('[data-testid="mood-music-list"][data-state="ready"][data-mood="Calm"]').waitFor({ timeout: 30_000 })
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: width > 800 ? 900 : 844 })
      await page.waitForTimeout(300) // Let the layout settle after the resize.
      await chipsReadable(page, width)
      await shoot(page, `moods-${width}.png`)
    }
    await page.setViewportSize({ width: 1366, height: 900 })
    mark('mood screenshots')
    await moodMusicIsCalm(page)
    mark('music for Calm')
    await similarIsCalm(page)
    mark('similar tracks Calm')
    await playlistIsCalm(page)
    mark('playlist Calm')

    await page.reload()
    await page.getByTestId('mood-source').filter({ hasText: 'You picked Calm' }).waitFor({ timeout: 15_000 })

    await forYouReady(page)
    await page.getByTestId('foryou-item').first().getByTestId('like-button').click()
    mark('reloaded, liked')
    const energy = await buildJourney(page)
    mark(`journey built, energy by step ${energy.map((e) => e.toFixed(2)).join(' ')}`)
    assertClimbs(energy)
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: width > 800 ? 900 : 844 })
      await page.waitForTimeout(300)
      await shoot(page, `journey-${width}.png`, page.getByTestId('journey-builder'))
    }

    await page.setViewportSize({ width: 1366, height: 900 })
    const version = await page.getByTestId('foryou-list').getAttribute('data-version')
    await page.getByTestId('mood-option-any').click()
    await forYouReady(page, version)
    await page.locator('[data-testid="mood-source"]', { hasNotText: 'You picked' }).waitFor({ timeout: 15_000 })
    assert.equal(await page.getByTestId('foryou-mood').count(), 0, '"Any mood" lifts the filter')
    mark('done')
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page')
  } finally {
    await context.close()
    await server.stop()
    rmSync(profile, { recursive: true, force: true })
    rmSync(home, { recursive: true, force: true })
  }
})
