// What a listener waits for on the Explore page: `segue serve` (a child process) over the bundled 114k catalogue
// and listening data, on a home that has started once before (artifacts and moods saved), then Chromium opens the
// web app, clicks Explore and waits for the first chart drawn. Two cases per round: clicking as soon as the
// button shows (the page still loading its own lists), and clicking once the page is idle. Each round is a new
// browser profile (nothing cached), on the same server; the first round also pays the server's cold chart thread.
// The bound: the Explore page usable within 2 s.
// Environment: BENCH_ROUNDS (default 5), BENCH_HOME (copy this home instead of building one; first start ~25 s).
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'

import { launchBrowser } from '../test/helpers/browser.js'
import { startServer, type ServerProcess } from '../test/helpers/server-process.js'
import { median, report, type Row } from './lib/report.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
/** The bound for a usable Explore page, in ms. */
const BOUND_MS = 2000
/** How long the page is left to settle before the "idle" click. */
const IDLE_MS = 3000

async function main(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'segue-bench-explore-'))
  if (process.env.BENCH_HOME) cpSync(process.env.BENCH_HOME, home, { recursive: true })
  let server: ServerProcess | null = null
  try {
    console.log(`first start on ${home} (import, models, moods) ...`)
    server = await startServer(home, [], { timeoutMs: 300_000 })
    await waitForMoods(server.url)
    await server.stop()
    server = await startServer(home)
    console.log(`later start ready at ${server.url}`)
    const asap: number[] = []
    const idle: number[] = []
    for (let r = 0; r < ROUNDS; r++) {
      asap.push(await firstChartMs(server.url, home, 0))
      idle.push(await firstChartMs(server.url, home, IDLE_MS))
      console.log(`round ${r + 1}/${ROUNDS}: click at once ${asap.at(-1)} ms, click when idle ${idle.at(-1)} ms`)
    }
    const row = (when: string, xs: number[]): Row => ({
      click: when, medianMs: median(xs), minMs: Math.min(...xs), maxMs: Math.max(...xs), firstRoundMs: xs[0], withinBound: median(xs) <= BOUND_MS,
    })
    report('explore', [row('as soon as the button shows', asap), row('once the page is idle', idle)], { rounds: ROUNDS, boundMs: BOUND_MS, loadAverage1m: +loadavg()[0].toFixed(1) })
  } finally {
    await server?.stop()
    rmSync(home, { recursive: true, force: true })
  }
}

/** The moods classifier is built on a worker on the first start; the later start reads what it saved. */
async function waitForMoods(url: string): Promise<void> {
  for (let i = 0; i < 240; i++) {
    const r = await fetch(`${url}/api/charts/moods-scatter`)
    if (r.ok) return
    await new Promise((res) => setTimeout(res, 500))
  }
  throw new Error('the moods chart never became ready')
}

/** Milliseconds from the click on Explore to its first chart drawn, in a new browser profile. */
async function firstChartMs(url: string, home: string, waitMs: number): Promise<number> {
  const profile = mkdtempSync(join(home, 'chromium-'))
  const context = await launchBrowser(profile)
  try {
    const page = context.pages()[0] ?? (await context.newPage())
    await page.goto(url)
    await page.getByTestId('nav-explore').waitFor()
    if (waitMs) await page.waitForTimeout(waitMs)
    const clicked = Date.now()
    await page.getByTestId('nav-explore').click()
    await page.locator('[data-testid="explore-chart"][data-state="ready"]').first().waitFor({ timeout: 60_000 })
    return Date.now() - clicked
  } finally {
    await context.close()
    rmSync(profile, { recursive: true, force: true })
  }
}

await main()
