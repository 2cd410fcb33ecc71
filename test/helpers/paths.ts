import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { bundledDataDir, packageRoot, sharedDataDir } from '../../src/core/paths.js'

export const repoRoot = packageRoot()
export const fixturesDir = join(repoRoot, 'test', 'fixtures')

/** Path to a file of the shared real datasets, or null (and the test skips) where they are absent. */
export function sharedFile(...parts: string[]): string | null {
  const path = join(sharedDataDir(), ...parts)
  return existsSync(path) ? path : null
}

/**
 * A real dataset file or folder: the shared original when present, else the copy bundled in data/ (which
 * ships the big files gzipped, so `dataset.csv` is found as `dataset.csv.gz`), else null. For the datasets
 * segue bundles (the 114k catalogue, HetRec Last.fm 2K) it is never null in a checkout, so tests run rather
 * than skip where ../shared is absent.
 */
export function realFile(...parts: string[]): string | null {
  const shared = sharedFile(...parts)
  if (shared) return shared
  const bundled = join(bundledDataDir(), ...parts)
  for (const path of [bundled, `${bundled}.gz`]) if (existsSync(path)) return path
  return null
}

export const SKIP_NO_SHARED = 'the shared real datasets (../shared/data) are not present on this machine'
