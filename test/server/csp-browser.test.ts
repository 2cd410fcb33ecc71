import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { CHROMIUM, launchBrowser } from '../helpers/browser.js'
import { listen } from '../../src/server/listen.js'
import { SegueService } from '../../src/service/service.js'
import { fixturesDir, repoRoot } from '../helpers/paths.js'

// The CSP is fitted to the built web app: loaded in a real browser it must block nothing the app does, allow
// Spotify's embedded player, and block any other frame source.
const WEB_ROOT = join(repoRoot, 'dist', 'web')
const skip = !existsSync(CHROMIUM)
  ? `Debian's chromium is not installed at ${CHROMIUM} (apt-get install -y chromium)`
  : !existsSync(join(WEB_ROOT, 'index.html'))
    ? 'the web app is not built (npm run build:web)'
    : false

// Page scripts are strings: they run in the browser, and this project compiles without DOM types.
/** Collects CSP violations in the page, from before any of its scripts run. */
const RECORD_VIOLATIONS = `
  window.cspViolations = []
  document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.effectiveDirective + ' ' + e.blockedURI))
`
const VIOLATIONS = 'window.cspViolations'
/** Adds one iframe per source and resolves when each has finished (blocked, loaded, or failed offline). */
const FRAME = (sources: string[]) => `Promise.all(${JSON.stringify(sources)}.map((src) => new Promise((resolve) => {
  const f = document.createElement('iframe')
  f.addEventListener('load', resolve)
  setTimeout(resolve, 15000)
  f.src = src
  document.body.append(f)
})))`

test('the built web app runs under the CSP; Spotify embeds may load, other frames may not', { skip, timeout: 180_000 }, async () => {
  const service = await SegueService.start({ home: mkdtempSync(join(tmpdir(), 'segue-csp-')), catalogue: join(fixturesDir, 'engine', 'catalogue.csv'), listening: null })
  const { app, url } = await listen(service, { port: 0, webRoot: WEB_ROOT })
  const context = await launchBrowser(mkdtempSync(join(tmpdir(), 'segue-csp-chromium-')), null)
  try {
    const page = context.pages()[0] ?? (await context.newPage())
    const consoleCsp: string[] = []
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) consoleCsp.push(m.text()) })
    await page.addInitScript(RECORD_VIOLATIONS)
    const response = await page.goto(url)
    assert.match(String(response?.headers()['content-security-policy']), /frame-src https:\/\/open\.spotify\.com/)
    await page.getByTestId('search-input').fill('seed song')
    await page.getByTestId('suggestion').first().waitFor({ timeout: 30_000 })
    await page.waitForLoadState('networkidle')
    assert.deepEqual(await page.evaluate(VIOLATIONS), [], 'the app itself breaks no rule')
    assert.deepEqual(consoleCsp, [])

    await page.evaluate(FRAME(['https://open.spotify.com/embed/track/4uLU6hMCjMI75M1A2tKUQC', 'https://example.com/embed']))
    const violations = await page.evaluate(VIOLATIONS)
    assert.deepEqual(violations, ['frame-src https://example.com'], 'only the non-Spotify frame is blocked (reported by origin)')
  } finally {
    await context.close()
    await app.close()
    await service.close()
  }
})
