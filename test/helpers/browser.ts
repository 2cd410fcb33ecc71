import { chromium, type BrowserContext } from 'playwright-core'

/** Debian's Chromium: the browser tests drive it and never download one. */
export const CHROMIUM = '/usr/bin/chromium'

/** The flags every browser test and bench launches with: headless, no sandbox (root in CI), no GPU, no chatter. */
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking']

/** A headless Chromium with its own profile folder; 1366 x 900 unless told (null: Playwright's default). */
export function launchBrowser(profile: string, viewport: { width: number; height: number } | null = { width: 1366, height: 900 }): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, ...(viewport ? { viewport } : {}) })
}
